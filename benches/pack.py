#!/usr/bin/env python3
"""The built-in pack's speed on generated monorepos, as ratios measured in one session.

    python3 benches/pack.py [--runs R] [--generator CMD] [N ...]     # default: 1000 2000

For each N, a monorepo of N services (benches/monorepo.py, or CMD: it is called as
`CMD OUT --services N --seed 1`) is made a git repository under target/bench/, so
repository rules run and .gitignore applies. Then, interleaved over R rounds (default 5),
the median wall time of:

- `cat` of every file git lists (tracked or not, ignored ones left out): the floor of
  reading the files once;
- the built-in pack at two threads (`-j2`) and at one (`-j1`), with the peak RSS;
- conftest-style policies (benches/policy: 20 Kubernetes rules) at `-j2`;
- a pre-commit run: `goldenpath check` on five named files (a Deployment, a Dockerfile, a
  workflow, a catalog entity, a README) from inside the repository.

Every goldenpath run is cold (`--no-cache`). Prints one row per N, then the scaling
figures. Machines are shared: compare ratios
within one run, never wall times across runs.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BIN = os.path.join(ROOT, "target", "release", "goldenpath")


def run(cmd, cwd=None):
    """Wall seconds and peak RSS (KiB) of one command; fails on status 2 or more."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code >= 2 or code < 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}")
    return took, usage.ru_maxrss


def corpus(n, generator):
    out = os.path.join(ROOT, "target", "bench", f"monorepo-{n}")
    if not os.path.isdir(os.path.join(out, ".git")):
        subprocess.run(shlex.split(generator) + [out, "--services", str(n), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["git", "init", "-q", out], check=True)
    files = subprocess.run(["git", "-C", out, "ls-files", "-co", "--exclude-standard", "-z"],
                           check=True, capture_output=True).stdout.split(b"\0")
    listing = os.path.join(out + ".files")
    with open(listing, "wb") as f:
        f.write(b"\0".join(os.path.join(out, p.decode()).encode() for p in files if p))
    return out, listing, sum(1 for p in files if p)


def five_files(repo):
    """A Deployment, a Dockerfile, a workflow, a catalog entity and a README."""
    picked = {}
    for d, dirs, fs in sorted(os.walk(repo)):
        dirs[:] = sorted(x for x in dirs if x not in (".git", "node_modules"))
        for f in sorted(fs):
            rel = os.path.relpath(os.path.join(d, f), repo)
            kind = ("k8s" if rel.endswith("deploy/k8s/deployment.yaml") else
                    "docker" if f == "Dockerfile" else
                    "workflow" if "/workflows/" in rel else
                    "catalog" if f == "catalog-info.yaml" and "/" in rel else
                    "readme" if f == "README.md" and "/" in rel else None)
            if kind and kind not in picked:
                picked[kind] = rel
    return sorted(picked.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 2000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--generator", default=f"{sys.executable} {os.path.join(HERE, 'monorepo.py')}")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT, check=True)
    policy = os.path.join(HERE, "policy")
    # Every run cold: the cache would turn all but the first into re-runs
    # (benches/cache.rs measures those).
    cold = ["--no-fail", "--no-cache"]
    rows = []
    for n in args.sizes:
        repo, listing, files = corpus(n, args.generator)
        five = five_files(repo)
        measures = {
            "cat": lambda: run(["xargs", "-0", "-a", listing, "cat"]),
            "j2": lambda: run([BIN, "check", *cold, "-j2", repo]),
            "j1": lambda: run([BIN, "check", *cold, "-j1", repo]),
            "policy": lambda: run([BIN, "check", *cold, "-j2", "-p", policy, repo]),
            "five": lambda: run([BIN, "check", *cold] + five, cwd=repo),
        }
        measures["j2"]()  # warms the page cache
        samples = {k: [] for k in measures}
        rss = {k: 0 for k in measures}
        for _ in range(args.runs):
            for key, measure in measures.items():
                took, peak = measure()
                samples[key].append(took)
                rss[key] = max(rss[key], peak)
        med = {k: statistics.median(v) for k, v in samples.items()}
        rows.append((n, files, med, rss))
    print(f"{'N':>5} {'files':>6} {'cat s':>6} {'pack -j2 s':>10} {'x cat':>6} {'pack -j1 s':>10} "
          f"{'j1/j2':>6} {'RSS MB':>7} {'policy -j2 s':>12} {'x cat':>6} {'5 files ms':>10}")
    for n, files, med, rss in rows:
        print(f"{n:>5} {files:>6} {med['cat']:>6.2f} {med['j2']:>10.2f} {med['j2'] / med['cat']:>6.1f} "
              f"{med['j1']:>10.2f} {med['j1'] / med['j2']:>6.2f} {max(rss['j1'], rss['j2']) / 1024:>7.0f} "
              f"{med['policy']:>12.2f} {med['policy'] / med['cat']:>6.1f} {med['five'] * 1000:>10.0f}")
    for (n1, _, m1, _), (n2, _, m2, _) in zip(rows, rows[1:]):
        print(f"time(N={n2}) / time(N={n1}), pack -j2: {m2['j2'] / m1['j2']:.2f}")
    print(f"medians of {args.runs} interleaved runs; RSS is the peak of the pack runs; "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()

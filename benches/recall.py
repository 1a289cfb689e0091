#!/usr/bin/env python3
"""Recall of the built-in pack against the ground truth of a generated corpus.

    python3 benches/recall.py [SERVICES]     # default 200; needs ../shared/bench/gencorpus.py

gencorpus.py injects known violations into files and lists them in its manifest. For
each violation kind that a pack rule covers, this prints how many of the affected files
(not deliberately broken, not ignored) got a finding of that rule. A recall below 100%
is a miss worth a look; kinds without a mapping are listed so new rules can claim them.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

MAPPING = {
    "docker.from-latest": ["GP-DOCKER-001"],
    "docker.from-untagged": ["GP-DOCKER-002"],
    "docker.no-user": ["GP-DOCKER-004"],
    "docker.user-root": ["GP-DOCKER-004"],
    "docker.no-healthcheck": ["GP-DOCKER-006"],
    "k8s.image-latest": ["GP-K8S-008"],
    "k8s.image-untagged": ["GP-K8S-008"],
    "k8s.no-resources": ["GP-K8S-001"],
    "k8s.no-limits": ["GP-K8S-001"],
    "k8s.no-probes": ["GP-K8S-002"],
    "k8s.no-readiness-probe": ["GP-K8S-002"],
    "k8s.run-as-root": ["GP-K8S-003"],
    "k8s.allow-privilege-escalation": ["GP-K8S-004"],
    "k8s.privileged": ["GP-K8S-011"],
    "k8s.host-network": ["GP-K8S-011"],
    "k8s.no-security-context": ["GP-K8S-003", "GP-K8S-004", "GP-K8S-005"],
    "gha.action-not-sha-pinned": ["GP-GHA-001"],
    "gha.action-branch-ref": ["GP-GHA-001"],
    "gha.no-permissions": ["GP-GHA-002"],
    "gha.permissions-write-all": ["GP-GHA-002"],
    "gha.script-injection": ["GP-GHA-004"],
    "repo.env-file": ["GP-REPO-006"],
    "catalog.no-owner": ["GP-CAT-002"],
    "catalog.no-lifecycle": ["GP-CAT-002"],
    "catalog.invalid-name": ["GP-CAT-002"],
    "catalog.invalid-lifecycle": ["GP-CAT-002"],
    "catalog.bad-apiversion": ["GP-CAT-002"],
    "tf.s3-no-tags": ["GP-TF-002"],
    "tf.ec2-no-tags": ["GP-TF-002"],
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    project = os.path.dirname(here)
    services = sys.argv[1] if len(sys.argv) > 1 else "200"
    corpus = os.path.join(project, "target", f"recall-corpus-{services}")
    manifest = corpus + ".json"
    gencorpus = os.environ.get("GENCORPUS", os.path.join(project, "..", "shared", "bench", "gencorpus.py"))
    if not os.path.isdir(corpus):
        subprocess.run([sys.executable, gencorpus, corpus, "--services", services, "--seed", "1",
                        "--manifest", manifest], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=project, check=True)
    binary = os.path.join(project, "target", "release", "goldenpath")
    out = subprocess.run([binary, "check", "--builtin", "--no-fail", "--format", "json", "."],
                         cwd=corpus, check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    found = defaultdict(set)
    for f in report["findings"]:
        found[f["file"]].add(f["rule"])
    truth = json.load(open(manifest))["files"]
    hits, totals, unmapped = defaultdict(int), defaultdict(int), defaultdict(int)
    for path, info in truth.items():
        if info.get("broken") or info.get("ignored"):
            continue
        for violation in info.get("violations", []):
            rules = MAPPING.get(violation)
            if rules is None:
                unmapped[violation] += 1
                continue
            totals[violation] += 1
            if found.get(path, set()) & set(rules):
                hits[violation] += 1
    print(f"{'violation':34} {'rule':28} {'recall':>12}")
    all_hits = all_total = 0
    for violation in sorted(totals):
        all_hits += hits[violation]
        all_total += totals[violation]
        print(f"{violation:34} {','.join(MAPPING[violation]):28} {hits[violation]:>5}/{totals[violation]:<5}")
    print(f"{'all mapped':34} {'':28} {all_hits:>5}/{all_total:<5} ({100.0 * all_hits / max(all_total, 1):.1f}%)")
    print("not covered by a rule:", ", ".join(f"{k} ({v})" for k, v in sorted(unmapped.items())))


if __name__ == "__main__":
    main()

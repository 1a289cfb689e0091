#!/usr/bin/env python3
"""How parse time grows with input size, per format (a check that every parser is linear).

    python3 benches/parse_scaling.py [BINARY] [--sizes 10000,40000,160000] [--runs 3]

BINARY defaults to target/release/goldenpath (build it first with
`cargo build --release --locked`). For each case below this writes a file with N keys
(or sections, blocks, elements) for each size, times `BINARY parse FILE` (median of
--runs runs, output discarded) and prints the time per size and the ratio of each size
to the previous one. With 4x more keys a linear parser takes about 4x the time; a
quadratic one about 16x. A run over --timeout seconds is reported as such and the
larger sizes of that case are skipped.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def dotenv(n):
    return "".join(f"KEY_{i}=value-{i}\n" for i in range(n)), ".env"


def dotenv_duplicates(n):
    return "".join(f"KEY_{i % 1000}=value-{i}\n" for i in range(n)), ".env"


def properties(n):
    return "".join(f"app.key.{i}=value-{i}\n" for i in range(n)), "app.properties"


def ini_keys(n):
    return "[server]\n" + "".join(f"key{i} = {i}\n" for i in range(n)), "setup.ini"


def ini_sections(n):
    return "".join(f"[section{i}]\nkey = {i}\n" for i in range(n)), "setup.ini"


def hcl_attributes(n):
    return "".join(f"attr_{i} = {i}\n" for i in range(n)), "main.tf"


def hcl_blocks(n):
    return (
        "".join(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n' for i in range(n)),
        "main.tf",
    )


def hcl_repeated_blocks(n):
    return "".join(f"rule {{\n  n = {i}\n}}\n" for i in range(n)), "main.tf"


def hcl_object(n):
    return "m = {\n" + "".join(f"  k{i} = {i}\n" for i in range(n)) + "}\n", "main.tf"


def json_object(n):
    body = ",\n".join(f'  "key{i}": {i}' for i in range(n))
    return "{\n" + body + "\n}\n", "data.json"


def yaml_mapping(n):
    return "".join(f"key{i}: {i}\n" for i in range(n)), "data.yaml"


def yaml_merge(n):
    base = "".join(f"  k{i}: {i}\n" for i in range(n))
    own = "".join(f"  o{i}: {i}\n" for i in range(n))
    return f"base: &b\n{base}other:\n  <<: *b\n{own}", "data.yaml"


def yaml_unicode(n):
    return "".join(f"clé{i}: välue{i}\n" for i in range(n)), "data.yaml"


def yaml_aliases(n):
    return "base: &b {x: 1, y: [1, 2]}\n" + "".join(f"k{i}: *b\n" for i in range(n)), "data.yaml"


def toml_table(n):
    return "[server]\n" + "".join(f"key{i} = {i}\n" for i in range(n)), "data.toml"


def xml_elements(n):
    return "<r>\n" + "".join(f"  <e{i}>{i}</e{i}>\n" for i in range(n)) + "</r>\n", "pom.xml"


def xml_repeated(n):
    return "<r>\n" + "".join(f"  <e>{i}</e>\n" for i in range(n)) + "</r>\n", "pom.xml"


def xml_pairs(n):
    return "<r>\n" + "".join(f"  <e{i}>a</e{i}><e{i}>b</e{i}>\n" for i in range(n // 2)) + "</r>\n", "pom.xml"


def dockerfile_instructions(n):
    return "FROM alpine:3\n" + "".join(f"ENV K{i}=v{i}\n" for i in range(n)), "Dockerfile"


def dockerfile_exec_escaped(n):
    items = ", ".join('"\\u0061"' for _ in range(n))
    return f"FROM alpine:3\nCMD [{items}]\n", "Dockerfile"


def ignore_patterns(n):
    return "".join(f"build/out{i}/*.log\n" for i in range(n)), ".gitignore"


CASES = [
    dotenv,
    dotenv_duplicates,
    properties,
    ini_keys,
    ini_sections,
    hcl_attributes,
    hcl_blocks,
    hcl_repeated_blocks,
    hcl_object,
    json_object,
    yaml_mapping,
    yaml_merge,
    yaml_unicode,
    yaml_aliases,
    toml_table,
    xml_elements,
    xml_repeated,
    xml_pairs,
    dockerfile_instructions,
    dockerfile_exec_escaped,
    ignore_patterns,
]


def time_parse(binary, path, runs, timeout):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        try:
            result = subprocess.run(
                [binary, "parse", path],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return None
        if result.returncode != 0:
            sys.exit(f"{binary} parse {path} failed: {result.stderr.decode()[:500]}")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default="target/release/goldenpath")
    parser.add_argument("--sizes", default="10000,40000,160000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only.split(",")) if args.only else None
    header = ["case"] + [f"{s:>9}" for s in sizes] + [
        f"{b // 1000}k/{a // 1000}k" for a, b in zip(sizes, sizes[1:])
    ]
    print("  ".join(f"{h:>20}" if i == 0 else f"{h:>9}" for i, h in enumerate(header)))
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            if only and case.__name__ not in only:
                continue
            times = []
            for size in sizes:
                text, name = case(size)
                path = os.path.join(tmp, str(size), name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as f:
                    f.write(text)
                seconds = time_parse(args.binary, path, args.runs, args.timeout)
                os.remove(path)
                times.append(seconds)
                if seconds is None:
                    break
            times += [None] * (len(sizes) - len(times))
            cells = [f"{t:9.3f}" if t is not None else f"{'>' + str(int(args.timeout)):>9}" for t in times]
            ratios = [
                f"{b / a:9.1f}" if a and b else f"{'-':>9}" for a, b in zip(times, times[1:])
            ]
            print(f"{case.__name__:>20}  " + "  ".join(cells + ratios), flush=True)


if __name__ == "__main__":
    main()

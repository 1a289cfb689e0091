#!/usr/bin/env python3
"""Differential suite: goldenpath against real OPA, with conftest's semantics.

Every case under fixtures/differential/<class>/<case>/ holds `policy/` (.rego files),
`inputs/` (files to check), optionally `data/` (JSON/YAML merged into `data`) and
`case.json` ({"namespaces": [...], "all_namespaces": bool, "rego_version": "v0",
"known_difference": "why"}). A known difference (listed in the README) is run and shown
but left out of the figure.

goldenpath checks `inputs/` once per case (`check --format json`). OPA (the Go library
embedded in the `opa-golib-python-bindings` wheel) evaluates, for every document that
`goldenpath parse` gives for each input file, every deny/warn/violation rule of the
selected packages as conftest does: `data.conftest.file` set to the file's name and
directory, conftest's `exception` rules (`data.<ns>.exception[_][_] == "<rule>"`), string
and `{"msg": ...}` results, a result's `id` naming the rule it is reported under, and
conftest's refusal of `deny[msg] if` (rule is using 'if' keyword without 'contains').

A rule evaluation is one (file, document, rule); it agrees when both sides give the same
multiset of messages (an error counts as one `policy-error` message for the rule). A case
whose policies do not load agrees when both sides refuse it.

The OPA wheel parses Rego v1 only: a v0 case's policies are converted to v1 for OPA by
rewriting rule heads (`p[x] {` to `p contains x if {`, `p {` to `p if {`, also for
functions, `else` and partial objects); the cases keep to heads this rewrite handles.

The wheel treats builtin errors strictly, conftest does not: an OPA builtin or type
error is counted as "not comparable" and left out of the figure (the cases avoid them),
as is an `eval_internal_error` (a bug in OPA itself; the built-in pack's GP-DOCKER-004
and GP-DOCKER-006 hit one).

`--pack DIR` adds the built-in pack's file rules, each over its own pass and fail
fixtures (written as cases into DIR).

Exit status 1 when the agreement is below the goal, when a class falls below its figure
in baseline.json, or when goldenpath crashed; `--update-baseline` rewrites the baseline.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# OPA errors that say nothing about goldenpath: builtin errors (the wheel makes them
# fatal, conftest does not) and OPA's own internal errors.
NOT_COMPARABLE = ("eval_builtin_error", "eval_type_error", "eval_internal_error")
RULE_RE = re.compile(r"^(deny|violation|warn)(_[A-Za-z0-9]+)*$")
HEAD_RE = re.compile(r"^((?:deny|violation|warn)(?:_[A-Za-z0-9]+)*)\b")
PROBLEMATIC_IF = re.compile(
    r"^(?:deny|violation|warn)(?:_[A-Za-z0-9]+)*\[[^\]]*\]\s+if\b", re.M
)
DOCKERFILE = re.compile(r"^(Dockerfile(\..*)?|Containerfile|.*\.dockerfile)$")
IGNORE = (".gitignore", ".dockerignore")


def wildcard(pattern, text):
    regex = "".join(
        ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern
    )
    return re.fullmatch(regex, text) is not None


def v0_to_v1(src):
    """Rewrites the rule heads of a v0 policy into v1 (see the module doc)."""
    out = []
    for line in src.splitlines():
        if line.startswith(("package ", "import ", "#", "default ")) or not line.strip():
            out.append(line)
            continue
        if re.search(r"\b(if|contains)\b", line.split("{")[0]):
            out.append(line)
            continue
        m = re.match(r"^(\w+)\[([^\]]+)\]\s*\{(.*)$", line)
        if m and RULE_RE.match(m.group(1)) or (m and "=" not in line.split("{")[0]):
            out.append(f"{m.group(1)} contains {m.group(2)} if {{{m.group(3)}")
            continue
        m = re.match(r"^(\s*\}?\s*else\b[^{]*?|[\w.]+(?:\[[^\]]*\])?(?:\([^)]*\))?[^{]*?)\s*\{(.*)$", line)
        if m and (line[0] not in " \t" or m.group(1).strip().startswith(("}", "else"))):
            out.append(f"{m.group(1)} if {{{m.group(2)}")
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def load_opa(folder):
    sys.path.insert(0, folder)
    from opa_bindings.engine import OpaEngine, OpaError  # noqa: E402

    return OpaEngine, OpaError


class Case:
    def __init__(self, path):
        self.path = path
        self.name = os.path.relpath(path, CASES)
        self.klass = self.name.split(os.sep)[0]
        config = os.path.join(path, "case.json")
        self.config = json.load(open(config)) if os.path.exists(config) else {}
        self.v0 = self.config.get("rego_version") == "v0"
        self.policies = sorted(
            os.path.join(d, f)
            for d, _, fs in os.walk(os.path.join(path, "policy"))
            for f in fs
            if f.endswith(".rego")
        )
        data = os.path.join(path, "data")
        self.data = (
            sorted(os.path.join(data, f) for f in os.listdir(data))
            if os.path.isdir(data)
            else []
        )
        inputs = os.path.join(path, "inputs")
        self.inputs = sorted(
            os.path.join(d, f) for d, _, fs in os.walk(inputs) for f in fs
        )


def parse_documents(gp, path):
    """The inputs conftest evaluates for `path`, from `goldenpath parse`."""
    name = os.path.basename(path)
    out = subprocess.run([gp, "parse", path], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    value = json.loads(out.stdout)
    if DOCKERFILE.match(name) or name in IGNORE:
        return [value]
    if isinstance(value, list):
        if not value and name.endswith((".yaml", ".yml")) and not yaml_has_content(path):
            return [None]
        return value
    return [value]


def yaml_has_content(path):
    for line in open(path, encoding="utf-8"):
        s = line.strip()
        if s and not s.startswith("#") and s not in ("---", "..."):
            return True
    return False


def document_lines(path, count):
    """The first line of each of the `count` documents of `path`, to attribute
    goldenpath's located findings to documents (the cases keep one JSON array element
    per line and separate YAML documents with `---` lines)."""
    lines = open(path, encoding="utf-8").read().splitlines()
    if count <= 1:
        return [1]
    if path.endswith(".json"):
        starts = [
            i + 1 for i, l in enumerate(lines) if l.strip() not in ("", "[", "]")
        ]
        return starts[:count]
    starts, current, has = [], None, False
    for i, l in enumerate(lines):
        if l.startswith("---") or l.startswith("..."):
            if has:
                starts.append(current)
            current, has = None, False
            continue
        s = l.strip()
        if s and not s.startswith("#"):
            if current is None:
                current = i + 1
            has = True
    if has:
        starts.append(current)
    if len(starts) == 1 and count > 1:
        starts = [i + 1 for i, l in enumerate(lines) if l.startswith("- ")]
    return starts[:count]


def doc_index(starts, line):
    if line is None:
        return 0
    index = 0
    for i, start in enumerate(starts):
        if line >= start:
            index = i
    return index


def packages_and_rules(sources):
    rules = collections.defaultdict(set)
    for src in sources:
        m = re.search(r"^package\s+([\w.]+)", src, re.M)
        if not m:
            continue
        pkg = m.group(1)
        rules[pkg]
        for line in src.splitlines():
            h = HEAD_RE.match(line)
            if h and RULE_RE.match(h.group(1)):
                rules[pkg].add(h.group(1))
            if re.match(r"^exception\b", line):
                rules[pkg].add("exception")
    return rules


def strip_prefix(rule):
    if rule in ("deny", "warn", "violation"):
        return ""
    for p in ("violation_", "deny_", "warn_"):
        if rule.startswith(p):
            rule = rule[len(p):]
    return rule


CONTEXT_PROBE = """package goldenpath_context_probe

import rego.v1

deny contains json.marshal(data.goldenpath.context)
"""


def contexts(gp, case):
    """`data.goldenpath.context` as goldenpath gives it to each input file of `case`
    (the repository context the built-in pack reads), so OPA can be given the same."""
    import tempfile

    with tempfile.TemporaryDirectory() as probe:
        with open(os.path.join(probe, "probe.rego"), "w", encoding="utf-8") as f:
            f.write(CONTEXT_PROBE)
        out = subprocess.run(
            [gp, "check", "--format", "json", "--no-fail", "--no-builtin", "-p", probe,
             "-n", "goldenpath_context_probe", "inputs"],
            cwd=case.path, capture_output=True, text=True, env=isolated_env(),
        )
    found = {}
    for finding in json.loads(out.stdout).get("findings", []):
        try:
            found[os.path.join(case.path, finding["file"])] = json.loads(finding["message"])
        except (KeyError, ValueError):
            continue
    return found


def run_opa(OpaEngine, OpaError, case, gp, parsed, context=None):
    """Expected results: {(file, doc, rule): Counter of (key, message)}, or an error
    string when the policies do not load; plus the evaluations OPA could not compare.
    `context` gives OPA each file's `data.goldenpath.context`, as goldenpath has it."""
    sources = [open(p, encoding="utf-8").read() for p in case.policies]
    if not case.v0:
        for p, src in zip(case.policies, sources):
            m = PROBLEMATIC_IF.search(src)
            if m:
                return "rule is using 'if' keyword without 'contains' keyword", 0
    engine = OpaEngine()
    try:
        for p, src in zip(case.policies, sources):
            engine.add_policy(os.path.relpath(p, case.path), v0_to_v1(src) if case.v0 else src)
        for d in case.data:
            for doc in parse_documents(gp, d) or []:
                engine.add_data(doc)
        engine.eval_query("x := 1")
    except OpaError as e:
        return f"load: {e}", 0
    rules = packages_and_rules(sources)
    patterns = case.config.get("namespaces") or ["main"]
    selected = [
        (pkg, sorted(r for r in rs if r != "exception"), "exception" in rs)
        for pkg, rs in sorted(rules.items())
        if case.config.get("all_namespaces") or any(wildcard(p, pkg) for p in patterns)
    ]
    expected, incomparable = {}, 0
    for file, docs in parsed.items():
        info = {"name": os.path.basename(file), "dir": os.path.dirname(os.path.abspath(file))}
        for di, doc in enumerate(docs):
            with_clause = " with data.conftest.file as " + json.dumps(info)
            if context and os.path.abspath(file) in context:
                with_clause += " with data.goldenpath.context as " + json.dumps(
                    context[os.path.abspath(file)]
                )
            if doc is None:
                with_clause += " with input as null"
            for pkg, names, has_exception in selected:
                for rule in names:
                    key = (os.path.relpath(file, case.path), di, f"{pkg}.{rule}")
                    got = collections.Counter()
                    try:
                        excepted = False
                        if has_exception:
                            q = f'data.{pkg}.exception[_][_] == {json.dumps(strip_prefix(rule))}'
                            excepted = bool(engine.eval_query(q + with_clause, doc))
                        rs = engine.eval_query(f"x := data.{pkg}.{rule}" + with_clause, doc)
                        value = rs[0]["x"] if rs else None
                        if isinstance(value, list) and not excepted:
                            for item in value:
                                if isinstance(item, str):
                                    got[(f"{pkg}.{rule}", item)] += 1
                                elif isinstance(item, dict):
                                    msg = item.get("msg")
                                    if not isinstance(msg, str):
                                        got[("policy-error", f"{pkg}.{rule}")] += 1
                                        continue
                                    rid = item.get("id")
                                    rid = rid if isinstance(rid, str) and rid else f"{pkg}.{rule}"
                                    got[(rid, msg)] += 1
                    except OpaError as e:
                        if any(code in str(e) for code in NOT_COMPARABLE):
                            incomparable += 1
                            expected[key] = None
                            continue
                        got[("policy-error", f"{pkg}.{rule}")] += 1
                    expected[key] = got
    return expected, incomparable


RULE_IN_MESSAGE = re.compile(r"rule `([^`]+)`")


def isolated_env():
    """The environment of a goldenpath run: each case is a tree of its own, so goldenpath
    looks for no `.git` and no goldenpath.toml above it (the repository's own
    configuration excludes fixtures/ and would leave nothing to check)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ceilings = [os.path.join(root, "fixtures"), os.path.join(root, "target")]
    return dict(os.environ, GIT_CEILING_DIRECTORIES=os.pathsep.join(ceilings))


def run_goldenpath(gp, case, timeout):
    args = [gp, "check", "--format", "json", "--no-fail", "--no-builtin", "-p", "policy"]
    if case.data:
        args += ["-d", "data"]
    for ns in case.config.get("namespaces") or []:
        args += ["-n", ns]
    if case.config.get("all_namespaces"):
        args.append("--all-namespaces")
    if case.v0:
        args += ["--rego-version", "v0"]
    args.append("inputs")
    started = time.monotonic()
    out = subprocess.run(
        args, cwd=case.path, capture_output=True, text=True, timeout=timeout, env=isolated_env()
    )
    return out, time.monotonic() - started


def compare(case, gp_out, expected, parsed):
    """Returns (units, agreeing, disagreements)."""
    if gp_out.returncode not in (0, 1, 2):
        return 1, 0, [f"goldenpath crashed (exit {gp_out.returncode}): {gp_out.stderr[-300:]}"]
    if isinstance(expected, str):
        if gp_out.returncode == 2:
            if expected.startswith("rule is using") and expected not in gp_out.stderr:
                return 1, 0, [f"load error differs: {gp_out.stderr.strip()[:300]}"]
            return 1, 1, []
        return 1, 0, [f"OPA refuses the policies ({expected[:200]}); goldenpath ran them"]
    if gp_out.returncode == 2:
        return 1, 0, [f"goldenpath refused the policies: {gp_out.stderr.strip()[:300]}"]
    report = json.loads(gp_out.stdout)
    starts = {
        os.path.relpath(f, case.path): document_lines(f, len(docs)) for f, docs in parsed.items()
    }
    by_doc = collections.defaultdict(list)
    problems = []
    units = agreeing = 0
    for f in report["findings"]:
        if f["file"] not in starts:
            units += 1
            problems.append(f"finding in unexpected file {f['file']}: {f['message'][:200]}")
            continue
        doc = doc_index(starts[f["file"]], f.get("line"))
        if f["rule"] == "policy-error":
            m = RULE_IN_MESSAGE.search(f["message"])
            rule = re.sub(r"\.exception$", "", m.group(1)) if m else "?"
            by_doc[(f["file"], doc)].append(("policy-error", rule))
        else:
            by_doc[(f["file"], doc)].append((f["rule"], f["message"]))
    skipped = {k for k, v in expected.items() if v is None}
    expected = {k: v for k, v in expected.items() if v is not None}
    actual = {key: collections.Counter() for key in expected}
    for (file, doc), tuples in sorted(by_doc.items()):
        keys = [k for k in sorted(expected) if k[0] == file and k[1] == doc]
        for t in tuples:
            # Not comparable (OPA's strict builtin error): goldenpath's results are left out.
            if any(k[0] == file and k[1] == doc and t[0] in (k[2], "policy-error") for k in skipped):
                continue
            # The rule OPA expects this message from, else the rule it is reported under.
            owner = next((k for k in keys if expected[k][t] > actual[k][t]), None)
            if owner is None:
                owner = next((k for k in keys if t[0] == k[2] or t == ("policy-error", k[2])), None)
            if owner is None and t[0] != "policy-error":
                # A rule id from METADATA (`custom.id`): the rule whose message it is.
                owner = next(
                    (k for k in keys if any(m == t[1] for (_, m) in expected[k]) and expected[k] != actual[k]),
                    None,
                )
                if owner is not None:
                    t = next(e for e in expected[owner] if e[1] == t[1])
            if owner is None:
                if any(k[0] == file and k[1] == doc for k in skipped):
                    continue  # reported under a METADATA id by a rule OPA could not run
                units += 1
                problems.append(f"{file} doc {doc}: goldenpath only {t}")
                continue
            actual[owner][t] += 1
    for key in sorted(expected):
        units += 1
        want, have = +expected[key], +actual[key]
        if want == have:
            agreeing += 1
        else:
            problems.append(
                f"{key[0]} doc {key[1]} {key[2]}: OPA only {dict(want - have)}; goldenpath only {dict(have - want)}"
            )
    return units, agreeing, problems


FORMAT_FILES = {
    "yaml": lambda n: n.endswith((".yaml", ".yml")),
    "hcl2": lambda n: n.endswith((".tf", ".hcl", ".tfvars")),
    "dockerfile": lambda n: DOCKERFILE.match(n) is not None,
}


def pack_cases(root, work):
    """The built-in pack's file rules over their pass and fail fixtures, as cases: each
    rule in its own package, evaluated on the fixture files of its formats. Repository
    rules and rules that use goldenpath's own builtins are left out (OPA has neither)."""
    import shutil

    made = []
    for area in sorted(os.listdir(os.path.join(root, "policies"))):
        folder = os.path.join(root, "policies", area)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".rego"):
                continue
            src = open(os.path.join(folder, name), encoding="utf-8").read()
            if "scope: repository" in src or re.search(r"goldenpath\.(parse_file|read_file|file_exists)", src):
                continue
            rule_id = re.search(r"^#\s+id:\s*(\S+)", src, re.M)
            formats = re.search(r"^#\s+formats:\s*\[([^\]]*)\]", src, re.M)
            package = re.search(r"^package\s+([\w.]+)", src, re.M)
            if not (rule_id and package):
                continue
            wanted = [f.strip() for f in formats.group(1).split(",")] if formats else []
            fixtures = [
                d for d in os.listdir(os.path.join(root, "fixtures", "pack"))
                if d.split("-")[:3] == rule_id.group(1).split("-")
            ]
            if not fixtures:
                continue
            case = os.path.join(work, rule_id.group(1))
            shutil.rmtree(case, ignore_errors=True)
            os.makedirs(os.path.join(case, "policy"))
            shutil.copy(os.path.join(folder, name), os.path.join(case, "policy", name))
            # The helpers the pack's rules share (policies/lib/) go with each rule.
            lib = os.path.join(root, "policies", "lib")
            for helper in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
                if helper.endswith(".rego"):
                    shutil.copy(os.path.join(lib, helper), os.path.join(case, "policy", "lib_" + helper))
            copied = 0
            for side in ("pass", "fail"):
                base = os.path.join(root, "fixtures", "pack", fixtures[0], side)
                for d, _, fs in os.walk(base):
                    for f in fs:
                        if wanted and not any(FORMAT_FILES.get(w, lambda n: False)(f) for w in wanted):
                            continue
                        rel = os.path.relpath(os.path.join(d, f), base)
                        target = os.path.join(case, "inputs", side, rel)
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        shutil.copy(os.path.join(d, f), target)
                        copied += 1
            if copied:
                json.dump({"namespaces": [package.group(1)]}, open(os.path.join(case, "case.json"), "w"))
                made.append(case)
    return made


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--goldenpath", required=True)
    parser.add_argument("--opa", required=True, help="folder holding opa_bindings/")
    parser.add_argument("--cases", default=os.path.join(ROOT, "fixtures", "differential"))
    parser.add_argument("--baseline", default=os.path.join(HERE, "baseline.json"))
    parser.add_argument("--update-baseline", action="store_true")
    parser.add_argument("--goal", type=float, default=99.5)
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--case-timeout", type=float, default=120)
    parser.add_argument(
        "--pack",
        metavar="DIR",
        help="also check the built-in pack's file rules on their fixtures (cases written to DIR)",
    )
    args = parser.parse_args()
    global CASES
    CASES = os.path.abspath(args.cases)
    gp = os.path.abspath(args.goldenpath)
    OpaEngine, OpaError = load_opa(os.path.abspath(args.opa))

    cases = [
        Case(d)
        for d, _, _ in sorted(os.walk(CASES))
        if os.path.isdir(os.path.join(d, "policy"))
    ]
    if args.pack:
        work = os.path.abspath(args.pack)
        for d in pack_cases(ROOT, work):
            case = Case(d)
            case.name = os.path.relpath(d, work)
            case.klass = "pack"
            cases.append(case)
    per_class = collections.defaultdict(lambda: [0, 0])
    problems = []
    incomparable = 0
    crashed = False
    started = time.monotonic()
    known = []
    for case in cases:
        parsed = {f: parse_documents(gp, f) for f in case.inputs}
        parsed = {f: d for f, d in parsed.items() if d is not None}
        context = contexts(gp, case) if case.klass == "pack" else None
        expected, skipped = run_opa(OpaEngine, OpaError, case, gp, parsed, context)
        incomparable += skipped
        out, _ = run_goldenpath(gp, case, args.case_timeout)
        if out.returncode not in (0, 1, 2):
            crashed = True
        units, agreeing, issues = compare(case, out, expected, parsed)
        if case.config.get("known_difference"):
            # Documented in the README; shown, not counted.
            known.append((case.name, units, agreeing, case.config["known_difference"], issues))
            continue
        per_class[case.klass][0] += units
        per_class[case.klass][1] += agreeing
        problems += [f"[{case.name}] {p}" for p in issues]
    elapsed = time.monotonic() - started

    total = sum(u for u, _ in per_class.values())
    agree = sum(a for _, a in per_class.values())
    figure = 100.0 * agree / total if total else 0.0
    baseline = {}
    if os.path.isfile(args.baseline):
        baseline = json.load(open(args.baseline))
    print(f"{'class':<28} {'agree':>7} {'total':>7} {'%':>8}  baseline")
    regressions = []
    figures = {}
    for klass, (units, agreeing) in sorted(per_class.items()):
        pct = 100.0 * agreeing / units if units else 100.0
        figures[klass] = round(pct, 2)
        base = baseline.get("classes", {}).get(klass)
        mark = ""
        if base is not None and pct + 1e-9 < base:
            regressions.append(klass)
            mark = "  REGRESSED"
        print(f"{klass:<28} {agreeing:>7} {units:>7} {pct:>7.2f}%  {base if base is not None else '-'}{mark}")
    for p in problems if args.verbose else problems[:40]:
        print("  " + p)
    if len(problems) > 40 and not args.verbose:
        print(f"  ... {len(problems) - 40} more (-v lists all)")
    for name, units, agreeing, reason, issues in known:
        print(f"known difference [{name}]: {agreeing}/{units} agree; {reason}")
        for p in issues if args.verbose else []:
            print("  " + p)
    print(
        f"differential: {agree}/{total} rule evaluations agree with OPA ({figure:.2f}%; goal {args.goal}%), "
        f"{len(cases)} cases, {incomparable} not comparable, {elapsed:.1f}s"
    )
    if args.update_baseline:
        json.dump({"goal": args.goal, "classes": figures}, open(args.baseline, "w"), indent=2, sort_keys=True)
        open(args.baseline, "a").write("\n")
    failed = crashed or figure + 1e-9 < args.goal or regressions
    if regressions:
        print("regressed classes: " + ", ".join(regressions))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

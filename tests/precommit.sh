#!/usr/bin/env bash
# The pre-commit round trip, with the real pre-commit from PyPI.
#
# 1. Installs pre-commit into a virtual environment under target/precommit/.
# 2. Snapshots this checkout as it is on disk (tracked and untracked files that git does
#    not ignore, so uncommitted work is tested too) into a git repository at a stable
#    path, committed with a fixed author and date: the same tree gives the same commit,
#    so pre-commit's cache (PRE_COMMIT_HOME, also under target/) is reused between runs.
#    `language: rust` makes pre-commit `cargo install` that commit in release mode; the
#    cargo target directory is kept under target/ as well.
# 3. In a throwaway repository with fixtures/precommit/policy and a .pre-commit-config.yaml
#    naming the snapshot, installs the git hook and:
#    - commits a violating file: the `goldenpath` hook blocks it, and its output names
#      the finding's file:line;
#    - commits the fixed file while a broken, untracked YAML file sits beside it: the
#      commit passes, because the hook checks only the files pre-commit passes;
#    - runs `goldenpath-repo`: the whole tree is checked, so the broken untracked file
#      fails it; once removed, it passes.
# The configuration is the one `pre-commit try-repo` would generate (repo: a local path,
# rev: a commit of the working tree), written out so that a real `git commit` goes
# through the installed hook; try-repo itself builds into a fresh temporary store on
# every call, which would mean one release build per call.
# Any unexpected outcome exits non-zero.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/precommit"
mkdir -p "$work"
export PRE_COMMIT_HOME="$work/cache"
export CARGO_TARGET_DIR="$work/cargo-target"
export PRE_COMMIT_COLOR=never NO_COLOR=1
# The hook repository and the demo repository are committed to with a fixed identity,
# whatever the machine's git configuration says.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=goldenpath GIT_AUTHOR_EMAIL=goldenpath@example.invalid
export GIT_COMMITTER_NAME=goldenpath GIT_COMMITTER_EMAIL=goldenpath@example.invalid
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"

fail() {
    echo "precommit.sh: FAILED: $*" >&2
    exit 1
}

step() {
    echo "precommit.sh: $*"
}

# 1. pre-commit itself.
venv="$work/venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
    step "installing pre-commit into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.7.0"
fi
pre_commit="$venv/bin/pre-commit"
step "using $("$pre_commit" --version)"

# 2. The checkout as a hook repository.
git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    fail "$root is not a git checkout"
hooks="$work/hook-repo"
rm -rf "$hooks"
mkdir -p "$hooks"
(
    cd "$root"
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do
            if [ -f "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
        done |
        tar --null --no-recursion -T - -cf -
) | tar -C "$hooks" -xf -
git -C "$hooks" init --quiet --initial-branch=main
git -C "$hooks" add --all
git -C "$hooks" commit --quiet --no-verify -m "goldenpath snapshot"
rev="$(git -C "$hooks" rev-parse HEAD)"
step "hook repository $hooks at $rev"

# 3. The repository that uses the hooks.
demo="$work/demo"
rm -rf "$demo"
mkdir -p "$demo"
cp -R "$root/fixtures/precommit/policy" "$demo/policy"
cat >"$demo/.pre-commit-config.yaml" <<YAML
repos:
  - repo: $hooks
    rev: $rev
    hooks:
      - id: goldenpath
      - id: goldenpath-repo
        stages: [manual]
YAML
cd "$demo"
git init --quiet --initial-branch=main
git add .pre-commit-config.yaml policy
git commit --quiet --no-verify -m "policies"
"$pre_commit" install
step "installing the hook environment (cargo install in release mode on a cache miss)"
start=$SECONDS
"$pre_commit" install-hooks
step "hook environment ready after $((SECONDS - start))s"

# A violating file: the commit is blocked, with the finding's file:line in the output.
mkdir -p deploy
cp "$root/fixtures/precommit/bad.yaml" deploy/service.yaml
git add deploy/service.yaml
if git commit -m "debug on" >"$work/blocked.log" 2>&1; then
    cat "$work/blocked.log"
    fail "the commit of a violating file was not blocked"
fi
cat "$work/blocked.log"
grep -q "deploy/service.yaml:3:8" "$work/blocked.log" ||
    fail "the hook's output does not name deploy/service.yaml:3:8"
grep -q "service \`web\` has debug switched on" "$work/blocked.log" ||
    fail "the hook's output does not carry the finding's message"
[ -z "$(git log --format=%H -n1 -- deploy/service.yaml)" ] ||
    fail "the violating file was committed"

# The fixed file commits cleanly, although a broken YAML file sits untracked beside it:
# the hook parses only the files pre-commit passes.
cp "$root/fixtures/precommit/good.yaml" deploy/service.yaml
printf 'name: [unclosed\n' >deploy/scratch.yaml
git add deploy/service.yaml
git commit -m "debug off" >"$work/clean.log" 2>&1 || {
    cat "$work/clean.log"
    fail "the commit of a clean file was blocked"
}
cat "$work/clean.log"
grep -Eq "^goldenpath\.+Passed" "$work/clean.log" ||
    fail "the goldenpath hook did not report Passed"
[ -n "$(git log --format=%H -n1 -- deploy/service.yaml)" ] ||
    fail "the clean file was not committed"

# The whole-tree hook (in the manual stage here, so the commits above do not run it): it
# sees the untracked broken file and fails; without it, it passes.
if "$pre_commit" run --hook-stage manual goldenpath-repo >"$work/repo.log" 2>&1; then
    cat "$work/repo.log"
    fail "goldenpath-repo passed over a tree with a broken YAML file"
fi
cat "$work/repo.log"
grep -Eq "deploy/scratch\.yaml:[0-9]+:[0-9]+" "$work/repo.log" ||
    fail "goldenpath-repo's output does not name deploy/scratch.yaml:line:column"
rm deploy/scratch.yaml
"$pre_commit" run --hook-stage manual goldenpath-repo >"$work/repo.log" 2>&1 || {
    cat "$work/repo.log"
    fail "goldenpath-repo failed over a clean tree"
}
cat "$work/repo.log"
grep -Eq "^goldenpath \(repository\)\.+Passed" "$work/repo.log" ||
    fail "the goldenpath-repo hook did not report Passed"
step "ok: blocked a violating commit, passed a clean one, checked the whole tree"

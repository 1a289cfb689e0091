#!/usr/bin/env bash
# The differential suite: goldenpath against real OPA on fixtures/differential.
#
# Real OPA comes from PyPI as the opa-golib-python-bindings wheel (OPA's Go library
# behind a C ABI, loaded with ctypes). The wheel declares Python >= 3.14 but its wrapper
# runs on any Python 3, so it is downloaded for 3.14 and unpacked, not installed, into
# target/differential/opa (kept between runs). The cases are fixtures/differential and
# the built-in pack's file rules on their fixtures. The suite prints the agreement figure and
# fails when it is below the goal or a class falls below tests/differential/baseline.json.
# Extra arguments go to run.py (-v lists every disagreement).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$root/target/differential"
opa="$work/opa"
version="0.4.4"
if [ ! -f "$opa/opa_bindings/engine.py" ] || [ "$(cat "$opa/VERSION" 2>/dev/null)" != "$version" ]; then
    echo "differential: fetching opa-golib-python-bindings $version" >&2
    rm -rf "$work/wheel" "$opa"
    mkdir -p "$work/wheel"
    python3 -m pip download --quiet --disable-pip-version-check --no-deps \
        --python-version 3.14 --only-binary=:all: --dest "$work/wheel" \
        "opa-golib-python-bindings==$version"
    python3 -m zipfile -e "$work"/wheel/*.whl "$opa"
    echo "$version" > "$opa/VERSION"
fi
cd "$root"
cargo build --locked --quiet
exec python3 tests/differential/run.py --goldenpath target/debug/goldenpath --opa "$opa" \
    --pack "$work/pack" "$@"

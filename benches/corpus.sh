#!/usr/bin/env bash
# Benchmark goldenpath on a generated monorepo, as ratios against a baseline measured in
# the same run (these machines are shared and noisy).
#
#   benches/corpus.sh [SERVICES] [RUNS]      # defaults: 1000 services, 5 runs
#
# Baseline: reading every discovered YAML/JSON/TOML file once with `cat`. Measured: the
# release binary with benches/policy/kubernetes.rego (20 conftest-style rules) at -j1 and
# at all cores, and the built-in golden-path pack (file and repository rules) at all cores. Prints the median wall time of each and its ratio to the baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-1000}
runs=${2:-5}
corpus=target/bench-corpus-$services
gencorpus=${GENCORPUS:-../shared/bench/gencorpus.py}

cargo build --release --locked --quiet
bin=target/release/goldenpath
if [[ ! -d $corpus ]]; then
  python3 "$gencorpus" "$corpus" --services "$services" --seed 1 >/dev/null
fi

# The files goldenpath parses (node_modules is git-ignored in the corpus).
list=$(mktemp)
trap 'rm -f "$list"' EXIT
# (A first run also warms the page cache for every measure.)
"$bin" check --no-fail --format json -p benches/policy "$corpus" >/dev/null
find "$corpus" -path '*/node_modules' -prune -o -path '*/.git' -prune -o -type f \
  \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.toml' \) -print >"$list"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_it() { # prints seconds; a command that fails (status 2 or more) stops the run
  local start end status=0
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || status=$?
  end=$(date +%s.%N)
  if ((status >= 2)); then
    echo "benchmark command failed with status $status: $*" >&2
    exit 1
  fi
  echo "$end - $start" | bc -l
}

declare -A samples
for ((r = 1; r <= runs; r++)); do
  samples[cat]+="$(time_it xargs -a "$list" cat) "
  samples[j1]+="$(time_it "$bin" check --no-fail -j1 -p benches/policy "$corpus") "
  samples[jn]+="$(time_it "$bin" check --no-fail -p benches/policy "$corpus") "
  samples[pack]+="$(time_it "$bin" check --no-fail "$corpus") "
done

base=$(tr ' ' '\n' <<<"${samples[cat]}" | grep . | median)
files=$(wc -l <"$list")
summary=$("$bin" check --no-fail --format json -p benches/policy "$corpus" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print("%(files)d files, %(documents)d documents, %(errors)d errors, %(warnings)d warnings, %(parse_errors)d parse errors" % s)')
echo "corpus: $corpus ($files YAML/JSON/TOML files by find; goldenpath: $summary)"
printf '%-28s %10s %8s\n' "measure" "median s" "x cat"
for key in cat j1 jn pack; do
  m=$(tr ' ' '\n' <<<"${samples[$key]}" | grep . | median)
  case $key in
    cat) name="cat every file" ;;
    j1) name="goldenpath check -j1" ;;
    jn) name="goldenpath check -j$(nproc)" ;;
    pack) name="built-in pack -j$(nproc)" ;;
  esac
  printf '%-28s %10.3f %8.1f\n' "$name" "$m" "$(echo "$m / $base" | bc -l)"
done

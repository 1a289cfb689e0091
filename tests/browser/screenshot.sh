#!/usr/bin/env bash
# Regenerates tests/browser/dashboard.png, the README's screenshot of the dashboard for the
# bundled demo repositories (fixtures/scorecard/{none,bronze,gold} and fixtures/golden-demo):
#
#   bash tests/browser/screenshot.sh
#
# Needs Chromium (Debian: `apt-get install chromium`); the page is also kept as
# target/dashboard/demo.html.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mkdir -p target/dashboard
cargo build --locked --quiet
# Each demo directory is a repository of its own, as the tests check them: git's ceiling
# at fixtures/ keeps goldenpath from finding this checkout's .git and goldenpath.toml.
# Exit status 1: the demo has errors, as the page says.
(cd fixtures && GIT_CEILING_DIRECTORIES="$root/fixtures" "$root/target/debug/goldenpath" \
  check --format json --report "html=$root/target/dashboard/demo.html" \
  golden-demo scorecard/none scorecard/bronze scorecard/gold >/dev/null) || [[ $? == 1 ]]
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [[ -z $chromium ]]; then
  echo "no Chromium: install Debian's chromium package" >&2
  exit 1
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless=new --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
  --user-data-dir="$profile" --window-size=1280,1400 \
  --screenshot="$root/tests/browser/dashboard.png" \
  "file://$root/target/dashboard/demo.html" 2>/dev/null
echo "wrote tests/browser/dashboard.png"

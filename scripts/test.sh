#!/usr/bin/env bash
# Runs every test: unit, integration (engine, data, CMS reproduction, UI through AccessKit) and
# the real window under Xvfb; ends with one line totalling them.
set -uo pipefail
cd "$(dirname "$0")/.."
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
log="$(mktemp)"
if command -v xvfb-run >/dev/null 2>&1; then
  xvfb-run -a -s "-screen 0 1600x1000x24" cargo test --all-targets "$@" 2>&1 | tee "$log"
else
  cargo test --all-targets "$@" 2>&1 | tee "$log"
fi
status=${PIPESTATUS[0]}
passed=$(grep -oE '[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
failed=$(grep -oE '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit "$status"

#!/usr/bin/env bash
# Runs every test: unit, integration (engine, data, CMS reproduction, UI through AccessKit) and a
# smoke test of the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
if command -v xvfb-run >/dev/null 2>&1; then
  xvfb-run -a -s "-screen 0 1600x1000x24" cargo test "$@"
else
  cargo test "$@"
fi

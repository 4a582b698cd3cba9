#!/usr/bin/env bash
# Runs the real window under Xvfb, visits every step (plus the providers table, a "why" view,
# step 6 in the dark theme, presenter mode, the start panel, the analyses, the decision log and
# two scenarios compared A against B), saves a PNG of each into docs/screenshots/, and quits.
#
#   scripts/screenshots.sh               # all pictures
#   SHOTS=5,6,why scripts/screenshots.sh # some of them
#   scripts/screenshots.sh projector     # 1280×720 at 150% into docs/screenshots/projector/,
#                                        # with the live simulation's tab and the collapsed sidebar
#   SIZE=1280x720 SCALE=2 OUT=/tmp/s scripts/screenshots.sh   # any size and UI scale
#
# Needs: xvfb (xvfb-run), xauth, mesa-vulkan-drivers and libvulkan1 (software rendering).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = projector ]; then
    out="${OUT:-docs/screenshots/projector}"
    shots="${SHOTS:-projector,presenter,compare,decisions,start}"
    size="${SIZE:-1280x720}"
    scale="${SCALE:-1.5}"
else
    out="${OUT:-docs/screenshots}"
    shots="${SHOTS:-all,presenter,compare,decisions,start}"
    size="${SIZE:-1600x1000}"
    scale="${SCALE:-1}"
fi

for tool in xvfb-run xauth; do
    command -v "$tool" >/dev/null || { echo "screenshots: $tool is not installed (apt-get install xvfb xauth)" >&2; exit 1; }
done

cargo build --bin p4p-designer
mkdir -p "$out"
# Preferences and recovery files go to a throwaway folder, never the user's own.
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT

P4P_DATA_DIR="$state" \
P4P_SCREENSHOT_DIR="$out" \
P4P_SCREENSHOT_STEPS="$shots" \
P4P_WINDOW_SIZE="$size" \
P4P_UI_SCALE="$scale" \
P4P_NO_NATIVE_DIALOGS=1 \
    timeout 300 xvfb-run -a -s "-screen 0 ${size}x24" "${CARGO_TARGET_DIR:-target}/debug/p4p-designer"

ls -l "$out"/*.png

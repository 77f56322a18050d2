#!/usr/bin/env bash
# Sets up, checks the formatting, builds and runs every test: the normal build
# (workbench included), then core, plugin and CLI again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/check-format.sh | tail -n 60
scripts/build.sh
QT_QPA_PLATFORM=offscreen ctest --test-dir build --output-on-failure -j2
scripts/test-sanitizers.sh

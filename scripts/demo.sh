#!/usr/bin/env bash
# Sets up, builds and opens the workbench on the bundled demo case.
# Without a display it prints the demo case's report instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec build/app/memscope --demo

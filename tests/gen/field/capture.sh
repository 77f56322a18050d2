#!/bin/bash
# Writes the Go 1.26 field captures into DIR (default: tests/data/field).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../data/field}
mkdir -p "$out"
cd "$here"
GOTOOLCHAIN=local GOEXPERIMENT=goroutineleakprofile go build -trimpath -o /tmp/memscope-field .
GODEBUG=tracebacklabels=1 /tmp/memscope-field "$out"

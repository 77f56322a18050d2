#!/usr/bin/env bash
# Configures and builds memscope into build/ (Release). The compiler's output
# goes to build/build.log and is shown when the build fails. A unity build
# (16 sources per compiler run) takes about half the CPU time of a first
# build (with test-sanitizers.sh, a clean `bash scripts/test.sh` went from 20
# to 13 minutes on 2 cores); for incremental work configure a build folder of
# your own without it.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
echo "building memscope (log: build/build.log)"
if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 && cmake --build build -j2; } >build/build.log 2>&1; then
  tail -40 build/build.log
  echo "build failed; the whole log is in build/build.log" >&2
  exit 1
fi

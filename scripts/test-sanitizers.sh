#!/usr/bin/env bash
# Builds core, the plugin, the CLI and their tests with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/, and runs the tests there.
# (The workbench test runs in the normal build.)
set -euo pipefail
cd "$(dirname "$0")/.."
flags="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=undefined,float-cast-overflow"
echo "building the sanitizer configuration (log: build-asan/build.log)"
mkdir -p build-asan
# -O1 -g1: the sanitizers' reports keep their file:line (-g1 has the line tables),
# and the build is lighter than RelWithDebInfo's -O2 -g; a unity build, as in
# build.sh.
if ! { cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMSCOPE_BUILD_GUI=OFF \
         -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
         -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
         -DMEMSCOPE_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS="$flags" \
         -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
         -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" \
         -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" &&
       cmake --build build-asan -j2; } >build-asan/build.log 2>&1; then
  tail -40 build-asan/build.log
  echo "sanitizer build failed; the whole log is in build-asan/build.log" >&2
  exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Building and running the Go test service again adds time, not coverage: the
# capture code it drives is the same the recorded-responses tests run here.
export MEMSCOPE_TEST_NO_GO=1
ctest --test-dir build-asan --output-on-failure -j2

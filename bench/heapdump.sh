#!/usr/bin/env bash
# Heap dump analysis at 0.5, 1 and 2 million objects (2M is ~700 MB raw):
# read + graph + dominators + retained sizes, throughput and peak memory, then
# a whole `memscope import` of the largest (which adds the case file writes).
#   bench/heapdump.sh [MAX_OBJECTS]
# Needs golang-go for the generator only.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-2000000}
dpkg-query -W -f='${Status}' golang-go 2>/dev/null | grep -q "install ok installed" ||
  { echo "bench: installing golang-go"; apt-get install -y -qq golang-go >/dev/null; }
[ -x build/bench/bench_heapdump ] || scripts/build.sh
work=$(realpath -m "${BENCH_DIR:-build/bench-data}")
mkdir -p "$work"
(cd bench/genheapdump && GO111MODULE=off go build -o "$work/genheapdump" .)
for n in $((max / 4)) $((max / 2)) "$max"; do
  dump="$work/heapdump-$n.bin"
  [ -f "$dump" ] || "$work/genheapdump" -objects "$n" -o "$dump"
  echo "=== $n objects: $dump ($(du -h "$dump" | cut -f1))"
  build/bench/bench_heapdump "$dump" 2 | sed -n '5,$p'
done
case="$work/heapdump.memscope"
rm -f "$case" "$case-wal" "$case-shm"
/usr/bin/time -f "memscope import (with case writes): %e s, peak RSS %M KB" \
  build/app/memscope import "$case" "$work/heapdump-$max.bin" >/dev/null

#!/usr/bin/env bash
# Heap dump analysis at 0.5, 1 and 2 million objects (2M is ~700 MB raw):
# read + graph + dominators + retained sizes, throughput and peak memory, then
# a whole `memscope import` of the largest (which adds the case file writes).
# Then every object sampled (runtime.MemProfileRate = 1) at MAX/2 objects in
# three shapes: one list with cross links, lists of 1000 nodes, and spines
# 100000 deep with branches; and a whole import of the deepest. Last, two
# dumps of one process of MAX objects each, a quarter replaced between them:
# each import, then `memscope diff` of the pair, which should take no longer
# than the two imports.
#   bench/heapdump.sh [MAX_OBJECTS] [all|rate1|diff]
# Needs Go for the generator only (see common.sh).
source "$(dirname "$0")/common.sh"
max=${1:-2000000}
modes=${2:-all}
[ -x build/bench/bench_heapdump ] || scripts/build.sh
gobuild genheapdump genheapdump
import_case() { # DUMP: a whole import into a fresh case
  local case="$work/heapdump.memscope"
  rm -f "$case" "$case-wal" "$case-shm"
  /usr/bin/time -f "memscope import (with case writes): %e s, peak RSS %M KB" \
    $MS import "$case" "$1" >/dev/null
}
if [ "$modes" = all ]; then
  for n in $((max / 4)) $((max / 2)) "$max"; do
    dump="$work/heapdump-$n.bin"
    [ -f "$dump" ] || "$work/bin/genheapdump" -objects "$n" -o "$dump"
    echo "=== $n objects: $dump ($(du -h "$dump" | cut -f1))"
    build/bench/bench_heapdump "$dump" 2 | sed -n '5,$p'
  done
  import_case "$work/heapdump-$max.bin"
fi
half=$((max / 2))
if [ "$modes" != diff ]; then
  for shape in list chains tree; do
    dump="$work/heapdump-rate1-$shape-$half.bin"
    [ -f "$dump" ] || "$work/bin/genheapdump" -rate1 -shape "$shape" -objects "$half" -o "$dump"
    echo "=== MemProfileRate=1, $shape, $half objects: $dump ($(du -h "$dump" | cut -f1))"
    build/bench/bench_heapdump "$dump" 2 | sed -n '5,$p'
  done
  import_case "$work/heapdump-rate1-tree-$half.bin"
fi
if [ "$modes" != rate1 ]; then
  a="$work/heapdump-churn-chains-$max-a.bin"
  b="$work/heapdump-churn-chains-$max-b.bin"
  [ -f "$b" ] || "$work/bin/genheapdump" -shape chains -objects "$max" -o "$a" -churn "$b"
  echo "=== heap diff, two dumps of one process: $a ($(du -h "$a" | cut -f1)), $b ($(du -h "$b" | cut -f1))"
  case="$work/heapdiff.memscope"
  rm -f "$case" "$case-wal" "$case-shm"
  for d in "$a" "$b"; do
    /usr/bin/time -f "memscope import $(basename "$d"): %e s, peak RSS %M KB" \
      $MS import "$case" "$d" >/dev/null
  done
  ids=$($MS info "$case" --json | sed -n '/"snapshots"/,$p' | awk '/"id":/ {gsub(/[^0-9]/, "", $2); print $2}')
  ida=$(echo "$ids" | sed -n 1p)
  idb=$(echo "$ids" | sed -n 2p)
  /usr/bin/time -f "memscope diff $ida $idb (two graphs loaded, matched, both dominator trees walked): %e s, peak RSS %M KB" \
    $MS diff "$case" "$ida" "$idb" -n 5 >"$work/heapdiff.txt"
  sed -n '/^objects /,/^$/p' "$work/heapdiff.txt"
fi

#!/usr/bin/env bash
# Imports large goroutine dumps with memscope and groups the same files with
# panicparse -aggressive, back to back: medians, MB/s and peak memory.
#   bench/goroutines.sh [GOROUTINES]     (default 70000, ~60 MB)
# Inputs: the generator's dump; the same cut at the runtime's 64 MiB cap; and
# one with deep stacks (50-100 frames) in many distinct groups.
# Needs Go (the generator, and panicparse from the module proxy).
source "$(dirname "$0")/common.sh"
n=${1:-70000}
gobuild gendump gendump
goinstall github.com/maruel/panicparse/v2@v2.5.0 panicparse
runs=${RUNS:-7}
bench() { # DUMP
  local dump=$1 bytes
  bytes=$(stat -c %s "$dump")
  echo "--- input: $dump ($((bytes / 1000000)) MB, $(grep -c '^goroutine ' "$dump") goroutines)"
  alternate "$runs" memscope "rm -f '$work/bench.memscope'*; $MS import '$work/bench.memscope' '$dump'" \
    panicparse "'$work/bin/panicparse' -aggressive -no-color '$dump'"
  rm -f "$work/bench.memscope"*
  $MS import "$work/bench.memscope" "$dump" >/dev/null
  $MS goroutines "$work/bench.memscope" -n 0 >"$work/groups.txt"
  sed -n 1p "$work/groups.txt"
  ratio memscope panicparse "$bytes"
}
dump="$work/goroutines-$n.txt"
[ -f "$dump" ] || "$work/bin/gendump" -n "$n" -o "$dump"
bench "$dump"
cut="$work/goroutines-cut.txt"
[ -f "$cut" ] || "$work/bin/gendump" -n 80000 -o "$cut"
bench "$cut"
deep="$work/goroutines-deep.txt"
[ -f "$deep" ] || "$work/bin/gendump" -n 10000 -deep -o "$deep"
bench "$deep"

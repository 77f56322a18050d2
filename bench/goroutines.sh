#!/usr/bin/env bash
# Imports a large goroutine dump with memscope and groups the same file with
# panicparse -aggressive: wall time, MB/s and peak memory of each.
#   bench/goroutines.sh [GOROUTINES]     (default 70000, ~60 MB)
# Needs golang-go (the generator) and panicparse (the comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-70000}
for p in golang-go panicparse time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "bench: installing $p"; apt-get install -y -qq "$p" >/dev/null; }
done
[ -x build/app/memscope ] || scripts/build.sh
work=$(realpath -m "${BENCH_DIR:-build/bench-data}")
mkdir -p "$work"
(cd bench/gendump && GO111MODULE=off go build -o "$work/gendump" .)
dump="$work/goroutines-$n.txt"
[ -f "$dump" ] || "$work/gendump" -n "$n" -o "$dump"
mb=$(du -m "$dump" | cut -f1)
echo "input: $dump (${mb} MB, $(grep -c '^goroutine ' "$dump") goroutines)"
# Wall times vary from run to run on a shared machine: several runs of each,
# and the medians compared.
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
runs=${RUNS:-9}
: >"$work/memscope.times"
for i in $(seq "$runs"); do
  rm -f "$work/bench.memscope"*
  /usr/bin/time -o "$work/time.txt" -f "%e %M" build/app/memscope import "$work/bench.memscope" "$dump" >/dev/null
  read -r secs kb <"$work/time.txt"
  echo "memscope import:         $secs s, peak $kb KB"
  echo "$secs $kb" >>"$work/memscope.times"
done
build/app/memscope goroutines "$work/bench.memscope" -n 0 >"$work/groups.txt"
head -1 "$work/groups.txt"
: >"$work/panicparse.times"
for i in $(seq "${PP_RUNS:-3}"); do
  /usr/bin/time -o "$work/time.txt" -f "%e %M" panicparse -aggressive -no-color "$dump" >/dev/null 2>"$work/pp.err" || true
  read -r secs kb <"$work/time.txt"
  echo "panicparse -aggressive:  $secs s, peak $kb KB"
  echo "$secs $kb" >>"$work/panicparse.times"
done
ms=$(cut -d' ' -f1 "$work/memscope.times" | median)
mk=$(cut -d' ' -f2 "$work/memscope.times" | median)
pp=$(cut -d' ' -f1 "$work/panicparse.times" | median)
bytes=$(stat -c %s "$dump")
awk -v ms="$ms" -v mk="$mk" -v pp="$pp" -v b="$bytes" 'BEGIN {
  printf "median: memscope %.3f s (%.0f MB/s, peak %.2fx the file), panicparse %.2f s: %.1fx faster\n",
    ms, b / 1e6 / ms, mk * 1024 / b, pp, pp / ms }'

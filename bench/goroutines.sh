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
for i in 1 2 3; do
  rm -f "$work/bench.memscope"*
  /usr/bin/time -f "memscope import:         %e s, peak %M KB" build/app/memscope import "$work/bench.memscope" "$dump" >/dev/null
done
build/app/memscope goroutines "$work/bench.memscope" -n 0 >"$work/groups.txt"
head -1 "$work/groups.txt"
for i in 1 2; do
  /usr/bin/time -f "panicparse -aggressive: %e s, peak %M KB" panicparse -aggressive -no-color "$dump" >/dev/null 2>"$work/pp.err" || true
  tail -1 "$work/pp.err"
done

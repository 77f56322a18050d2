#!/usr/bin/env bash
# `memscope diff` against `go tool pprof -top -diff_base` on two generated
# 200k-sample heap profiles (~8-10 MB each).
#   bench/diff.sh [SAMPLES]
# Needs golang-go and golang-github-google-pprof-dev (generator and comparison only).
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-200000}
for p in golang-go golang-github-google-pprof-dev time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "bench: installing $p"; apt-get install -y -qq "$p" >/dev/null; }
done
[ -x build/app/memscope ] || scripts/build.sh
work=$(realpath -m "${BENCH_DIR:-build/bench-data}")
mkdir -p "$work"
(cd bench/genprofile && GOPATH=/usr/share/gocode GO111MODULE=off go build -o "$work/genprofile" .)
base="$work/heap-$samples.pb.gz"
new="$work/heap-$samples-seed2.pb.gz"
[ -f "$base" ] || "$work/genprofile" -samples "$samples" -o "$base"
[ -f "$new" ] || "$work/genprofile" -samples "$samples" -seed 2 -o "$new"
echo "inputs: $base ($(du -h "$base" | cut -f1)), $new ($(du -h "$new" | cut -f1))"
for i in 1 2 3; do
  /usr/bin/time -f "memscope diff:               %e s, peak %M KB" build/app/memscope diff "$base" "$new" -n 10 >/dev/null
done
/usr/bin/time -o "$work/pprof-diff.time" -f "go tool pprof -top -diff_base: %e s, peak %M KB" \
  go tool pprof -top -diff_base "$base" "$new" >/dev/null 2>&1
cat "$work/pprof-diff.time"

#!/usr/bin/env bash
# Benchmarks `memscope top` against `go tool pprof -top` on a large generated
# heap profile, back to back; and `top` on the same profile read from a case.
#   bench/run.sh [SAMPLES]     (default 200000 samples, ~10 MB gzip'd)
# Needs Go (the generator, and go tool pprof for the comparison only).
source "$(dirname "$0")/common.sh"
samples=${1:-200000}
gobuild genprofile genprofile
go tool pprof -h >/dev/null 2>&1 || true # go tool builds pprof on first use: not timed
prof="$work/heap-$samples.pb.gz"
[ -f "$prof" ] || "$work/bin/genprofile" -samples "$samples" -o "$prof"
echo "input: $prof ($(du -h "$prof" | cut -f1), $samples samples)"
echo "--- phases (in process)"
"$(dirname "$MS")/../bench/bench_top" "$prof" 3 # beside the memscope timed
runs=${RUNS:-5}
echo "--- whole process, back to back"
alternate "$runs" memscope-top "$MS top '$prof' -n 10" pprof-top "go tool pprof -top '$prof'"
ratio memscope-top pprof-top "$(stat -c %s "$prof")"
echo "--- top on the profile read back from a case"
rm -f "$work/top.memscope"*
$MS import "$work/top.memscope" "$prof" >/dev/null
alternate "$runs" memscope-top-case "$MS top '$work/top.memscope' -n 10" \
  memscope-top-file "$MS top '$prof' -n 10"
ratio memscope-top-case memscope-top-file "$(stat -c %s "$prof")"

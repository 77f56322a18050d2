#!/usr/bin/env bash
# `memscope diff` against `go tool pprof -top -diff_base` on two generated
# 200k-sample heap profiles (~8-10 MB each), back to back.
#   bench/diff.sh [SAMPLES]
# Needs Go (the generator, and go tool pprof for the comparison only).
source "$(dirname "$0")/common.sh"
samples=${1:-200000}
gobuild genprofile genprofile
go tool pprof -h >/dev/null 2>&1 || true # go tool builds pprof on first use: not timed
base="$work/heap-$samples.pb.gz"
new="$work/heap-$samples-seed2.pb.gz"
[ -f "$base" ] || "$work/bin/genprofile" -samples "$samples" -o "$base"
[ -f "$new" ] || "$work/bin/genprofile" -samples "$samples" -seed 2 -o "$new"
echo "inputs: $base ($(du -h "$base" | cut -f1)), $new ($(du -h "$new" | cut -f1))"
alternate "${RUNS:-5}" memscope-diff "$MS diff '$base' '$new' -n 10" \
  pprof-diff "go tool pprof -top -diff_base '$base' '$new'"
ratio memscope-diff pprof-diff "$(( $(stat -c %s "$base") + $(stat -c %s "$new") ))"

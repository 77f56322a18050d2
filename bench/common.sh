#!/usr/bin/env bash
# Shared by the bench scripts. Sourced, not run.
# - Go is the machine's own (GOTOOLCHAIN=local), never Debian's golang-go: the
#   generators build from their go.mod, and the anchors (panicparse) come from
#   the Go module proxy into the bench folder. memscope itself never uses Go.
# - Timing runs each anchor and memscope back to back, alternating, so both
#   see the same machine; the medians are compared. Run on an idle machine:
#   the load average is printed first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
command -v go >/dev/null || { echo "bench: needs Go (the generators and the anchors are Go programs)" >&2; exit 2; }
dpkg-query -W -f='${Status}' time 2>/dev/null | grep -q "install ok installed" ||
  { echo "bench: installing time"; apt-get install -y -qq time >/dev/null; }
# MEMSCOPE_BIN=PATH times another memscope (an older build, to compare).
MS=$(realpath -m "${MEMSCOPE_BIN:-build/app/memscope}")
[ -x "$MS" ] || scripts/build.sh
work=$(realpath -m "${BENCH_DIR:-build/bench-data}")
mkdir -p "$work/bin"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) ($(go version | cut -d' ' -f3))"

# gobuild DIR NAME: builds a generator of bench/ into $work/bin/NAME.
gobuild() { (cd "bench/$1" && go build -o "$work/bin/$2" .); }

# goinstall MODULE@VERSION NAME: an anchor from the module proxy into $work/bin.
goinstall() { [ -x "$work/bin/$2" ] || GOBIN="$work/bin" go install "$1"; }

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# alternate RUNS NAME_A "CMD_A" NAME_B "CMD_B": runs A then B, RUNS times,
# printing each run; leaves "secs kb" lines in $work/NAME.times.
alternate() {
  local runs=$1 na=$2 ca=$3 nb=$4 cb=$5 i secs kb
  : >"$work/$na.times"
  : >"$work/$nb.times"
  for i in $(seq "$runs"); do
    for pair in "$na|$ca" "$nb|$cb"; do
      local name=${pair%%|*} cmd=${pair#*|}
      /usr/bin/time -o "$work/time.txt" -f "%e %M" bash -c "$cmd" >/dev/null 2>&1 || true
      read -r secs kb < <(tail -n 1 "$work/time.txt") # the last line: time says "Command exited ..." first
      printf "%-28s %6s s, peak %s KB\n" "$name:" "$secs" "$kb"
      echo "$secs $kb" >>"$work/$name.times"
    done
  done
}

# ratio NAME_FAST NAME_SLOW BYTES: the medians, MB/s and peak of the first,
# and how many times faster it is.
ratio() {
  local ms mk an
  ms=$(cut -d' ' -f1 "$work/$1.times" | median)
  mk=$(cut -d' ' -f2 "$work/$1.times" | median)
  an=$(cut -d' ' -f1 "$work/$2.times" | median)
  awk -v ms="$ms" -v mk="$mk" -v an="$an" -v b="$3" -v f="$1" -v s="$2" 'BEGIN {
    printf "median: %s %.3f s (%.0f MB/s, peak %.2fx the input), %s %.2f s: %.1fx faster\n",
      f, ms, b / 1e6 / (ms > 0 ? ms : 0.001), mk * 1024 / b, s, an, an / (ms > 0 ? ms : 0.001) }'
}

#!/usr/bin/env bash
# Benchmarks memscope against go tool pprof on a large generated heap profile.
#   bench/run.sh [SAMPLES]     (default 200000 samples, ~10 MB gzip'd)
# Needs: golang-go and golang-github-google-pprof-dev (for the generator and
# the comparison only; memscope itself never uses Go).
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
prof="$work/heap-$samples.pb.gz"
[ -f "$prof" ] || "$work/genprofile" -samples "$samples" -o "$prof"
echo "input: $prof ($(du -h "$prof" | cut -f1), $samples samples)"
echo "--- phases (in process)"
build/bench/bench_top "$prof" 3
echo "--- whole process, 3 runs each"
for i in 1 2 3; do /usr/bin/time -f "memscope top:     %e s, peak %M KB" build/app/memscope top "$prof" -n 10 >/dev/null; done
for i in 1 2 3; do /usr/bin/time -f "go tool pprof -top: %e s, peak %M KB" go tool pprof -top "$prof" >/dev/null 2>&1; done 2>&1

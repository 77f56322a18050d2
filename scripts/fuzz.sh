#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset `fuzz`: clang, ASan+UBSan) and runs
# each for SECONDS (default 60), seeded from tests/data.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# FUZZ_PARALLEL=N runs N targets at a time (default 1); FUZZ_TIMEOUT=S is the
# seconds one input may take (default 10; raise it on a busy machine). Inputs are capped at
# FUZZ_MAX_LEN bytes (default 256 KiB), seeds too.
# Targets: pprof heap_text goroutines lsof gctrace json escape heapdump ss framing elf
# casefile. elf takes inputs up to FUZZ_MAX_LEN_ELF (default 2 MiB): a Go
# executable keeps its section headers at its end. casefile is a whole case
# file, seeded with a small case imported from tests/data (inputs up to 1 MiB).
# Findings land in build-fuzz/artifacts/TARGET/; each one found becomes a test.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
maxlen=${FUZZ_MAX_LEN:-262144}
parallel=${FUZZ_PARALLEL:-1}
shift || true
targets=${*:-pprof heap_text goroutines lsof gctrace json escape heapdump ss framing elf casefile}
for p in clang libclang-rt-14-dev zstd; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "fuzz: installing $p"; apt-get install -y -qq "$p" >/dev/null; }
done
cmake --preset fuzz >/dev/null
cmake --build build-fuzz -j2 $(for t in $targets; do echo --target fuzz_$t; done) >/dev/null
case " $targets " in *" casefile "*) cmake --build build-fuzz -j2 --target memscope >/dev/null ;; esac
seed() { # TARGET FILE...: decoded copies of the test inputs
  local dir="build-fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do
    [ -f "$f" ] || continue
    case "$f" in
      *.zst) zstd -dqc "$f" | head -c "$maxlen" > "$dir/$(basename "$f" .zst)" ;;
      *.gz) if [ "$1" = framing ]; then cp "$f" "$dir/"; else gzip -dc "$f" 2>/dev/null | head -c "$maxlen" > "$dir/$(basename "$f" .gz)" || true; fi ;;
      *) head -c "$maxlen" "$f" > "$dir/$(basename "$f")" ;;
    esac
  done
}
d=tests/data
seed pprof $d/pprof/*.pb $d/pprof/*.pb.gz $d/field/goroutineleak_debug0_go126.txt resources/demo/heap-0*.pb.gz
seed heap_text $d/heaptext/* $d/field/threadcreate_* $d/field/minimal/count_*
seed goroutines $d/goroutines/* $d/services/goroutine/goroutine-001* $d/field/goroutine*.txt \
  $d/field/minimal/goroutine*
seed lsof $d/lsof/*
seed gctrace $d/gctrace/* resources/demo/gctrace.log
seed json $d/metrics/* $d/field/minimal/*.json resources/demo/vars-012-20261126T165941Z.json
seed escape $d/escape/* resources/demo/build-gcflags-m.txt
seed heapdump $d/heapdump/heapdump_tiny_go119.bin
seed ss $d/ss/*
# elf: a tiny C executable, and a small Go one built here when Go is installed.
seed elf $d/elf/tiny.elf
if command -v go >/dev/null && [ ! -f build-fuzz/corpus/elf/heapgraph ]; then
  (cd tests/gen/heapgraph && GOTOOLCHAIN=local go build -trimpath -ldflags=-w \
      -o ../../../build-fuzz/corpus/elf/heapgraph .) || echo "fuzz: no Go seed for elf"
fi
case " $targets " in *" casefile "*) # a small real case: one file of each kind the case reads back
  tmp=$(mktemp -d)
  ASAN_OPTIONS=detect_leaks=0 build-fuzz/app/memscope import "$tmp/seed.memscope" \
    resources/demo/heap-001-20261126T165901Z.pb.gz $d/goroutines/goroutine_debug2_go119.txt \
    $d/heapdump/heapdump_tiny_go119.bin $d/lsof/lsof_p_go119.txt resources/demo/gctrace.log \
    $d/metrics/metrics-012-20261126T165941Z.json >/dev/null
  mkdir -p build-fuzz/corpus/casefile && cp "$tmp/seed.memscope" build-fuzz/corpus/casefile/seed.memscope
  rm -rf "$tmp" ;;
esac
mkdir -p build-fuzz/corpus/framing && cp $d/pprof/*.gz $d/services/churn/*.zst build-fuzz/corpus/framing/ 2>/dev/null || true
run() { # TARGET: one run; prints one summary line, returns non-zero on a finding
  local t=$1 log="build-fuzz/fuzz_$1.log" start end rc=0 len=$maxlen
  [ "$t" = elf ] && len=${FUZZ_MAX_LEN_ELF:-2097152}
  [ "$t" = casefile ] && [ "$len" -lt 1048576 ] && len=1048576
  mkdir -p "build-fuzz/artifacts/$t"
  start=$(date +%s)
  build-fuzz/tests/fuzz/fuzz_$t "build-fuzz/corpus/$t" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" \
      -rss_limit_mb=2048 -max_len="$len" -artifact_prefix="build-fuzz/artifacts/$t/" \
      -print_final_stats=1 >"$log" 2>&1 || rc=$?
  end=$(date +%s)
  local runs
  runs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  if [ $rc -eq 0 ]; then
    echo "fuzz_$t: $runs runs in $((end - start)) s, no findings"
  else
    echo "fuzz_$t: FOUND a problem after $runs runs; see $log and build-fuzz/artifacts/$t/"
  fi
  return $rc
}
status=0
pids=()
for t in $targets; do
  run "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$parallel" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status

#!/usr/bin/env bash
# Prints what `top`, `diff`, `goroutines`, `retention`, `report --format json`
# and `findings --json` say on the demo case and on the given capture folders,
# into OUT_DIR, so two builds can be compared byte for byte:
#   scripts/compare-outputs.sh MEMSCOPE OUT_DIR [FOLDER...]
#   diff -r before/ after/
# Times that depend on when the case was built (the report's "generated" line)
# are left out; everything else must match.
set -euo pipefail
ms=$(realpath "$1"); out=$2; shift 2
mkdir -p "$out"; out=$(realpath "$out")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() { # NAME CMD...: stdout and exit status of one command
  local name=$1; shift
  { "$@" 2>&1; echo "exit $?"; } | sed "s#$work#WORK#g" | grep -v -E '"generated(_at)?"|^Generated ' > "$out/$name" || true
}
cases=()
set -- "$(dirname "$0")/../resources/demo" "$@"
for f in "$@"; do
  n=$(basename "$(realpath "$f")")
  "$ms" import "$work/$n.memscope" "$f" >/dev/null 2>&1 || true
  cases+=("$n:$work/$n.memscope")
done
for c in "${cases[@]}"; do
  n=${c%%:*}; p=${c#*:}
  run "$n.info" "$ms" info "$p" --json
  run "$n.top" "$ms" top "$p" -n 40
  run "$n.top-json" "$ms" top "$p" -n 40 --json
  run "$n.goroutines" "$ms" goroutines "$p" -n 40
  run "$n.findings" "$ms" findings "$p" --json
  run "$n.report" "$ms" report "$p" --format json
  run "$n.retention" "$ms" retention "$p" -n 40
  run "$n.annotations" "$ms" annotations "$p" --json
  # diff the first and last snapshot of each kind that has two or more
  "$ms" info "$p" --json 2>/dev/null | python3 -c '
import json,sys
d=json.load(sys.stdin)
by={}
for s in d.get("snapshots",[]):
    by.setdefault(s.get("kind"),[]).append(s.get("id"))
for k,ids in sorted(by.items()):
    if len(ids)>=2: print(k, ids[0], ids[-1])
' 2>/dev/null | while read -r kind a b; do
    run "$n.diff-$kind" "$ms" diff "$p" "$a" "$b" -n 40
    run "$n.diff-$kind-json" "$ms" diff "$p" "$a" "$b" -n 40 --json
  done
done
echo "compare-outputs: $(ls "$out" | wc -l) outputs in $out"

#!/usr/bin/env bash
# Regenerates tests/data/golden/*.top from `go tool pprof` (needs Go; tests do not).
# Format: "total N", then "flat cum inline-label function" per function.
set -euo pipefail
cd "$(dirname "$0")/../tests/data"
demo=../../resources/demo

# The rows of `go tool pprof -top` on stdin, one per function: for a golden
# ($1 = golden) "total N" first, then "flat cum inline-label function"; for a
# diff ($1 = diff) "flat cum function".
top_rows() {
  python3 -c '
import sys
diff = sys.argv[1] == "diff"
total = None
rows = []
started = False
for l in sys.stdin.read().split("\n"):
    if l.startswith("Showing nodes accounting for"):
        total = l.split(" of ")[1].split(" total")[0]
    if l.strip().startswith("flat  flat%"):
        started = True
        continue
    if started and l.strip():
        f = l.split()
        name = " ".join(f[5:])
        label = "-"
        for tag in ("(inline)", "(partial-inline)"):
            if name.endswith(" " + tag):
                name = name[: -len(tag) - 1]
                label = tag.strip("()")
        rows.append([f[0].rstrip("B"), f[3].rstrip("B")] + ([] if diff else [label]) + [name])
if diff:
    for r in rows:
        print(" ".join(r))
else:
    print("total", (total or "0").rstrip("B"))
    print("\n".join(" ".join(r) for r in rows))
' "$1"
}

# A file listed first in golden/same-as.txt has the golden of the file it names;
# it is checked to agree and no golden of its own is written.
declare -A sameas
while read -r a b; do [ -n "$a" ] && [ "${a:0:1}" != "#" ] && sameas[$a]=$b; done < golden/same-as.txt
for f in pprof/*.pb.gz pprof/*.pb; do
  base=$(basename "$f")
  if [ -n "${sameas[$base]:-}" ]; then
    for t in inuse_space alloc_space; do
      cmp -s <(go tool pprof -top -sample_index=$t "$f" 2>/dev/null | tail -n +4) \
             <(go tool pprof -top -sample_index=$t "pprof/${sameas[$base]}" 2>/dev/null | tail -n +4) ||
        echo "make-goldens: $base no longer prints what ${sameas[$base]} prints ($t)" >&2
    done
    continue
  fi
  types=$(go tool pprof -raw "$f" 2>/dev/null | awk '/^Samples:/{getline; print; exit}' | tr ' ' '\n' | sed 's|/.*||' | grep -v '^$')
  for t in $types; do
    out="golden/$base.$t.top"
    go tool pprof -top -nodecount=1000000 -nodefraction=0 -edgefraction=0 -unit=B -sample_index="$t" "$f" 2>/dev/null |
      top_rows golden > "$out"
  done
done
ls golden | wc -l

# Legacy heap text: the scaled values pprof reads for each record, in file order.
for f in heaptext/*.txt; do
  go tool pprof -raw "$f" 2>/dev/null |
    awk '/^Samples:/{getline; on=1; next} /^Locations/{on=0} on && /^ *-?[0-9]+ +-?[0-9]+ +-?[0-9]+ +-?[0-9]+:/{sub(/:.*/,""); $1=$1; print}' > "golden/$(basename "$f").raw"
done

# Diffs: `go tool pprof -top -diff_base` per function, "flat cum function".
for t in inuse_space alloc_objects; do
  go tool pprof -top -nodecount=1000000 -nodefraction=0 -edgefraction=0 -unit=B -sample_index="$t" \
    -diff_base $demo/heap-001-20261126T165901Z.pb.gz $demo/heap-012-20261126T165941Z.pb.gz 2>/dev/null |
    top_rows diff > "golden/diff-001-012.$t.diff"
done

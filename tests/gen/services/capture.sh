#!/usr/bin/env bash
# Regenerates tests/data/services/<mode>/ from main.go: each mode runs the
# service for a few capture rounds; the escape notes of the build, the same for
# every mode, go to tests/data/services/build-gcflags-m.txt.zst once. Needs Go,
# lsof and zstd (the tests need none of them). Give modes as arguments to redo only those.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../../data/services"
work=$(mktemp -d)
cd "$here"
go build -trimpath -o "$work/services" . 
go build -trimpath -gcflags=-m -o "$work/services-m" . 2> "$work/build-gcflags-m.txt" || true
zstd -q -19 -f "$work/build-gcflags-m.txt" -o "$data/build-gcflags-m.txt.zst"
for mode in ${*:-transport churn finalizer global goroutine healthy}; do
  rm -rf "${data:?}/$mode" "$work/$mode"
  env -i PATH=/usr/bin:/bin "$work/services" -mode "$mode" -out "$work/$mode"
  mkdir -p "$data/$mode"
  for f in "$work/$mode"/*; do
    case "$f" in
      *.pb.gz) cp "$f" "$data/$mode/" ;;
      *) zstd -q -19 --long=27 "$f" -o "$data/$mode/$(basename "$f").zst" ;;
    esac
  done
  echo "$mode: $(du -sh "$data/$mode" | cut -f1)"
done
rm -rf "$work"

#!/usr/bin/env bash
# archive-memory.sh — peak memory of verifying an archive against a manifest of 10k, 100k and
# 1M entries (issue 11's memory model: the manifest is indexed in a temporary file, 20 bytes
# of memory an entry, and nothing holds all chunk digests at once). Each tree has N files of a
# few bytes in 1,000 directories; the archive is a plain pax tar of it. Needs ~2 GB of disk
# and about five minutes. usage: SNAPCHECK=.build/release/snapcheck Benchmarks/archive-memory.sh
set -euo pipefail
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}/archive-memory
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
mkdir -p "$ROOT"
printf 'entries\tmanifest_bytes\tverify_s\tpeak_rss_mib\tverdict\n'
for n in 10000 100000 1000000; do
    tree=$ROOT/tree-$n
    if [ ! -d "$tree" ]; then
        python3 - "$tree.partial" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in range(1000):
    os.makedirs(f"{root}/{d:03d}", exist_ok=True)
for i in range(n):
    with open(f"{root}/{i % 1000:03d}/{i:07d}", "w") as f:
        f.write(f"{i}\n")
PY
        mv "$tree.partial" "$tree"
    fi
    [ -s "$tree.manifest" ] || "$SNAPCHECK" manifest "$tree" -o "$tree.manifest" -q > /dev/null
    [ -s "$tree.tar" ] || tar --format=pax -C "$tree" -cf "$tree.tar" .
    /usr/bin/time -f "%e %M" -o "$ROOT/time.txt" "$SNAPCHECK" verify "$tree.manifest" "$tree.tar" > "$ROOT/report.txt" || true
    read -r seconds rss < "$ROOT/time.txt"
    printf '%s\t%s\t%s\t%.1f\t%s\n' "$n" "$(stat -c %s "$tree.manifest")" "$seconds" "$(echo "$rss / 1024" | bc -l)" "$(head -c 40 "$ROOT/report.txt" | head -1)"
done

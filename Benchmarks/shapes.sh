#!/usr/bin/env bash
# shapes.sh — trees of unusual shape, for peak memory and descriptors (issue 15): a directory
# of 1,000,000 empty files, a chain of 12,000 nested directories walked under `ulimit -n 256`,
# and one file of 1.25 GB cut into about 1,000,000 chunks (min 256, avg 1K, max 8K). Prints wall
# time and peak RSS of `manifest` and `verify` for each (and of `show`, `diff` and `spot-check`
# for the file of many chunks, `diff` also against a copy with 7 bytes changed), and their exit
# status; and
# `show` of a manifest of 3,000,000 files (harness/synthetic-manifest.py: no tree behind it).
# The trees are made once under $SNAPBENCH_DIR/shapes (about 1M inodes, 2.5 GB, and a manifest
# of 370 MB).
# usage: SNAPCHECK=.build/release/snapcheck Benchmarks/shapes.sh
set -uo pipefail
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}/shapes
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
mkdir -p "$ROOT"
if [ ! -d "$ROOT/flat-1m" ]; then
    mkdir "$ROOT/flat-1m.tmp"
    python3 -c "
import os
for i in range(1000000):
    os.close(os.open(f'$ROOT/flat-1m.tmp/file-{i:07d}.txt', os.O_WRONLY | os.O_CREAT, 0o644))
" && mv "$ROOT/flat-1m.tmp" "$ROOT/flat-1m"
fi
if [ ! -d "$ROOT/deep-12000" ]; then
    # Level by level through directory descriptors (a shell's cd slows down with the depth).
    python3 -c "
import os
root = '$ROOT/deep-12000.tmp'
os.mkdir(root)
fd = os.open(root, os.O_RDONLY)
for _ in range(12000):
    os.mkdir('d', dir_fd=fd)
    deeper = os.open('d', os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = deeper
leaf = os.open('leaf', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
os.write(leaf, b'bottom\\n')
os.close(leaf)
os.rename(root, '$ROOT/deep-12000')
"
fi
BIG=1250000000  # bytes: about 1,000,000 chunks of random data (an earlier version had 1 GiB)
if [ "$(stat -c %s "$ROOT/chunks-1m/big.bin" 2>/dev/null)" != "$BIG" ]; then
    rm -rf "$ROOT/chunks-1m" "$ROOT/chunks-1m-mod" "$ROOT/chunks-1m.tmp"
    mkdir -p "$ROOT/chunks-1m.tmp" && head -c "$BIG" /dev/urandom > "$ROOT/chunks-1m.tmp/big.bin" \
        && mv "$ROOT/chunks-1m.tmp" "$ROOT/chunks-1m"
fi
if [ ! -d "$ROOT/chunks-1m-mod" ]; then  # the same file with 7 bytes changed in its middle
    mkdir -p "$ROOT/chunks-1m-mod.tmp" && cp "$ROOT/chunks-1m/big.bin" "$ROOT/chunks-1m-mod.tmp/big.bin" \
        && printf CHANGED | dd of="$ROOT/chunks-1m-mod.tmp/big.bin" bs=1 seek=500000000 conv=notrunc status=none \
        && mv "$ROOT/chunks-1m-mod.tmp" "$ROOT/chunks-1m-mod"
fi
[ -f "$ROOT/synthetic-3m.manifest" ] || python3 "$(dirname "$0")/harness/synthetic-manifest.py" 3000000 "$ROOT/synthetic-3m.manifest"
run() {  # NAME LIMIT COMMAND...
    local name=$1 limit=$2; shift 2
    bash -c "ulimit -n $limit; /usr/bin/time -f '%e %M %x' -o '$ROOT/time.txt' \"\$@\" > /dev/null 2>&1" _ "$@"
    read -r wall rss status < <(tail -1 "$ROOT/time.txt")
    printf "%-22s %7.2f s  peak RSS %5d MiB  exit %s\n" "$name" "$wall" "$((rss / 1024))" "$status"
}
run "flat-1m manifest" 1024 "$SNAPCHECK" manifest "$ROOT/flat-1m" -o "$ROOT/flat-1m.manifest" -q
run "flat-1m verify" 1024 "$SNAPCHECK" verify "$ROOT/flat-1m.manifest" "$ROOT/flat-1m"
run "deep-12000 manifest" 256 "$SNAPCHECK" manifest "$ROOT/deep-12000" -o "$ROOT/deep-12000.manifest" -q
run "deep-12000 verify" 256 "$SNAPCHECK" verify "$ROOT/deep-12000.manifest" "$ROOT/deep-12000"
run "chunks-1m manifest" 1024 "$SNAPCHECK" manifest "$ROOT/chunks-1m" --min 256 --avg 1024 --max 8192 -o "$ROOT/chunks-1m.manifest" -q
run "chunks-1m verify" 1024 "$SNAPCHECK" verify "$ROOT/chunks-1m.manifest" "$ROOT/chunks-1m"
run "chunks-1m spot-check" 1024 "$SNAPCHECK" spot-check "$ROOT/chunks-1m.manifest" "$ROOT/chunks-1m"
run "chunks-1m show" 1024 "$SNAPCHECK" show "$ROOT/chunks-1m.manifest"
run "chunks-1m diff" 1024 "$SNAPCHECK" diff "$ROOT/chunks-1m.manifest" "$ROOT/chunks-1m.manifest"
"$SNAPCHECK" manifest "$ROOT/chunks-1m-mod" --min 256 --avg 1024 --max 8192 -o "$ROOT/chunks-1m-mod.manifest" -q > /dev/null
run "chunks-1m diff 1 chunk" 1024 "$SNAPCHECK" diff "$ROOT/chunks-1m.manifest" "$ROOT/chunks-1m-mod.manifest"
run "3m files show" 1024 "$SNAPCHECK" show "$ROOT/synthetic-3m.manifest"
printf "chunks-1m: %d chunks\n" "$(grep -c '^+' "$ROOT/chunks-1m.manifest")"

#!/usr/bin/env bash
# archive.sh — verifying archives against their manifests (issue 11), timed beside what the
# same bytes cost without snapcheck, in interleaved rounds on a warm page cache:
#   large (4 x 1 GiB, incompressible) as a plain tar: snapcheck verify against the SHA-256
#     floor on 2 threads over the same bytes as files (floor/treeread -j2 -s), and against
#     snapcheck verify of the same files as a directory; a 1% spot-check of the tar;
#   mixed (a Swift toolchain, compressible) as tar.gz and tar.zst: snapcheck verify against
#     `gzip -dc > /dev/null`, `igzip -dc > /dev/null` (ISA-L's own tool, Debian's isal, when
#     installed), `gzip -dc | tar --compare`, and `zstd -dc > /dev/null`.
# Also peak RSS (/usr/bin/time) of each verify. Archives and manifests are made once in
# $SNAPBENCH_DIR/work (about 9 GB); corpora from harness/make-corpora.sh.
# usage: SNAPCHECK=.build/release/snapcheck Benchmarks/archive.sh      env: ROUNDS (default 3)
set -uo pipefail
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
W=$ROOT/work
ROUNDS=${ROUNDS:-3}
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
HERE=$(cd "$(dirname "$0")" && pwd)
make -s -C "$HERE/harness/floor" || exit 2
mkdir -p "$W"
for corpus in large mixed; do
    [ -d "$ROOT/$corpus" ] || { echo "no $ROOT/$corpus: run harness/make-corpora.sh $corpus" >&2; exit 2; }
    [ -s "$W/$corpus.manifest" ] || "$SNAPCHECK" manifest "$ROOT/$corpus" -o "$W/$corpus.manifest" -q > /dev/null
done
[ -s "$W/large.tar" ] || tar --format=pax -C "$ROOT/large" -cf "$W/large.tar" .
[ -s "$W/mixed.tar.gz" ] || tar --format=pax -C "$ROOT/mixed" -czf "$W/mixed.tar.gz" .
[ -s "$W/mixed.tar.zst" ] || tar --format=pax -C "$ROOT/mixed" -cf - . | zstd -q -o "$W/mixed.tar.zst"

# t NAME COMMAND: one timed run (after an untimed read of the input), "NAME wall_s rss_kb exit".
t() {
    local name=$1; shift
    cat "$W"/large.tar "$W"/mixed.tar.* "$ROOT"/large/* > /dev/null
    /usr/bin/time -f "%e %M %x" -o "$W/time.txt" bash -c "$*" > /dev/null 2>&1
    echo "$name $(cat "$W/time.txt" | tail -1)"
}
for round in $(seq "$ROUNDS"); do
    t floor-sha256-2T "$HERE/harness/floor/treeread -j2 -s '$ROOT/large'"
    t verify-large.tar "'$SNAPCHECK' verify '$W/large.manifest' '$W/large.tar'"
    t verify-large-dir "'$SNAPCHECK' verify '$W/large.manifest' '$ROOT/large'"
    t spot-check-large.tar "'$SNAPCHECK' spot-check '$W/large.manifest' '$W/large.tar' --sample 1% --seed 1"
    t gzip-dc "gzip -dc '$W/mixed.tar.gz'"
    command -v igzip > /dev/null && t igzip-dc "igzip -dc '$W/mixed.tar.gz'"
    t gzip-dc-tar-compare "gzip -dc '$W/mixed.tar.gz' | tar --compare -C '$ROOT/mixed' -f -"
    t verify-mixed.tar.gz "'$SNAPCHECK' verify '$W/mixed.manifest' '$W/mixed.tar.gz'"
    t zstd-dc "zstd -dc '$W/mixed.tar.zst'"
    t verify-mixed.tar.zst "'$SNAPCHECK' verify '$W/mixed.manifest' '$W/mixed.tar.zst'"
done | tee "$W/archive-times.txt"
# Medians, and the ratios the issue asks for (speed of snapcheck / speed of the reference).
python3 - "$W/archive-times.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, wall, rss, status = line.split()
    times.setdefault(name, []).append((float(wall), int(rss), int(status)))
med = {name: statistics.median(w for w, _, _ in runs) for name, runs in times.items()}
for name, runs in times.items():
    print(f"{name:24} median {med[name]:7.2f} s  peak RSS {max(r for _, r, _ in runs) / 1024:7.1f} MiB  exits {sorted({s for _, _, s in runs})}")
def ratio(a, b): return med[b] / med[a]
print(f"large.tar verify: {ratio('verify-large.tar', 'floor-sha256-2T'):.2f} x the SHA-256 floor (2 threads, same bytes as files), "
      f"{ratio('verify-large.tar', 'verify-large-dir'):.2f} x verify of the same files as a directory")
print(f"large.tar 1% spot-check: {ratio('spot-check-large.tar', 'verify-large.tar'):.1f} x faster than its full verify")
print(f"mixed.tar.gz verify: {ratio('verify-mixed.tar.gz', 'gzip-dc'):.2f} x the speed of gzip -dc, "
      f"{ratio('verify-mixed.tar.gz', 'gzip-dc-tar-compare'):.2f} x gzip -dc | tar --compare")
if 'igzip-dc' in med:
    print(f"mixed.tar.gz verify: {ratio('verify-mixed.tar.gz', 'igzip-dc'):.2f} x the speed of igzip -dc (ISA-L alone, one core)")
print(f"mixed.tar.zst verify: {ratio('verify-mixed.tar.zst', 'zstd-dc'):.2f} x the speed of zstd -dc")
PY

#!/usr/bin/env bash
# cold.sh — verify and manifest on a cold page cache (issue 15): the cache is dropped before
# every run (`echo 3 > /proc/sys/vm/drop_caches`: needs root), in one sitting, beside the read
# floors of ../harness/floor/treeread at several depths. Reports, for the small corpus
# (200,000 files): the best treeread -jN read floor (N = 2 ... 32), snapcheck verify with its
# default settings and with --threads N, and manifest with defaults and --threads 8; for the
# large corpus (4 x 1 GiB): the SHA-256 floor (treeread -j2 -s) against verify's default; then
# the warm figures of the same builds (cache not dropped), to show nothing changed there.
# With PREVIOUS set to another build, its default verify runs in the same sitting too.
# usage: sudo SNAPCHECK=.build/release/snapcheck Benchmarks/cold.sh    env: ROUNDS (default 1), PREVIOUS
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "cold.sh drops the page cache: run it as root" >&2; exit 2; }
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
W=$ROOT/work
ROUNDS=${ROUNDS:-1}
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$HERE/harness/floor/treeread
make -s -C "$HERE/harness/floor" || exit 2
for corpus in small large; do
    [ -d "$ROOT/$corpus" ] || { echo "no $ROOT/$corpus: run harness/make-corpora.sh $corpus" >&2; exit 2; }
    [ -s "$W/$corpus.manifest" ] || "$SNAPCHECK" manifest "$ROOT/$corpus" -o "$W/$corpus.manifest" -q > /dev/null
done
# t NAME cold|warm COMMAND: one timed run, "NAME wall_s".
t() {
    local name=$1 temperature=$2; shift 2
    cat "$W/small.manifest" "$W/large.manifest" > /dev/null
    if [ "$temperature" = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; cat "$W/small.manifest" "$W/large.manifest" > /dev/null; fi
    /usr/bin/time -f "%e" -o "$W/time.txt" bash -c "$*" > /dev/null 2>&1
    echo "$name $(tail -1 "$W/time.txt")"
}
for round in $(seq "$ROUNDS"); do
    for n in 2 4 8 16 32; do t "floor-read-j$n" cold "$T -j$n '$ROOT/small'"; done
    t verify-default cold "'$SNAPCHECK' verify '$W/small.manifest' '$ROOT/small'"
    [ -z "${PREVIOUS:-}" ] || t previous-verify-default cold "'$PREVIOUS' verify '$W/small.manifest' '$ROOT/small'"
    for n in 2 4 8 16; do t "verify-threads-$n" cold "'$SNAPCHECK' verify '$W/small.manifest' '$ROOT/small' --threads $n"; done
    t manifest-default cold "'$SNAPCHECK' manifest '$ROOT/small' -o '$W/cold.manifest' -q"
    t manifest-threads-8 cold "'$SNAPCHECK' manifest '$ROOT/small' -o '$W/cold.manifest' -q --threads 8"
    t large-floor-sha256-j2 cold "$T -j2 -s '$ROOT/large'"
    t large-verify-default cold "'$SNAPCHECK' verify '$W/large.manifest' '$ROOT/large'"
    "$T" -j4 "$ROOT/small" > /dev/null 2>&1; "$T" -j4 "$ROOT/large" > /dev/null 2>&1  # warm again
    t warm-small-verify warm "'$SNAPCHECK' verify '$W/small.manifest' '$ROOT/small'"
    t warm-large-verify warm "'$SNAPCHECK' verify '$W/large.manifest' '$ROOT/large'"
    t warm-large-floor-sha256-j2 warm "$T -j2 -s '$ROOT/large'"
done | tee "$W/cold-times.txt"
python3 - "$W/cold-times.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, wall = line.split()
    times.setdefault(name, []).append(float(wall))
med = {name: statistics.median(runs) for name, runs in times.items()}
for name in times:
    print(f"{name:28} median {med[name]:7.2f} s")
floor = min((v, k) for k, v in med.items() if k.startswith("floor-read-"))
best = min((v, k) for k, v in med.items() if k.startswith("verify-threads-"))
print(f"small cold verify: default {med['verify-default']:.2f} s = {floor[0] / med['verify-default']:.2f} x the best read floor ({floor[1]}, {floor[0]:.2f} s), "
      f"{best[0] / med['verify-default']:.2f} x the best --threads ({best[1]}, {best[0]:.2f} s)")
if "previous-verify-default" in med:
    print(f"small cold verify, previous build: {med['previous-verify-default']:.2f} s ({med['previous-verify-default'] / med['verify-default']:.2f} x as long)")
print(f"small cold manifest: default {med['manifest-default']:.2f} s, --threads 8 {med['manifest-threads-8']:.2f} s")
print(f"large cold verify: {med['large-floor-sha256-j2'] / med['large-verify-default']:.2f} x the cold SHA-256 floor")
print(f"warm: small verify {med['warm-small-verify']:.2f} s, large verify {med['warm-large-verify']:.2f} s = "
      f"{med['warm-large-floor-sha256-j2'] / med['warm-large-verify']:.2f} x the warm SHA-256 floor")
PY

#!/usr/bin/env bash
# reuse.sh — re-recording an unchanged tree with `manifest --reuse` (issue 15), timed beside a
# walk that lstats every entry (`find DIR -printf '%s %T@\n'`, the goal's reference) and a full
# `manifest` run, in interleaved rounds on a warm page cache, for the small corpus (200,000
# files) and the large one (4 x 1 GiB). Corpora from harness/make-corpora.sh.
# usage: SNAPCHECK=.build/release/snapcheck Benchmarks/reuse.sh      env: ROUNDS (default 3)
set -uo pipefail
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
W=$ROOT/work/reuse
ROUNDS=${ROUNDS:-3}
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
mkdir -p "$W"
for corpus in small large; do
    [ -d "$ROOT/$corpus" ] || { echo "no $ROOT/$corpus: run harness/make-corpora.sh $corpus" >&2; exit 2; }
    # The chain's first link: a full read that also writes the side file.
    "$SNAPCHECK" manifest "$ROOT/$corpus" --reuse "$W/$corpus.manifest" -o "$W/$corpus.manifest" -q > /dev/null 2>&1
done
. "$(dirname "$0")/harness/timing.sh"
for round in $(seq "$ROUNDS"); do
    for corpus in small large; do
        t "find-$corpus" "find '$ROOT/$corpus' -printf '%s %T@\n'"
        t "reuse-$corpus" "'$SNAPCHECK' manifest '$ROOT/$corpus' --reuse '$W/$corpus.manifest' -o '$W/$corpus.manifest' -q"
        t "full-$corpus" "'$SNAPCHECK' manifest '$ROOT/$corpus' -o '$W/$corpus.full.manifest' -q"
    done
done | tee "$W/times.txt"
python3 - "$W/times.txt" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, wall, rss, status = line.split()
    times.setdefault(name, []).append((float(wall), int(rss), int(status)))
med = {name: statistics.median(w for w, _, _ in runs) for name, runs in times.items()}
for name, runs in times.items():
    print(f"{name:14} median {med[name]:7.2f} s  peak RSS {max(r for _, r, _ in runs) / 1024:7.1f} MiB  exits {sorted({s for _, _, s in runs})}")
for corpus in ("small", "large"):
    print(f"{corpus}: --reuse {med['reuse-' + corpus]:.2f} s = {med['find-' + corpus] / med['reuse-' + corpus]:.2f} x the speed of find -printf, "
          f"{med['full-' + corpus] / med['reuse-' + corpus]:.1f} x faster than a full manifest")
PY

#!/usr/bin/env bash
# shard.sh — sharded verification (issue 13): each shard of N run alone (as on its own machine,
# with every core), the merge, and one unsharded verify, in interleaved rounds on a warm page
# cache, for the large corpus (4 x 1 GiB) and the small one (200,000 files); and the parts of
# a manifest recorded in shards beside one `manifest` run. The slowest shard against the
# single run is the wall time N machines like this one would take (ideal 1/N); all shards
# together against it is what sharding costs in total (each shard hashes the manifest's lines
# once and parses it up to the end of its range). Corpora from harness/make-corpora.sh.
# usage: SNAPCHECK=.build/release/snapcheck Benchmarks/shard.sh      env: ROUNDS (default 3), COUNTS (default "2 4")
set -uo pipefail
ROOT=${SNAPBENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/snapbench}
W=$ROOT/work/shard
ROUNDS=${ROUNDS:-3}
COUNTS=${COUNTS:-2 4}
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
mkdir -p "$W"
for corpus in large small; do
    [ -d "$ROOT/$corpus" ] || { echo "no $ROOT/$corpus: run harness/make-corpora.sh $corpus" >&2; exit 2; }
    [ -s "$W/$corpus.manifest" ] || "$SNAPCHECK" manifest "$ROOT/$corpus" -o "$W/$corpus.manifest" -q > /dev/null
done
. "$(dirname "$0")/harness/timing.sh"
for round in $(seq "$ROUNDS"); do
    for corpus in large small; do
        t "verify-$corpus" "'$SNAPCHECK' verify '$W/$corpus.manifest' '$ROOT/$corpus'"
        for n in $COUNTS; do
            for k in $(seq "$n"); do
                t "shard-$corpus-$n-$k" "'$SNAPCHECK' verify '$W/$corpus.manifest' '$ROOT/$corpus' --shard $k/$n --output '$W/$corpus-$n-$k.jsonl'"
            done
            t "merge-$corpus-$n" "'$SNAPCHECK' merge '$W/$corpus-$n-'*.jsonl"
        done
        t "manifest-$corpus" "'$SNAPCHECK' manifest '$ROOT/$corpus' -o '$W/$corpus.single.manifest' -q"
        for k in 1 2; do
            t "part-$corpus-2-$k" "'$SNAPCHECK' manifest '$ROOT/$corpus' --shard $k/2 -o '$W/$corpus-part-$k' -q"
        done
        t "partmerge-$corpus" "'$SNAPCHECK' merge '$W/$corpus-part-1' '$W/$corpus-part-2' -o '$W/$corpus.merged.manifest'"
        if [ "$(tail -1 "$W/$corpus.merged.manifest")" != "$(tail -1 "$W/$corpus.single.manifest")" ]; then
            echo "the merged manifest of $corpus has another snapshot id" >&2; exit 1
        fi
    done
done | tee "$W/times.txt"
COUNTS=$COUNTS python3 - "$W/times.txt" <<'PY'
import os, statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, wall, rss, status = line.split()
    times.setdefault(name, []).append((float(wall), int(rss), int(status)))
med = {name: statistics.median(w for w, _, _ in runs) for name, runs in times.items()}
rss = {name: max(r for _, r, _ in runs) / 1024 for name, runs in times.items()}
for corpus in ("large", "small"):
    single = med[f"verify-{corpus}"]
    print(f"{corpus}: verify {single:.2f} s, peak RSS {rss[f'verify-{corpus}']:.0f} MiB")
    for n in map(int, os.environ["COUNTS"].split()):
        shards = [med[f"shard-{corpus}-{n}-{k}"] for k in range(1, n + 1)]
        print(f"  {n} shards: slowest {max(shards):.2f} s = {max(shards) / single:.2f} x the single run (ideal {1 / n:.2f}), "
              f"all together {sum(shards) / single:.2f} x, shards {' '.join(f'{s:.2f}' for s in shards)} s, "
              f"merge {med[f'merge-{corpus}-{n}']:.2f} s, peak RSS {max(rss[f'shard-{corpus}-{n}-{k}'] for k in range(1, n + 1)):.0f} MiB")
    parts = [med[f"part-{corpus}-2-{k}"] for k in (1, 2)]
    print(f"  manifest {med[f'manifest-{corpus}']:.2f} s; 2 parts: slowest {max(parts):.2f} s = {max(parts) / med[f'manifest-{corpus}']:.2f} x, "
          f"all together {sum(parts) / med[f'manifest-{corpus}']:.2f} x, merge {med[f'partmerge-{corpus}']:.2f} s")
PY

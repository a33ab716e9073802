#!/usr/bin/env bash
# spot-check.sh — a 1% spot-check against a full verify of the same copy, in one run:
# time ratio, and bytes read (the process's own rchar from the JSON summary) against the data.
#   Benchmarks/spot-check.sh CORPUS_DIR [ROUNDS]     (release build first; SNAPCHECK=path)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
snapcheck=${SNAPCHECK:-$root/.build/release/snapcheck}
corpus=${1:?usage: spot-check.sh CORPUS_DIR [ROUNDS]}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$snapcheck" manifest "$corpus" -o "$work/m" --quiet > /dev/null
seconds() { local s e; s=$(date +%s.%N); "$@" > "$work/out" 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
full=""; spot=""
for round in $(seq "$rounds"); do
    cat "$corpus"/* > /dev/null 2>&1 || true
    full+="$(seconds "$snapcheck" verify "$work/m" "$corpus") "
    spot+="$(seconds "$snapcheck" spot-check "$work/m" "$corpus" --sample 1% --seed "$round" --json) "
done
summary=$(tail -1 "$work/out")
field() { echo "$summary" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
tf=$(printf '%s\n' $full | median); ts=$(printf '%s\n' $spot | median)
bytes=$(field expected_bytes); sampled=$(field sampled_bytes); read=$(field process_read_bytes); manifest=$(stat -c %s "$work/m")
echo "full verify: ${tf} s; spot-check 1%: ${ts} s = $(echo "100 * $ts / $tf" | bc -l | xargs printf '%.2f')% of the verify time"
echo "sampled $(field sampled_chunks) of $(field total_chunks) chunks, $sampled of $bytes bytes = $(echo "100 * $sampled / $bytes" | bc -l | xargs printf '%.3f')%"
echo "the process read $read bytes = $(echo "100 * $read / $bytes" | bc -l | xargs printf '%.3f')% of the data (manifest, read twice: $manifest bytes)"

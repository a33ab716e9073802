#!/usr/bin/env bash
# rolling-state.sh — a rolling spot-check state of about a million chunks: 20 runs at 5% must
# prove every chunk; then the wall time and peak RSS of a spot-check and a verify, with and
# without the state. Release build first: `swift build -c release` in the package root.
#
#   Benchmarks/rolling-state.sh            (environment: SNAPCHECK=path, WORK=dir, ~700 MB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
snapcheck=${SNAPCHECK:-$here/../.build/release/snapcheck}
work=${WORK:-${TMPDIR:-/tmp}/snapcheck-rolling}
[ -x "$snapcheck" ] || { echo "build first: swift build -c release (looked for $snapcheck)" >&2; exit 2; }
mkdir -p "$work"
tree=$work/tree
if [ ! -d "$tree" ]; then
    # 20,000 files of 15,000 random bytes; tiny chunks make about a million of them.
    python3 -c "
import os, random
r = random.Random(1)
for d in range(100):
    os.makedirs('$tree/d%02d' % d)
    for f in range(200):
        open('$tree/d%02d/f%03d' % (d, f), 'wb').write(r.randbytes(15000))
"
fi
manifest=$work/tree.manifest
[ -s "$manifest" ] || "$snapcheck" manifest "$tree" -o "$manifest" --min 64 --avg 256 --max 1024 --quiet > /dev/null
state=$work/spot.state
rm -f "$state"
for run in $(seq 20); do
    "$snapcheck" spot-check "$manifest" "$tree" --sample 5% --state "$state" --metadata ignore --seed "$run" > "$work/last.txt"
done
grep -E "^rolling coverage" "$work/last.txt"
ls -l "$state" | awk '{ print "state file: " $5 " bytes" }'
measure() { /usr/bin/time -f "${1//%/%%}: %e s, peak RSS %M KiB" "${@:2}" > /dev/null; }
measure "spot-check 1%, no state" "$snapcheck" spot-check "$manifest" "$tree" --sample 1% --metadata ignore --seed 7
measure "spot-check 1%, full state" "$snapcheck" spot-check "$manifest" "$tree" --sample 1% --state "$state" --metadata ignore --seed 7
measure "verify" "$snapcheck" verify "$manifest" "$tree" --metadata ignore
rm -f "$work/verify.state"
measure "verify --state" "$snapcheck" verify "$manifest" "$tree" --metadata ignore --state "$work/verify.state"

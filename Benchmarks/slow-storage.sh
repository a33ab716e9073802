#!/usr/bin/env bash
# slow-storage.sh — verify through a mount that answers every open and read after LATENCY
# (slowfs/slowfs.c, a FUSE passthrough: Debian's libfuse3-dev), as a network share or a
# cloud mount does (issue 15). For each latency (default 1 ms and 5 ms): files/s of snapcheck
# verify with its defaults against a reader with 2 reads in flight (treeread -j2), with 16 and
# with 64 (what the mount serves at the most on this machine), the page cache dropped before each run (root), and the check that the report
# through the mount is byte for byte the report of the same files read directly.
# usage: sudo SNAPCHECK=.build/release/snapcheck Benchmarks/slow-storage.sh   env: LATENCIES, FILES (default 2000)
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "slow-storage.sh mounts a file system and drops the page cache: run it as root" >&2; exit 2; }
pkg-config --exists fuse3 || { echo "needs Debian's libfuse3-dev" >&2; exit 2; }
SNAPCHECK=$(realpath "${SNAPCHECK:?set SNAPCHECK to a release build of snapcheck}")
HERE=$(cd "$(dirname "$0")" && pwd)
T=$HERE/harness/floor/treeread
make -s -C "$HERE/harness/floor" || exit 2
make -s -C "$HERE/slowfs" || exit 2
W=$(mktemp -d /tmp/snapcheck-slow.XXXXXX)
trap 'umount "$W/mnt" 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/src" "$W/mnt"
# FILES files of 1 to 64 kB in 20 directories, the same every time.
/usr/bin/python3 - "$W/src" "${FILES:-2000}" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
generator = random.Random(15)
for index in range(count):
    folder = os.path.join(root, "d%02d" % (index % 20))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "f%05d" % index), "wb") as out:
        out.write(generator.randbytes(generator.randint(1024, 65536)))
PY
"$SNAPCHECK" manifest "$W/src" -o "$W/m" -q > /dev/null
"$SNAPCHECK" verify "$W/m" "$W/src" --metadata ignore --json | grep -v '"type":"summary"' > "$W/direct.json"
"$SNAPCHECK" verify "$W/m" "$W/src" --metadata ignore --json | tail -1 | sed 's/,"process_read_bytes":[0-9]*//' >> "$W/direct.json"
for latency in ${LATENCIES:-0.001 0.005}; do
    "$HERE/slowfs/slowfs" "$W/src" "$W/mnt" "$latency" &
    for _ in $(seq 50); do mountpoint -q "$W/mnt" && break; sleep 0.1; done
    run() {
        sync; echo 3 > /proc/sys/vm/drop_caches
        /usr/bin/time -f "%e" -o "$W/time.txt" "$@" > "$W/out.txt" 2>/dev/null
        tail -1 "$W/time.txt"
    }
    two=$(run "$T" -j2 "$W/mnt")
    sixteen=$(run "$T" -j16 "$W/mnt")
    deep=$(run "$T" -j64 "$W/mnt")
    ours=$(run "$SNAPCHECK" verify "$W/m" "$W/mnt" --metadata ignore --json)
    { grep -v '"type":"summary"' "$W/out.txt"; tail -1 "$W/out.txt" | sed 's/,"process_read_bytes":[0-9]*//'; } > "$W/mounted.json"
    exact=$(cmp -s "$W/direct.json" "$W/mounted.json" && echo "byte-exact" || echo "DIFFERS")
    python3 - "$latency" "$two" "$sixteen" "$deep" "$ours" "$exact" "${FILES:-2000}" <<'PY'
import sys
latency, two, sixteen, deep, ours, exact, files = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6], int(sys.argv[7])
print(f"latency {float(latency) * 1000:g} ms, {files} files: 2 reads in flight {files / two:,.0f} files/s ({two:.2f} s), "
      f"16 {files / sixteen:,.0f} files/s ({sixteen:.2f} s), 64 {files / deep:,.0f} files/s ({deep:.2f} s), "
      f"snapcheck verify {files / ours:,.0f} files/s ({ours:.2f} s): "
      f"{two / ours:.1f} x the 2-read rate ({deep / ours:.2f} x the 64-read rate); report {exact}")
PY
    umount "$W/mnt"; wait
done

#!/usr/bin/env bash
# compare.sh — times `snapcheck chunk` on a 1 GiB file beside `openssl dgst -sha256`, `sha256sum`
# and the C chunk+hash floor (Benchmarks/harness/floor/treeread -c), in one run,
# and prints ratios. Release build first: `swift build -c release` in the package root.
#
#   Benchmarks/compare.sh [ROUNDS]     (environment: SNAPCHECK=path, WORK=dir for the 1 GiB file)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
rounds=${1:-3}
snapcheck=${SNAPCHECK:-$root/.build/release/snapcheck}
work=${WORK:-${TMPDIR:-/tmp}/snapcheck-compare}
floor_dir=${FLOOR_DIR:-$here/harness/floor}
[ -x "$snapcheck" ] || { echo "build first: swift build -c release (looked for $snapcheck)" >&2; exit 2; }
mkdir -p "$work/tree"
file=$work/tree/1g.bin
if [ ! -s "$file" ]; then
    # 1 GiB of AES-CTR keystream: incompressible, reproducible (the `large` corpus recipe).
    head -c 1073741824 /dev/zero | openssl enc -aes-128-ctr -nosalt \
        -K 00000000000000000000000000000001 -iv 00000000000000000000000000000000 > "$file"
fi
cat "$file" > /dev/null   # warm the page cache
treeread=""
if [ -f "$floor_dir/treeread.c" ]; then
    cp "$floor_dir/treeread.c" "$work/" && cc -O2 -o "$work/treeread" "$work/treeread.c" -lcrypto -lpthread 2>/dev/null \
        && treeread=$work/treeread
fi

seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A times
names=(snapcheck openssl sha256sum)
[ -n "$treeread" ] && names+=(floor-cdc-sha256 floor-cdc)
for round in $(seq "$rounds"); do
    times[snapcheck]+="$(seconds "$snapcheck" chunk "$file") "
    times[openssl]+="$(seconds openssl dgst -sha256 "$file") "
    times[sha256sum]+="$(seconds sha256sum "$file") "
    if [ -n "$treeread" ]; then
        times[floor-cdc-sha256]+="$(seconds "$treeread" -j 1 -c "$work/tree") "
        times[floor-cdc]+="$(seconds "$treeread" -j 1 -C "$work/tree") "
    fi
done
speed=$(openssl speed -evp sha256 -bytes 1048576 -seconds 3 2>/dev/null | awk '/^sha256/ { v = $NF; sub(/k$/, "", v); print v * 1000 / 1e9 }')

gib=1.073741824
printf '%-18s %8s %8s\n' tool seconds GB/s
declare -A rate
for name in "${names[@]}"; do
    t=$(printf '%s\n' ${times[$name]} | median)
    rate[$name]=$(echo "$gib / $t" | bc -l)
    printf '%-18s %8.3f %8.2f\n' "$name" "$t" "${rate[$name]}"
done
printf '%-18s %8s %8.2f\n' "openssl speed" "-" "$speed"
echo
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
echo "snapcheck chunk / openssl speed -evp sha256 (1 core):  $(ratio "${rate[snapcheck]}" "$speed") x"
echo "snapcheck chunk / openssl dgst -sha256:                $(ratio "${rate[snapcheck]}" "${rate[openssl]}") x"
echo "snapcheck chunk / sha256sum:                           $(ratio "${rate[snapcheck]}" "${rate[sha256sum]}") x"
if [ -n "$treeread" ]; then
    echo "snapcheck chunk / C chunk+hash floor (treeread -c):    $(ratio "${rate[snapcheck]}" "${rate[floor-cdc-sha256]}") x"
    ideal=$(echo "1 / (1 / $speed + 1 / ${rate[floor-cdc]})" | bc -l)
    echo "snapcheck chunk / 1/(1/sha256 + 1/cut) ($(printf '%.2f' "$ideal") GB/s):   $(ratio "${rate[snapcheck]}" "$ideal") x   (target >= 0.85)"
fi

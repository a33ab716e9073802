#!/usr/bin/env bash
# Sharded verification on a real Slurm: a one-node cluster (scripts/slurm-single-node.sh), the
# job scripts of docs/scale as they are (a 4-task array verifying a damaged tree in 4 shards,
# then the dependent merge job), and the check that the merged report and exit status are
# those of one unsharded run. CI runs it after the tests (.ci/run).
#
# Installs Debian's Slurm and munge when missing (as root, with apt-get); prints why and
# exits 0 when that cannot be done, so a machine without them skips rather than fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
skip() { echo "slurm.sh: skipped: $*"; exit 0; }

[[ $(id -u) == 0 ]] || skip "slurmd must run as root to start jobs"
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null || ! command -v sbatch > /dev/null \
    || ! command -v munged > /dev/null; then
    command -v apt-get > /dev/null || skip "Slurm is not installed and there is no apt-get to install it"
    apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge > /dev/null 2>&1 \
        || skip "Slurm could not be installed (apt-get install slurmctld slurmd slurm-client munge failed)"
fi
snapcheck=${SNAPCHECK:-$root/.build/debug/snapcheck}
[[ -x $snapcheck ]] || swift build --product snapcheck > /dev/null
[[ $snapcheck == /* ]] || snapcheck=$root/$snapcheck

work=$(mktemp -d)
chmod 755 "$work"
cleanup() {
    scripts/slurm-single-node.sh stop "$work/slurm" || true
    rm -rf "$work"
}
trap cleanup EXIT

# A source tree (a file large enough to be cut between shards among small ones), its manifest
# in small chunks, and a copy with a file missing, one damaged, one extra and one type change.
mkdir -p "$work/source/docs" "$work/source/photos"
for i in $(seq 1 40); do head -c $((3000 + i * 700)) /dev/urandom > "$work/source/docs/d$i.txt"; done
head -c 3000000 /dev/urandom > "$work/source/photos/archive.tar"
echo "a file" > "$work/source/x"
"$snapcheck" manifest "$work/source" -o "$work/source.manifest" --min 4K --avg 16K --max 64K --quiet > /dev/null
cp -a "$work/source" "$work/backup"
rm "$work/backup/docs/d7.txt"
echo extra > "$work/backup/docs/d7.txt.orig"
printf 'XY' | dd of="$work/backup/photos/archive.tar" bs=1 seek=2500000 conv=notrunc 2> /dev/null
touch -r "$work/source/photos/archive.tar" "$work/backup/photos/archive.tar"
rm "$work/backup/x" && mkdir "$work/backup/x"

set +e
"$snapcheck" verify "$work/source.manifest" "$work/backup" > "$work/single.txt"
single_status=$?
set -e

started=$(date +%s%N)
eval "export $(scripts/slurm-single-node.sh start "$work/slurm")"
array=$(sbatch --parsable --array=1-4 --output="$work/task-%a.log" \
    --export=ALL,SNAPCHECK="$snapcheck",MANIFEST="$work/source.manifest",TARGET="$work/backup",REPORTS="$work/reports" \
    docs/scale/verify-array.sbatch)
merge=$(sbatch --parsable --dependency=afterany:"$array" --output="$work/merge.log" \
    --export=ALL,SNAPCHECK="$snapcheck",REPORTS="$work/reports/$array" docs/scale/merge.sbatch)

# Waits for the merge job to end (it stays listed for MinJobAge seconds after) and prints its
# exit code.
for _ in $(seq 1 600); do
    line=$(scontrol show job "$merge" -o 2> /dev/null || true)
    case $line in
    *JobState=COMPLETED* | *JobState=FAILED* | *JobState=CANCELLED* | *JobState=TIMEOUT*) break ;;
    esac
    sleep 0.1
done
state=$(grep -o 'JobState=[A-Z]*' <<< "$line" || true)
exit_code=$(grep -o 'ExitCode=[0-9]*' <<< "$line" | cut -d= -f2 || true)
elapsed=$((($(date +%s%N) - started) / 100000000))
for task in 1 2 3 4; do
    [[ -s $work/reports/$array/shard-$task.jsonl ]] || { echo "slurm.sh: FAILED: task $task wrote no report"; cat "$work/task-$task.log"; exit 1; }
done
if ! diff -u "$work/single.txt" "$work/merge.log"; then
    echo "slurm.sh: FAILED: the merged report differs from the single run's ($state)"
    exit 1
fi
cmp -s "$work/merge.log" "$work/reports/$array/report.txt" || { echo "slurm.sh: FAILED: report.txt differs from the job's output"; exit 1; }
if [[ $exit_code != "$single_status" ]]; then
    echo "slurm.sh: FAILED: the merge job exited $exit_code ($state), the single run $single_status"
    exit 1
fi
echo "slurm.sh: passed: a 4-task array and its merge gave the single run's report and exit status $single_status, in $((elapsed / 10)).$((elapsed % 10)) s from the cluster's start"

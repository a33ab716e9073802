#!/usr/bin/env bash
# A one-node Slurm cluster in a folder of its own, without systemd, for trying snapcheck's
# sharded verification as a real job array (Tests/scripts/slurm.sh runs it; docs/scale.md).
#
#   scripts/slurm-single-node.sh start DIR   start munged, slurmctld and slurmd; print the
#                                            SLURM_CONF to export for sbatch, squeue, …
#   scripts/slurm-single-node.sh stop DIR    stop them
#
# Needs Debian's slurmctld, slurmd, slurm-client and munge, and root (slurmd runs jobs as
# their users). Everything lives in DIR: the configuration, the munge key and socket, state,
# logs and pid files; the daemons listen on ports 16817 and 16818.
set -euo pipefail
command=${1:?usage: $0 start|stop DIR}
dir=$(mkdir -p "${2:?usage: $0 start|stop DIR}" && cd "$2" && pwd)

# Waits until FILE holds the pid of a running process (a daemon writes it once it is up).
wait_for_pid_file() {
    local file=$1 name=$2
    for _ in $(seq 1 100); do
        if [[ -s $file ]] && kill -0 "$(cat "$file")" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "$name did not start; its log:" >&2
    tail -n 20 "$dir/$name.log" >&2 || true
    return 1
}

# Stops the process named in FILE and waits until it is gone: a killed process can look alive
# for about a second here.
stop_pid_file() {
    local file=$1
    [[ -s $file ]] || return 0
    local pid
    pid=$(cat "$file")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$file"
}

case $command in
start)
    host=$(hostname -s)
    mkdir -p "$dir/state" "$dir/spool"
    if [[ ! -s $dir/munge.key ]]; then
        head -c 1024 /dev/urandom > "$dir/munge.key"
        chmod 400 "$dir/munge.key"
    fi
    cat > "$dir/slurm.conf" <<CONF
ClusterName=snapcheck
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MinJobAge=5
ReturnToService=2
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" --pid-file="$dir/munged.pid" \
        --log-file="$dir/munged.log" --seed-file="$dir/munge.seed"
    wait_for_pid_file "$dir/munged.pid" munged
    SLURM_CONF=$dir/slurm.conf slurmctld -D -i > "$dir/slurmctld.out" 2>&1 &
    wait_for_pid_file "$dir/slurmctld.pid" slurmctld
    SLURM_CONF=$dir/slurm.conf slurmd -D > "$dir/slurmd.out" 2>&1 &
    wait_for_pid_file "$dir/slurmd.pid" slurmd
    # The node is ready when the controller sees it idle.
    for _ in $(seq 1 100); do
        if SLURM_CONF=$dir/slurm.conf sinfo -h -o %T 2>/dev/null | grep -q idle; then
            echo "SLURM_CONF=$dir/slurm.conf"
            exit 0
        fi
        sleep 0.1
    done
    echo "the node did not become idle:" >&2
    SLURM_CONF=$dir/slurm.conf sinfo >&2 || true
    exit 1
    ;;
stop)
    stop_pid_file "$dir/slurmd.pid"
    stop_pid_file "$dir/slurmctld.pid"
    stop_pid_file "$dir/munged.pid"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

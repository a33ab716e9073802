# Sourced by the benchmark scripts: `t NAME COMMAND-LINE` runs the command line (in bash,
# output discarded) and prints "NAME WALL-SECONDS PEAK-RSS-KB EXIT-STATUS", the line their
# summaries read. Needs $W, a scratch folder.
t() {
    local name=$1; shift
    /usr/bin/time -f "%e %M %x" -o "$W/time.txt" bash -c "$*" > /dev/null 2>&1
    echo "$name $(tail -1 "$W/time.txt")"
}

#!/usr/bin/env bash
# Runs the whole test suite under ThreadSanitizer and under AddressSanitizer (each in a build
# folder of its own, .build-tsan and .build-asan, so the normal build is not disturbed).
#
#   Tests/scripts/sanitizers.sh [thread|address]...     (default: both)
#
# Exit status 0 only when every run passed with no sanitizer report. Takes a few minutes per
# sanitizer on 2 cores; not part of `swift test`.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
# What a sanitizer makes meaningless: under AddressSanitizer a process's peak memory is mostly
# ASan's (shadow memory, a quarantine of freed blocks that grows with the number of
# allocations), and under ThreadSanitizer its shadow memory and history take several times
# the program's own (verify of 100,000 files: 68 MB under TSan, 25 MB without), so the test
# that memory stays flat and under 64 MiB as the tree grows measures the sanitizer, not
# snapcheck; it runs in every plain `swift test`.
skip() { echo "--skip memoryIsFlatInTheNumberOfEntries"; }
for sanitizer in "${@:-thread address}"; do
    for one in $sanitizer; do
        log=$(mktemp "/tmp/snapcheck-$one.XXXXXX.log")
        echo "== swift test --sanitize=$one (log: $log)"
        # halt_on_error: a report fails the run; the CLI tests' snapcheck binary is built with
        # the same sanitizer, and its reports go to its stderr, which the tests check. Leaks of
        # XCTest's own runner are suppressed (lsan-suppressions.txt says why).
        TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="halt_on_error=1 detect_leaks=1" \
            LSAN_OPTIONS="suppressions=$PWD/Tests/scripts/lsan-suppressions.txt print_suppressions=0" \
            swift test --sanitize="$one" --scratch-path ".build-${one:0:1}san" $(skip "$one") >"$log" 2>&1
        result=$?
        if grep -qE "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|ERROR: LeakSanitizer" "$log"; then
            echo "   sanitizer report:"; grep -E -A20 "WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer" "$log" | head -60
            status=1
        fi
        if [ $result -ne 0 ]; then
            echo "   swift test failed ($result):"; grep -E "✘|error:" "$log" | head -20
            status=1
        fi
        grep -E "Test run with" "$log" | tail -1
    done
done
exit $status

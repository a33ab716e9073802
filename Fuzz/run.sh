#!/usr/bin/env bash
# Fuzzes the manifest reader with libFuzzer and AddressSanitizer for a fixed time.
#
#   Fuzz/run.sh [SECONDS]        (default 1800; from anywhere; FUZZ_JOBS=N for N jobs)
#
# Builds Fuzz/ in release mode with coverage instrumentation (the build folder is
# .build-fuzz at the top of the repository), seeds a corpus from Fixtures/fuzz-seeds and
# Fixtures/example, and runs one fuzzing job per core. Inputs that crash, trap, leak or hang
# land in Fuzz/findings/ (git-ignored); the script exits 1 if there are any.
set -euo pipefail
seconds=${1:-1800}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runtime=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")/lib/clang
fuzzer_library=$(find "$runtime" -name 'libclang_rt.fuzzer_no_main-x86_64.a' | head -1)
[ -n "$fuzzer_library" ] || { echo "run.sh: libclang_rt.fuzzer_no_main not found under $runtime" >&2; exit 2; }

# SwiftPM links an executable's `main` under another name, which collides with libFuzzer's
# own `main` under -sanitize=fuzzer: instrument with -sanitize-coverage instead, link
# libFuzzer without its main, and start its driver from main.swift.
swift build --package-path "$here" -c release --scratch-path "$root/.build-fuzz" \
    -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
    -Xlinker "$fuzzer_library" -Xlinker -lstdc++

work=$(mktemp -d /tmp/snapcheck-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$here/findings"
cp "$root"/Fixtures/fuzz-seeds/* "$root"/Fixtures/example/*.manifest "$work/corpus/"
jobs=${FUZZ_JOBS:-$(nproc)}
echo "fuzzing the manifest reader for $seconds s with $jobs jobs; findings go to $here/findings"
cd "$work"
status=0
"$root/.build-fuzz/release/ManifestReaderFuzzer" "$work/corpus" \
    -dict="$here/manifest.dict" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -max_total_time="$seconds" -jobs="$jobs" -workers="$jobs" \
    -artifact_prefix="$here/findings/" -print_final_stats=1 || status=$?
cat fuzz-*.log 2>/dev/null | grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|==[0-9]+==ERROR)' || true
echo "corpus grew to $(ls "$work/corpus" | wc -l) inputs"
if [ -n "$(ls -A "$here/findings")" ]; then
    echo "findings:"; ls -l "$here/findings"; exit 1
fi
exit $status

#!/usr/bin/env bash
# Builds the SnapCheck library's documentation (the DocC catalog and every public symbol's doc
# comment) with the toolchain's own docc, no plugin needed, and fails on any warning.
#
#   scripts/build-docs.sh [OUTPUT]        (default: .build/SnapCheck.doccarchive)
set -euo pipefail
cd "$(dirname "$0")/.."
output=${1:-.build/SnapCheck.doccarchive}
graphs=.build/symbol-graphs
rm -rf "$graphs" && mkdir -p "$graphs"
# The package's public symbols, then only the library's graphs (not the CLI's or the tests').
swift package dump-symbol-graph --minimum-access-level public >&2
cp "$(swift build --show-bin-path)/../symbolgraph/"SnapCheck*.symbols.json "$graphs/"
log=$(mktemp)
docc convert Sources/SnapCheck/SnapCheck.docc --additional-symbol-graph-dir "$graphs" \
    --fallback-display-name SnapCheck --fallback-bundle-identifier snapcheck.SnapCheck \
    --output-path "$output" --analyze 2>&1 | tee "$log" >&2
if grep -q "warning:" "$log"; then
    echo "build-docs: the documentation has warnings (above)" >&2
    exit 1
fi
echo "documentation in $output"

#!/usr/bin/env bash
# Installs what building and testing snapcheck need on Debian (or Ubuntu), when missing:
# the C libraries it links (libssl-dev, zlib1g-dev, libarchive-dev, libisal-dev, found with pkg-config) and the real tools
# the tests run beside it. Needs root (or sudo) only when something is missing; prints
# nothing when everything is there. Swift itself is not installed here: see the README.
set -euo pipefail
packages=(
    libssl-dev zlib1g-dev libarchive-dev libisal-dev pkg-config   # build: SHA-256 (libcrypto), gzip (zlib), archives (libarchive), fast inflate (ISA-L)
    openssl coreutils findutils util-linux time gzip python3   # tests: oracles, the second manifest reader
    rsync tar restic borgbackup systemd         # tests: the hook recipes of docs/hooks.md, run as written
    prometheus                                  # tests: promtool checks the metrics file and docs/monitoring.md's rules
    zstd xz-utils bzip2 cpio zip                # tests: archives in every format libarchive reads, made by the real tools
    python3-yaml                                # tests: docs/scale/kubernetes.yaml parses and says what it must
)
needed=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || needed+=("$package")
done
[ ${#needed[@]} -eq 0 ] && exit 0
echo "installing: ${needed[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
$sudo apt-get install -y -q "${needed[@]}" >&2

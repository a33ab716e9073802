#!/usr/bin/env bash
# Rebuilds the README's example: a small source tree, its manifest, and a damaged backup of it.
#   Fixtures/example/make-example.sh path/to/snapcheck
# Files are generated deterministically; the manifest records the mtimes of this run, which a
# git checkout does not keep, so the README's command passes --metadata ignore.
set -euo pipefail
cd "$(dirname "$0")"
snapcheck=${1:?usage: make-example.sh path/to/snapcheck}
rm -rf source backup source.manifest
mkdir -p source/finance/2025 source/projects/site source/photos
seq 1 1500 | awk '{ printf "2025-%02d-%02d,invoice %05d,%d.%02d EUR\n", ($1 % 12) + 1, ($1 % 28) + 1, $1, ($1 * 37) % 5000, $1 % 100 }' > source/finance/2025/ledger.csv
seq 1 400 | awk '{ printf "INV-%05d;customer %d;due in %d days\n", $1, $1 % 97, ($1 * 7) % 60 }' > source/finance/2025/invoices.csv
printf '# Plan\n\n1. Back up every night.\n2. Verify every backup.\n3. Test a restore every month.\n' > source/projects/plan.md
printf '<!doctype html>\n<title>Team site</title>\n<p>Hello.</p>\n' > source/projects/site/index.html
head -c 150000 /dev/zero | openssl enc -aes-128-ctr -nosalt -K 00000000000000000000000000000007 -iv 00000000000000000000000000000000 > source/photos/team.jpg
printf 'Shared drive of the example company.\n' > source/README.txt
"$snapcheck" manifest source -o source.manifest --no-progress
cp -a source backup
rm backup/finance/2025/invoices.csv                                            # never copied
sed -i 's/Verify every backup/Verify some backups/' backup/projects/plan.md    # altered
truncate -s 100000 backup/photos/team.jpg                                      # damaged copy
printf 'old draft\n' > backup/projects/plan-old.md                             # not in the snapshot

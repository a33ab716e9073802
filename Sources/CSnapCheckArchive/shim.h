// libarchive, for reading tar (ustar, pax, GNU), cpio, zip and the rest through every filter it
// knows (gzip, zstd, xz, bzip2, ...): snapcheck never parses an archive format by hand.
#include <archive.h>
#include <archive_entry.h>

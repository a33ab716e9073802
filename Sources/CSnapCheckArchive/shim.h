// libarchive, for reading tar (ustar, pax, GNU), cpio, zip and the rest through every filter it
// knows (gzip, zstd, xz, bzip2, ...): snapcheck never parses an archive format by hand.
#include <archive.h>
#include <archive_entry.h>

// archive_set_error is variadic, which Swift cannot call: this sets a message as it is.
static inline void snapcheck_archive_set_error(struct archive *archive, int code, const char *message) {
    archive_set_error(archive, code, "%s", message);
}

// Intel ISA-L's inflate (igzip): gzip decoded about four times as fast as zlib does it, for
// tar.gz archives (libarchive reads the decoded bytes through its read callbacks).
#include <isa-l/igzip_lib.h>

// zlib for gzip manifests. Swift does not import function-like macros, so the two
// initialisers snapcheck needs are wrapped as inline functions.
#include <zlib.h>

/// deflateInit2 writing a gzip stream (windowBits 15 + 16) at the given level.
static inline int snapcheck_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// inflateInit2 reading a gzip stream (windowBits 15 + 16).
static inline int snapcheck_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}

// Linux calls that Swift's Glibc module does not show: memfd_create is declared only under
// _GNU_SOURCE, which a module's headers cannot switch on.
#include <sys/syscall.h>
#include <unistd.h>

/// memfd_create(name, MFD_CLOEXEC): an anonymous file in memory, for a buffer mapped twice.
/// Returns a descriptor, or -1 with errno set.
static inline int snapcheck_memfd_create(const char *name) {
    return (int)syscall(SYS_memfd_create, name, 1u /* MFD_CLOEXEC */);
}

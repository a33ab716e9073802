/*
 * slowfs — a read-only passthrough FUSE file system that answers every open and every read
 * after LATENCY seconds, as a network share or a cloud mount does: reproducible slow storage
 * for Benchmarks/slow-storage.sh (issue 15).
 *
 * Requests are served by up to 256 threads of libfuse's multi-threaded loop, and the kernel is
 * allowed 256 requests in the background (read-ahead), so a client with many reads in flight
 * sees the latency once per wave and a client with one read in flight once per read: the mount
 * itself is not the limit below a few hundred reads in flight.
 *
 * usage: slowfs SOURCE MOUNTPOINT [LATENCY]   (root: it raises the kernel's background limit)
 * Builds with Debian's libfuse3-dev (`make -C Benchmarks/slowfs`).
 * It stays in the foreground and exits when the mount is unmounted (`umount MOUNTPOINT`).
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char source[PATH_MAX];
static struct timespec latency = {0, 1000000};

/* The source path of a path inside the mount (which always starts with '/'). */
static int source_path(const char *path, char out[PATH_MAX]) {
    int length = snprintf(out, PATH_MAX, "%s%s", source, path);
    return length < 0 || length >= PATH_MAX ? -ENAMETOOLONG : 0;
}

static void wait_latency(void) {
    struct timespec left = latency;
    while (nanosleep(&left, &left) != 0 && errno == EINTR) {}
}

static void *slow_init(struct fuse_conn_info *conn, struct fuse_config *config) {
    conn->max_background = 256;
    conn->congestion_threshold = 192;
    config->entry_timeout = 300;
    config->attr_timeout = 300;
    config->negative_timeout = 300;
    config->use_ino = 1;
    return NULL;
}

static int slow_getattr(const char *path, struct stat *status, struct fuse_file_info *file) {
    (void)file;
    char real[PATH_MAX];
    int problem = source_path(path, real);
    if (problem) return problem;
    return lstat(real, status) == 0 ? 0 : -errno;
}

static int slow_readlink(const char *path, char *buffer, size_t size) {
    char real[PATH_MAX];
    int problem = source_path(path, real);
    if (problem) return problem;
    ssize_t length = readlink(real, buffer, size - 1);
    if (length < 0) return -errno;
    buffer[length] = '\0';
    return 0;
}

static int slow_readdir(const char *path, void *buffer, fuse_fill_dir_t fill, off_t offset,
                        struct fuse_file_info *file, enum fuse_readdir_flags flags) {
    (void)offset; (void)file; (void)flags;
    char real[PATH_MAX];
    int problem = source_path(path, real);
    if (problem) return problem;
    DIR *directory = opendir(real);
    if (directory == NULL) return -errno;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        struct stat status = {0};
        status.st_ino = entry->d_ino;
        status.st_mode = (mode_t)DTTOIF(entry->d_type);
        if (fill(buffer, entry->d_name, &status, 0, 0)) break;
    }
    closedir(directory);
    return 0;
}

static int slow_open(const char *path, struct fuse_file_info *file) {
    if ((file->flags & O_ACCMODE) != O_RDONLY) return -EROFS;
    char real[PATH_MAX];
    int problem = source_path(path, real);
    if (problem) return problem;
    wait_latency();
    int descriptor = open(real, O_RDONLY | O_NOATIME);
    if (descriptor < 0 && errno == EPERM) descriptor = open(real, O_RDONLY);
    if (descriptor < 0) return -errno;
    file->fh = (uint64_t)descriptor;
    return 0;
}

static int slow_read(const char *path, char *buffer, size_t size, off_t offset,
                     struct fuse_file_info *file) {
    (void)path;
    wait_latency();
    ssize_t length = pread((int)file->fh, buffer, size, offset);
    return length < 0 ? -errno : (int)length;
}

static int slow_release(const char *path, struct fuse_file_info *file) {
    (void)path;
    close((int)file->fh);
    return 0;
}

static const struct fuse_operations operations = {
    .init = slow_init,
    .getattr = slow_getattr,
    .readlink = slow_readlink,
    .readdir = slow_readdir,
    .open = slow_open,
    .read = slow_read,
    .release = slow_release,
};

int main(int argc, char *argv[]) {
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: slowfs SOURCE MOUNTPOINT [LATENCY seconds, default 0.001]\n");
        return 2;
    }
    if (realpath(argv[1], source) == NULL) {
        fprintf(stderr, "slowfs: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    if (argc == 4) {
        char *end;
        double seconds = strtod(argv[3], &end);
        if (*end != '\0' || seconds < 0 || seconds > 10) {
            fprintf(stderr, "slowfs: latency must be seconds between 0 and 10, not %s\n", argv[3]);
            return 2;
        }
        latency.tv_sec = (time_t)seconds;
        latency.tv_nsec = (long)((seconds - (double)latency.tv_sec) * 1e9);
    }
    char *fuse_argv[] = {argv[0], "-o", "ro,fsname=slowfs", NULL};
    struct fuse_args arguments = FUSE_ARGS_INIT(3, fuse_argv);
    struct fuse *fuse = fuse_new(&arguments, &operations, sizeof operations, NULL);
    if (fuse == NULL) return 2;
    if (fuse_mount(fuse, argv[2]) != 0) return 2;
    fuse_set_signal_handlers(fuse_get_session(fuse));
    struct fuse_loop_config *loop = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(loop, 256);
    fuse_loop_cfg_set_idle_threads(loop, 64);
    int result = fuse_loop_mt(fuse, loop);
    fuse_loop_cfg_destroy(loop);
    fuse_remove_signal_handlers(fuse_get_session(fuse));
    fuse_unmount(fuse);
    fuse_destroy(fuse);
    return result == 0 ? 0 : 2;
}

#!/usr/bin/python3
"""slowfs — a read-only passthrough FUSE file system that makes every open and every read
wait LATENCY seconds (default 0.001) before answering, as a network share or a cloud mount
does: reproducible slow storage for Benchmarks/slow-storage.sh.

Requests are served concurrently (trio): a client with many reads in flight sees the latency
once per wave, a client with one read in flight once per read.

usage: /usr/bin/python3 slowfs.py SOURCE MOUNTPOINT [LATENCY]   (root, or fuse3 for users)
Needs Debian's python3-pyfuse3. Unmount with `umount MOUNTPOINT`.
"""
import errno
import os
import stat
import sys

import pyfuse3
import trio


class SlowPassthrough(pyfuse3.Operations):
    def __init__(self, source, latency):
        super().__init__()
        self.latency = latency
        root = os.lstat(source)
        self.root_inode = root.st_ino
        self.paths = {pyfuse3.ROOT_INODE: source}

    def _inode(self, st_ino):
        return pyfuse3.ROOT_INODE if st_ino == self.root_inode else st_ino

    def _attributes(self, path):
        info = os.lstat(path)
        entry = pyfuse3.EntryAttributes()
        for name in ("st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size", "st_blksize", "st_blocks",
                     "st_atime_ns", "st_mtime_ns", "st_ctime_ns"):
            setattr(entry, name, getattr(info, name))
        entry.st_ino = self._inode(info.st_ino)
        entry.entry_timeout = 300
        entry.attr_timeout = 300
        self.paths[entry.st_ino] = path
        return entry

    def _path(self, inode):
        try:
            return self.paths[inode]
        except KeyError:
            raise pyfuse3.FUSEError(errno.ENOENT)

    async def lookup(self, parent_inode, name, ctx=None):
        path = os.path.join(self._path(parent_inode), os.fsdecode(name))
        try:
            return self._attributes(path)
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)

    async def getattr(self, inode, ctx=None):
        try:
            return self._attributes(self._path(inode))
        except OSError as error:
            raise pyfuse3.FUSEError(error.errno)

    async def readlink(self, inode, ctx):
        return os.fsencode(os.readlink(self._path(inode)))

    async def opendir(self, inode, ctx):
        return inode

    async def readdir(self, inode, start_id, token):
        path = self._path(inode)
        names = sorted(os.listdir(path))
        for index in range(start_id, len(names)):
            attributes = self._attributes(os.path.join(path, names[index]))
            if not pyfuse3.readdir_reply(token, os.fsencode(names[index]), attributes, index + 1):
                break

    async def releasedir(self, fh):
        pass

    async def open(self, inode, flags, ctx):
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise pyfuse3.FUSEError(errno.EROFS)
        await trio.sleep(self.latency)
        return pyfuse3.FileInfo(fh=os.open(self._path(inode), os.O_RDONLY))

    async def read(self, fh, offset, size):
        await trio.sleep(self.latency)
        return os.pread(fh, size, offset)

    async def release(self, fh):
        os.close(fh)

    async def forget(self, inode_list):
        pass


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    source, mountpoint = sys.argv[1], sys.argv[2]
    latency = float(sys.argv[3]) if len(sys.argv) == 4 else 0.001
    options = set(pyfuse3.default_options)
    options.add("fsname=slowfs")
    options.add("ro")
    pyfuse3.init(SlowPassthrough(os.path.abspath(source), latency), mountpoint, options)
    try:
        trio.run(pyfuse3.main)
    finally:
        pyfuse3.close(unmount=True)


if __name__ == "__main__":
    main()

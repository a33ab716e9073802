#!/usr/bin/python3
"""synthetic-manifest.py — writes a valid snapcheck manifest of FILES files without a tree
behind it (for the memory of `show` and `diff` at millions of files, issue 15): directories of
1,000 files of one chunk each, every tenth file a copy of an earlier one (so that show finds
duplicate groups). The snapshot id is computed as docs/manifest-format.md specifies.

usage: synthetic-manifest.py FILES OUTPUT
"""
import hashlib
import sys

files, output = int(sys.argv[1]), sys.argv[2]
identity = hashlib.sha256()
counts = {"files": 0, "directories": 0, "bytes": 0, "chunks": 0}
with open(output, "wb") as out:
    def line(text, counted=True):
        data = (text + "\n").encode()
        if counted:
            identity.update(data)
        out.write(data)
    line("snapcheck-manifest v1")
    line("chunking fastcdc-2020 min=262144 avg=1048576 max=4194304 level=1")
    line("hash sha256")
    line("created 2026-12-01T00:00:00Z", counted=False)
    line("entries", counted=False)
    for folder in range((files + 999) // 1000):
        line(f"dir\td{folder:05d}\t0755\t1764547200000000000\t0\tok")
        counts["directories"] += 1
        for index in range(min(1000, files - folder * 1000)):
            number = folder * 1000 + index
            content = number - number % 10 if number % 10 == 9 else number
            size = 1000 + content % 5000
            line(f"file\td{folder:05d}/f{index:03d}\t0644\t1764547200000000000\t{size}\tok")
            line(f"+\t{size}\t{hashlib.sha256(str(content).encode()).hexdigest()}")
            counts["files"] += 1
            counts["bytes"] += size
            counts["chunks"] += 1
    line(f"end files={counts['files']} directories={counts['directories']} symlinks=0 special=0 "
         f"bytes={counts['bytes']} chunks={counts['chunks']} unreadable=0 changed=0", counted=False)
    line(f"snapshot sha256:{identity.hexdigest()}", counted=False)

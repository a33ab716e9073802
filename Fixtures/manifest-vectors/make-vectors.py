#!/usr/bin/env python3
"""Writes the manifest conformance vectors: valid/ and invalid/ beside this script.

    python3 make-vectors.py        (Python 3.9 or later, standard library only)

Written from docs/manifest-format.md and docs/chunking.md alone, not from snapcheck's code:
every trailer, snapshot id and chunk list here is computed by this script (hashlib), and the
multi-chunk file's cut points come from a plain Python transcription of docs/chunking.md,
which the script first checks against Fixtures/fastcdc/expected.txt.

Each valid/FILE (NAME.manifest or NAME.manifest.gz) comes with valid/FILE.snapshot: the
snapshot id it must yield, one line. Each invalid/FILE is named for the one rule it breaks and
comes with invalid/FILE.error: words that snapcheck's one-line error message contains (other
readers need only refuse the manifest).
"""
import gzip, hashlib, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MASK64 = (1 << 64) - 1

# --- FastCDC 2020, transcribed from docs/chunking.md -------------------------------------------
GEAR = [int.from_bytes(hashlib.md5(bytes([i]) * 64).digest()[:8], "big") for i in range(256)]
MASKS = {5: 0x0000000001804110, 6: 0x0000000001803110, 7: 0x0000000018035100, 8: 0x0000001800035300,
         9: 0x0000019000353000, 10: 0x0000590003530000, 11: 0x0000d90003530000, 12: 0x0000d90103530000,
         13: 0x0000d90303530000, 14: 0x0000d90313530000, 15: 0x0000d90f03530000, 16: 0x0000d90303537000,
         17: 0x0000d90703537000, 18: 0x0000d90707537000, 19: 0x0000d91707537000, 20: 0x0000d91747537000,
         21: 0x0000d91767537000, 22: 0x0000d93767537000, 23: 0x0000d93777537000, 24: 0x0000d93777577000,
         25: 0x0000db3777577000}


def chunk_lengths(data, mn, avg, mx, level):
    b = avg.bit_length() - 1
    bits = b + 1 if avg * avg >= 1 << (2 * b + 1) else b
    strict, loose = MASKS[bits + level], MASKS[bits - level]
    lengths, pos = [], 0
    while pos < len(data):
        n = len(data) - pos
        length = n
        if n > mn:
            limit = min(n, mx)
            end, mid = limit & ~1, min(n, avg) & ~1
            g, length = 0, limit
            for i in range(mn & ~1, end):
                g = ((g << 1) + GEAR[data[pos + i]]) & MASK64
                if g & (strict if i < mid else loose) == 0:
                    length = i
                    break
        lengths.append(length)
        pos += length
    return lengths


def splitmix_bytes(seed, length):
    out, state = bytearray(), seed & MASK64
    while len(out) < length:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out += (z ^ (z >> 31)).to_bytes(8, "little")
    return bytes(out[:length])


def check_transcription():
    """The transcription above must reproduce every random:SEED:LENGTH and zeros:LENGTH case of
    Fixtures/fastcdc/expected.txt (the pyfastcdc vectors)."""
    cases, current = [], None
    for line in open(os.path.join(ROOT, "Fixtures/fastcdc/expected.txt")):
        parts = line.split()
        if parts[0] == "case":
            current = (parts[2], dict(p.split("=") for p in parts[3:]), [])
        elif parts[0] == "end":
            cases.append(current)
        else:
            current[2].append(int(parts[1]))
    checked = 0
    for source, params, expected in cases:
        kind, *args = source.split(":")
        if kind == "random":
            data = splitmix_bytes(int(args[0]), int(args[1]))
        elif kind == "zeros":
            data = bytes(int(args[0]))
        else:
            continue
        got = chunk_lengths(data, int(params["min"]), int(params["avg"]), int(params["max"]), int(params["level"]))
        assert got == expected, f"chunking transcription disagrees on {source} {params}"
        checked += 1
    assert checked >= 20, checked
    return checked


# --- Writing manifests --------------------------------------------------------------------------
def escape(name: bytes) -> str:
    out, i = [], 0
    text = name.decode("utf-8", "surrogateescape")
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not part of well-formed UTF-8
            out.append("\\x%02x" % (code - 0xDC00))
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= code <= 0x7E or code >= 0xA0:
            out.append(ch)
        else:  # controls, DEL, C1: each UTF-8 byte escaped
            out.extend("\\x%02x" % b for b in ch.encode("utf-8"))
    return "".join(out)


class Manifest:
    def __init__(self, mn=262144, avg=1048576, mx=4194304, level=1):
        self.params = (mn, avg, mx, level)
        self.header = ["snapcheck-manifest v1", f"chunking fastcdc-2020 min={mn} avg={avg} max={mx} level={level}", "hash sha256"]
        self.extra = []
        self.lines = []
        self.counts = dict(files=0, directories=0, symlinks=0, special=0, bytes=0, chunks=0, unreadable=0, changed=0)

    def entry(self, kind, path, mode=0o644, mtime=1764064321000000000, size=0, status="ok", target=None, content=None):
        name = escape(path)
        if content is not None:
            size = len(content)
        fields = [kind, name, "%04o" % mode, str(mtime), str(size), status]
        if kind == "symlink":
            fields.append(escape(target))
        self.lines.append("\t".join(fields))
        key = {"file": "files", "dir": "directories", "symlink": "symlinks"}.get(kind, "special")
        self.counts[key] += 1
        if status == "unreadable":
            self.counts["unreadable"] += 1
        if status == "changed":
            self.counts["changed"] += 1
        if kind == "file":
            self.counts["bytes"] += size
            if content is not None:
                pos = 0
                for length in chunk_lengths(content, *self.params):
                    digest = hashlib.sha256(content[pos:pos + length]).hexdigest()
                    self.lines.append(f"+\t{length}\t{digest}")
                    pos += length
                    self.counts["chunks"] += 1
        return self

    def end_line(self):
        c = self.counts
        return (f"end files={c['files']} directories={c['directories']} symlinks={c['symlinks']} special={c['special']}"
                f" bytes={c['bytes']} chunks={c['chunks']} unreadable={c['unreadable']} changed={c['changed']}")

    def snapshot(self):
        body = "".join(line + "\n" for line in self.header + self.lines)
        return "sha256:" + hashlib.sha256(body.encode("utf-8")).hexdigest()

    def text(self):
        lines = self.header + self.extra + ["entries"] + self.lines + [self.end_line(), "snapshot " + self.snapshot()]
        return "".join(line + "\n" for line in lines)


def every_kind():
    m = Manifest(mn=64, avg=256, mx=1024, level=1)
    m.entry("dir", b"dir", mode=0o755)
    m.entry("file", b"dir/empty", content=b"")
    m.entry("dir", b"dir/locked", mode=0o700, status="unreadable")
    m.entry("file", b"dir/many-chunks.bin", content=splitmix_bytes(7, 5000))
    m.entry("file", b"dir/one-chunk.txt", content=b"one chunk: at most min bytes\n")
    m.entry("file", b"dir/secret", mode=0o600, size=1234, status="unreadable")
    m.entry("file", b"dir/z-growing.log", content=splitmix_bytes(8, 700), status="changed")
    m.entry("block", b"disk", mode=0o660)
    m.entry("char", b"null", mode=0o666)
    m.entry("fifo", b"pipe", mode=0o600)
    m.entry("socket", b"sock", mode=0o755)
    m.entry("symlink", b"to-dir", mode=0o777, size=3, target=b"dir")
    m.entry("symlink", b"unreadable-link", mode=0o777, size=0, target=b"", status="unreadable")
    m.entry("file", b"z-setuid", mode=0o4755, content=b"#!/bin/sh\n")
    return m


def odd_names():
    m = Manifest()
    names = [b"a b", b"a-b", b"a.txt", b"back\\slash", b"caf\xc3\xa9", b"cafe\xcc\x81", b"del\x7f", b"latin1-\xe9",
             b"new\nline", b"tab\there", b"\xc2\x80c1", b"\xff", b"x" * 255, b"zz-link"]
    # Tree order: a directory compares as if its name ended in '/', so "a-b" and "a.txt" sort
    # before the directory "a" and its children.
    entries = sorted([(n, "file") for n in names] + [(b"a", "dir")], key=lambda e: e[0] + (b"/" if e[1] == "dir" else b""))
    for name, kind in entries:
        if kind == "dir":
            m.entry("dir", name, mode=0o755)
            m.entry("file", name + b"/inner", content=b"inner\n")
        elif name == b"zz-link":
            m.entry("symlink", name, mode=0o777, size=len(b"new\nline"), target=b"new\nline")
        else:
            m.entry("file", name, content=name + b"\n")
    return m


def wide_times():
    m = Manifest()
    times = [("earliest", -(2**63) * 10**9), ("latest", (2**63 - 1) * 10**9 + 999999999), ("minus-one-ns", -1),
             ("epoch", 0), ("year-2300", 10413792000 * 10**9), ("year-1901", -2147483648 * 10**9),
             ("below-int64-ns", -9223372035854775809)]
    for name, t in sorted(times):
        m.entry("file", name.encode(), mtime=t, content=b"t\n")
    return m


def write(directory, name, data, companion=None, companion_text=None):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)
    if companion:
        with open(os.path.join(directory, companion), "w") as f:
            f.write(companion_text + "\n")


def valid():
    out = os.path.join(HERE, "valid")
    shutil.rmtree(out, ignore_errors=True)
    vectors = {"empty": Manifest(), "every-kind": every_kind(), "odd-names": odd_names(), "wide-times": wide_times()}
    header = every_kind()
    header.extra = ["created 2026-11-30T12:00:00Z", "source /srv/caf\u00e9 \\\\ \\x0a"]
    vectors["with-created-and-source"] = header
    for name, m in vectors.items():
        write(out, name + ".manifest", m.text().encode("utf-8"), name + ".manifest.snapshot", m.snapshot())
    text = every_kind().text().encode()
    write(out, "every-kind.manifest.gz", gzip.compress(text, mtime=0), "every-kind.manifest.gz.snapshot", every_kind().snapshot())
    cut = len(text) // 2
    write(out, "two-gzip-members.manifest.gz", gzip.compress(text[:cut], mtime=0) + gzip.compress(text[cut:], mtime=0),
          "two-gzip-members.manifest.gz.snapshot", every_kind().snapshot())
    return len(vectors) + 2


def invalid():
    out = os.path.join(HERE, "invalid")
    shutil.rmtree(out, ignore_errors=True)
    base = every_kind()
    good = base.text()
    lines = good.split("\n")[:-1]

    def joined(ls):
        return "".join(l + "\n" for l in ls)

    def resealed(ls):
        """Recomputes the snapshot line so that only the intended rule is broken."""
        start = ls.index("entries")
        end = next(i for i, l in enumerate(ls) if l.startswith("end"))
        body = "".join(l + "\n" for l in ls[:3] + ls[start + 1:end])
        ls = list(ls)
        ls[end + 1] = "snapshot sha256:" + hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()
        return joined(ls)

    def with_line(index, new, reseal=True):
        ls = list(lines)
        ls[index] = new
        return resealed(ls) if reseal else joined(ls)

    def find(prefix):
        return next(i for i, l in enumerate(lines) if l.startswith(prefix))

    def header_case(header_lines):
        m = every_kind()
        m.header = header_lines[:3]
        text = m.text().split("\n")
        start = text.index("entries")
        return joined(header_lines + text[start:-1])

    entries = lines.index("entries")
    empty_end = "end files=0 directories=0 symlinks=0 special=0 bytes=0 chunks=0 unreadable=0 changed=0"

    def small(entry_lines, end):
        head = ["snapcheck-manifest v1", "chunking fastcdc-2020 min=64 avg=256 max=1024 level=1", "hash sha256"]
        body = "".join(l + "\n" for l in head + entry_lines)
        snap = "sha256:" + hashlib.sha256(body.encode()).hexdigest()
        return joined(head + ["entries"] + entry_lines + [end, "snapshot " + snap])

    one = "+\t1\t" + "0" * 64
    cases = {
        "empty-file": ("", "empty file"),
        "not-a-manifest": ("root:x:0:0:root:/root:/bin/bash\n", "not a snapcheck manifest"),
        "unsupported-version": (good.replace("snapcheck-manifest v1", "snapcheck-manifest v2", 1), "unsupported manifest version"),
        "chunking-out-of-range": (good.replace("min=64 ", "min=32 ", 1), "out of range"),
        "chunking-out-of-order": (good.replace("min=64 avg=256", "min=512 avg=256", 1), "min <= avg <= max"),
        "chunking-not-canonical": (good.replace("min=64 ", "min=064 ", 1), "malformed chunking parameters"),
        "chunking-unknown-algorithm": (good.replace("fastcdc-2020", "fastcdc-2016", 1), "unsupported chunking"),
        "hash-line-missing": (good.replace("hash sha256\n", "", 1), "expected \"hash sha256\""),
        "hash-unknown": (good.replace("hash sha256\n", "hash blake3\n", 1), "expected \"hash sha256\""),
        "header-out-of-order": (header_case(lines[:3] + ["source /a", "created 2026-11-30T12:00:00Z"]), "unexpected header line"),
        "header-repeated": (header_case(lines[:3] + ["created 2026-11-30T12:00:00Z", "created 2026-11-30T12:00:00Z"]), "unexpected header line"),
        "header-unknown-line": (header_case(lines[:3] + ["comment hello"]), "unexpected header line"),
        "header-created-malformed": (header_case(lines[:3] + ["created yesterday"]), "malformed creation time"),
        "header-source-raw-control": (header_case(lines[:3] + ["source /a\x1b[2J"]), "badly escaped source path"),
        "entries-line-with-space": (good.replace("\nentries\n", "\nentries \n", 1), "unexpected header line"),
        "header-truncated": (joined(lines[:3]), "truncated"),
        "path-absolute": (with_line(find("file\tdir/empty"), lines[find("file\tdir/empty")].replace("dir/empty", "/dir/empty")), "absolute path"),
        "path-dot-dot": (with_line(find("file\tdir/empty"), lines[find("file\tdir/empty")].replace("dir/empty", "dir/../empty")), "component"),
        "path-empty-component": (with_line(find("file\tdir/empty"), lines[find("file\tdir/empty")].replace("dir/empty", "dir//empty")), "component"),
        "path-unknown-escape": (with_line(find("file\tdir/empty"), lines[find("file\tdir/empty")].replace("dir/empty", "dir/\\qempty")), "badly escaped path"),
        "path-needless-escape": (with_line(find("file\tdir/empty"), lines[find("file\tdir/empty")].replace("dir/empty", "dir/\\x65mpty")), "badly escaped path"),
        "path-uppercase-escape": (small(["file\ta\\xFF\t0644\t0\t1\tok", one], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "badly escaped path"),
        "path-nul-escape": (small(["file\ta\\x00\t0644\t0\t1\tok", one], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "badly escaped path"),
        "path-raw-control": (small(["file\ta\x01b\t0644\t0\t1\tok", one], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "badly escaped path"),
        "entries-out-of-order": (small(["file\tb\t0644\t0\t1\tok", one, "file\ta\t0644\t0\t1\tok", one], "end files=2 directories=0 symlinks=0 special=0 bytes=2 chunks=2 unreadable=0 changed=0"), "out of order"),
        "entries-plain-byte-order": (small(["dir\ta\t0755\t0\t0\tok", "file\ta-b\t0644\t0\t1\tok", one], "end files=1 directories=1 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "out of order"),
        "entries-duplicate-path": (small(["fifo\ta\t0644\t0\t0\tok", "fifo\ta\t0644\t0\t0\tok"], "end files=0 directories=0 symlinks=0 special=2 bytes=0 chunks=0 unreadable=0 changed=0"), "out of order"),
        "entries-file-and-directory-same-name": (small(["fifo\ta\t0644\t0\t0\tok", "fifo\ta-b\t0644\t0\t0\tok", "dir\ta\t0755\t0\t0\tok"], "end files=0 directories=1 symlinks=0 special=2 bytes=0 chunks=0 unreadable=0 changed=0"), "both as a directory and as another kind"),
        "entries-parent-missing": (small(["fifo\td/a\t0644\t0\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "no directory entry for its parent"),
        "entry-too-few-fields": (small(["fifo\ta\t0644\t0\t0"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "not an entry line"),
        "entry-symlink-without-target": (small(["symlink\ta\t0777\t0\t0\tok"], "end files=0 directories=0 symlinks=1 special=0 bytes=0 chunks=0 unreadable=0 changed=0"), "wrong number of fields"),
        "entry-unknown-kind": (small(["door\ta\t0644\t0\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "not an entry line"),
        "mode-three-digits": (small(["fifo\ta\t644\t0\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed mode"),
        "mode-not-octal": (small(["fifo\ta\t0648\t0\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed mode"),
        "mtime-minus-zero": (small(["fifo\ta\t0644\t-0\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed modification time"),
        "mtime-leading-zero": (small(["fifo\ta\t0644\t01\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed modification time"),
        "mtime-plus-sign": (small(["fifo\ta\t0644\t+1\t0\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed modification time"),
        "mtime-past-the-latest": (small(["fifo\ta\t0644\t%d\t0\tok" % (2**63 * 10**9)], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed modification time"),
        "mtime-before-the-earliest": (small(["fifo\ta\t0644\t%d\t0\tok" % (-(2**63) * 10**9 - 1)], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "malformed modification time"),
        "size-leading-zero": (small(["file\ta\t0644\t0\t01\tok", one], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "malformed size"),
        "size-negative": (small(["file\ta\t0644\t0\t-1\tunreadable"], "end files=1 directories=0 symlinks=0 special=0 bytes=0 chunks=0 unreadable=1 changed=0"), "malformed size"),
        "size-over-63-bits": (small(["file\ta\t0644\t0\t%d\tunreadable" % 2**63], "end files=1 directories=0 symlinks=0 special=0 bytes=%d chunks=0 unreadable=1 changed=0" % 2**63), "malformed size"),
        "sizes-add-up-over-63-bits": (small(["file\ta%d\t0644\t0\t%d\tunreadable" % (i, 2**62) for i in range(2)], "end files=2 directories=0 symlinks=0 special=0 bytes=%d chunks=0 unreadable=2 changed=0" % 2**63), "add up to more than"),
        "status-unknown": (small(["fifo\ta\t0644\t0\t0\tlost"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "unknown status"),
        "status-unreadable-fifo": (small(["fifo\ta\t0644\t0\t0\tunreadable"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=1 changed=0"), "not possible for a fifo"),
        "status-changed-directory": (small(["dir\ta\t0755\t0\t0\tchanged"], "end files=0 directories=1 symlinks=0 special=0 bytes=0 chunks=0 unreadable=0 changed=1"), "not possible for a dir"),
        "symlink-size-mismatch": (small(["symlink\ta\t0777\t0\t5\tok\tdir"], "end files=0 directories=0 symlinks=1 special=0 bytes=0 chunks=0 unreadable=0 changed=0"), "symlink size does not match"),
        "special-with-size": (small(["fifo\ta\t0644\t0\t3\tok"], "end files=0 directories=0 symlinks=0 special=1 bytes=0 chunks=0 unreadable=0 changed=0"), "has size 0"),
        "chunk-for-unreadable-file": (small(["file\ta\t0644\t0\t1\tunreadable", one], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=1 changed=0"), "chunk line for a file recorded as unreadable"),
        "chunk-length-zero": (small(["file\ta\t0644\t0\t0\tok", "+\t0\t" + "0" * 64], "end files=1 directories=0 symlinks=0 special=0 bytes=0 chunks=1 unreadable=0 changed=0"), "chunk length out of range"),
        "chunk-length-over-max": (small(["file\ta\t0644\t0\t1025\tok", "+\t1025\t" + "0" * 64], "end files=1 directories=0 symlinks=0 special=0 bytes=1025 chunks=1 unreadable=0 changed=0"), "chunk length out of range"),
        "chunk-digest-uppercase": (small(["file\ta\t0644\t0\t1\tok", "+\t1\t" + "A" * 64], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "malformed chunk digest"),
        "chunk-digest-short": (small(["file\ta\t0644\t0\t1\tok", "+\t1\t" + "0" * 63], "end files=1 directories=0 symlinks=0 special=0 bytes=1 chunks=1 unreadable=0 changed=0"), "malformed chunk"),
        "chunks-do-not-add-up": (small(["file\ta\t0644\t0\t2\tok", one], "end files=1 directories=0 symlinks=0 special=0 bytes=2 chunks=1 unreadable=0 changed=0"), "add up to 1 bytes, not its size 2"),
        "trailer-counts-wrong": (small(["fifo\ta\t0644\t0\t0\tok"], empty_end), "counts do not match"),
        "snapshot-mismatch": (good.replace(base.snapshot(), "sha256:" + "0" * 64), "snapshot id does not match"),
        "snapshot-line-missing": (joined(lines[:-1]), "no snapshot line"),
        "data-after-snapshot": (good + "more\n", "data after the snapshot line"),
        "truncated-mid-line": (good[:-10], "no newline"),
        "truncated-before-trailer": (joined(lines[:entries + 3]), "truncated"),
        "no-final-newline": (good[:-1], "no newline"),
    }
    for name, (text, message) in cases.items():
        write(out, name + ".manifest", text.encode("utf-8", "surrogateescape"), name + ".manifest.error", message)
    long_line = joined(lines[:entries + 1] + ["x" * (1 << 20 + 1)] + lines[entries + 1:])
    write(out, "line-too-long.manifest.gz", gzip.compress(long_line.encode(), mtime=0), "line-too-long.manifest.gz.error",
          "line longer than 1048576 bytes")
    packed = gzip.compress(good.encode(), mtime=0)
    write(out, "gzip-truncated.manifest.gz", packed[:len(packed) // 2], "gzip-truncated.manifest.gz.error", "truncated")
    write(out, "gzip-trailing-garbage.manifest.gz", packed + b"garbage", "gzip-trailing-garbage.manifest.gz.error", "gzip")
    return len(cases) + 3


if __name__ == "__main__":
    checked = check_transcription()
    print(f"chunking transcription agrees with {checked} pyfastcdc cases")
    print(f"{valid()} valid and {invalid()} invalid vectors written")

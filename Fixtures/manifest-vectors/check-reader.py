#!/usr/bin/env python3
"""A second manifest reader, written from docs/manifest-format.md alone, run over the vectors.

    python3 check-reader.py [FILE...]     (default: every vector in valid/ and invalid/)

It reads every valid vector and checks that the snapshot id it computes is the one in
FILE.snapshot, and refuses every invalid vector. It shows what another implementation has to
do and that the spec and the vectors are enough to do it: it shares no code with snapcheck.
Exit status 0 when it agrees with every vector.
"""
import gzip, hashlib, os, re, sys, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"file", "dir", "symlink", "fifo", "socket", "block", "char"}
STATUSES = {"file": {"ok", "unreadable", "changed"}, "dir": {"ok", "unreadable"}, "symlink": {"ok", "unreadable"}}
DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
SIGNED = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


class Invalid(Exception):
    pass


def text_of(data):
    if data[:2] == b"\x1f\x8b":
        out, rest = b"", data
        while rest:
            if rest[:2] != b"\x1f\x8b":
                raise Invalid("data after the gzip stream")
            d = zlib.decompressobj(31)
            try:
                out += d.decompress(rest)
            except zlib.error as e:
                raise Invalid(f"damaged gzip: {e}")
            if not d.eof:
                raise Invalid("truncated gzip")
            rest = d.unused_data
        data = out
    if not data:
        raise Invalid("empty")
    if not data.endswith(b"\n"):
        raise Invalid("no final newline")
    lines = data[:-1].split(b"\n")
    if any(len(l) > 1 << 20 for l in lines):
        raise Invalid("line too long")
    return lines


def unescape(text):
    out, i = bytearray(), 0
    while i < len(text):
        c = text[i]
        if c == 0x5C:
            if text[i + 1:i + 2] == b"\\":
                out.append(0x5C); i += 2; continue
            m = re.match(rb"x([0-9a-f]{2})", text[i + 1:i + 4])
            if not m:
                raise Invalid("bad escape")
            out.append(int(m.group(1), 16)); i += 4
            continue
        out.append(c); i += 1
    raw = bytes(out)
    if b"\x00" in raw or escape(raw) != text:  # exactly one escaped form
        raise Invalid("not the canonical escape")
    return raw


def escape(raw):
    out, s = [], raw.decode("utf-8", "surrogateescape")
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        elif ch == "\\":
            out.append("\\\\")
        elif 0x20 <= o <= 0x7E or o >= 0xA0:
            out.append(ch)
        else:
            out.extend("\\x%02x" % b for b in ch.encode())
    return "".join(out).encode("utf-8", "surrogateescape")


def tree_key(path, is_dir):
    return path + b"/" if is_dir else path


def read(data):
    lines = text_of(data)
    if lines[0] != b"snapcheck-manifest v1":
        raise Invalid("version")
    m = re.fullmatch(rb"chunking fastcdc-2020 min=(\S+) avg=(\S+) max=(\S+) level=(\S+)", lines[1] if len(lines) > 1 else b"")
    if not m or not all(DECIMAL.match(g.decode()) for g in m.groups()):
        raise Invalid("chunking")
    mn, avg, mx, level = (int(g) for g in m.groups())
    if not (64 <= mn <= 1 << 20 and 256 <= avg <= 1 << 22 and 1024 <= mx <= 1 << 24 and 0 <= level <= 3 and mn <= avg <= mx):
        raise Invalid("chunking range")
    if len(lines) < 3 or lines[2] != b"hash sha256":
        raise Invalid("hash")
    i = 3
    if i < len(lines) and lines[i].startswith(b"created "):
        if not re.fullmatch(rb"created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[i]):
            raise Invalid("created")
        i += 1
    if i < len(lines) and lines[i].startswith(b"source "):
        unescape(lines[i][7:])
        i += 1
    if i >= len(lines) or lines[i] != b"entries":
        raise Invalid("header")
    identity = hashlib.sha256(b"".join(l + b"\n" for l in lines[:3]))
    counts = dict(files=0, directories=0, symlinks=0, special=0, bytes=0, chunks=0, unreadable=0, changed=0)
    previous, directories, names = None, set(), set()
    i += 1
    while True:
        if i >= len(lines):
            raise Invalid("truncated")
        line = lines[i]
        if line.startswith(b"end"):
            break
        identity.update(line + b"\n")
        f = line.split(b"\t")
        kind = f[0].decode("utf-8", "replace")
        if kind not in KINDS or len(f) != (7 if kind == "symlink" else 6):
            raise Invalid("entry fields")
        path = unescape(f[1])
        parts = path.split(b"/")
        if not path or path.startswith(b"/") or any(p in (b"", b".", b"..") for p in parts):
            raise Invalid("path")
        if not re.fullmatch(rb"[0-7]{4}", f[2]) or not SIGNED.match(f[3].decode("utf-8", "replace")) or not DECIMAL.match(f[4].decode("utf-8", "replace")):
            raise Invalid("numbers")
        seconds, _ = divmod(int(f[3]), 10**9)
        size = int(f[4])
        if not -(2**63) <= seconds < 2**63 or size >= 2**63:
            raise Invalid("range")
        status = f[5].decode("utf-8", "replace")
        if status not in STATUSES.get(kind, {"ok"}):
            raise Invalid("status")
        is_dir = kind == "dir"
        key = tree_key(path, is_dir)
        if previous is not None and key <= previous:
            raise Invalid("order")
        if path in names:
            raise Invalid("duplicate name")
        names.add(path)
        previous = key
        if len(parts) > 1 and b"/".join(parts[:-1]) not in directories:
            raise Invalid("parent")
        if is_dir:
            directories.add(path)
        if kind == "symlink":
            if len(unescape(f[6])) != size:
                raise Invalid("symlink size")
        elif kind != "file" and size != 0:
            raise Invalid("size of a special entry")
        total = 0
        i += 1
        while i < len(lines) and lines[i].startswith(b"+"):
            identity.update(lines[i] + b"\n")
            c = re.fullmatch(rb"\+\t(0|[1-9][0-9]*)\t([0-9a-f]{64})", lines[i])
            if kind != "file" or status == "unreadable" or not c or not 1 <= int(c.group(1)) <= mx:
                raise Invalid("chunk line")
            total += int(c.group(1))
            counts["chunks"] += 1
            i += 1
        if kind == "file" and status != "unreadable" and total != size:
            raise Invalid("chunk sum")
        counts[{"file": "files", "dir": "directories", "symlink": "symlinks"}.get(kind, "special")] += 1
        counts["bytes"] += size if kind == "file" else 0
        if counts["bytes"] >= 2**63:
            raise Invalid("total size")
        counts["unreadable"] += status == "unreadable"
        counts["changed"] += status == "changed"
    expected_end = "end " + " ".join(f"{k}={v}" for k, v in counts.items())
    if lines[i] != expected_end.encode():
        raise Invalid("trailer")
    snapshot = "sha256:" + identity.hexdigest()
    if i + 1 >= len(lines) or lines[i + 1] != ("snapshot " + snapshot).encode():
        raise Invalid("snapshot")
    if i + 2 != len(lines):
        raise Invalid("data after snapshot")
    return snapshot


def main(paths):
    if not paths:
        paths = [os.path.join(HERE, d, f) for d in ("valid", "invalid") for f in sorted(os.listdir(os.path.join(HERE, d)))
                 if f.endswith((".manifest", ".manifest.gz"))]
    disagreements = 0
    for path in paths:
        valid = os.path.basename(os.path.dirname(path)) == "valid"
        try:
            snapshot = read(open(path, "rb").read())
            outcome = snapshot if valid and snapshot == open(path + ".snapshot").read().strip() else f"accepted ({snapshot})"
            ok = valid and outcome == snapshot
        except Invalid as e:
            outcome, ok = f"refused: {e}", not valid
        if not ok:
            disagreements += 1
            print(f"DISAGREES {os.path.relpath(path, HERE)}: {outcome}")
    print(f"{len(paths) - disagreements} of {len(paths)} vectors agree")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""CLI-level mutation test of the manifest reader: thousands of damaged manifests against
`snapcheck show` and `snapcheck verify`.

    Tests/scripts/mutate-manifests.py [--count N] [--seed S] [--snapcheck PATH]

Builds a small tree with odd names, records it, then derives mutants of the manifest: bit
flips, truncations, line deletions, duplications and swaps, number edits at the Int64 and
UInt64 edges, escape edits, gzip damage, concatenated gzip members, lines of 10 MB, and each
line-level edit again "resealed" (snapshot line recomputed, so the damage gets past the id
check). Every run must end within 20 s with exit 0, 1 or 2, never a signal; exit 2 must come
with exactly one line on stderr and no control characters in it; and a mutant may verify the
original tree (exit 0 under --metadata strict) only if its identity lines (version, chunking,
hash and entry lines) are byte for byte the original's. Exit status 0 when every mutant
passed, 1 otherwise (the failures are listed and kept in a folder).
"""
import argparse, gzip, hashlib, os, random, re, shutil, subprocess, sys, tempfile, time

EDGE_NUMBERS = [
    "0", "1", "-1", "-0", "+1", "01", "00",
    str(2**31 - 1), str(2**31), str(2**32), str(2**53 + 1),
    str(2**63 - 1), str(2**63), str(2**64 - 1), str(2**64), str(2**64 + 1),
    str(-2**63), str(-2**63 - 1), str(-2**63 + 1), "-9223372035854775809",
    str((2**63 - 1) * 10**9 + 999999999), str(-2**63 * 10**9), str(-2**63 * 10**9 - 1), str(2**127), "9" * 40,
    "1e3", " 1", "", "0x10",
]
ESCAPES = ["\\x41", "\\xZZ", "\\\\", "\\x00", "\\x0a", "\\x7f", "\\xc3\\xa9", "\\", "\\q", "\x01", "\x1b[2J", "\xff", "é", "\t"]


def run(snapcheck, args, timeout=20):
    start = time.monotonic()
    try:
        proc = subprocess.run([snapcheck] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout", timeout
    return proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start


def make_tree(root):
    os.makedirs(os.path.join(root, "dir/sub"))
    os.makedirs(os.path.join(root, "a-b"))
    with open(os.path.join(root, "one"), "wb") as f: f.write(b"x")
    open(os.path.join(root, "empty"), "wb").close()
    with open(os.path.join(root, "multi.bin"), "wb") as f: f.write(random.Random(1).randbytes(300_000))
    with open(os.path.join(root.encode(), b"bad\xff"), "wb") as f: f.write(b"b")
    with open(os.path.join(root, "new\nline"), "wb") as f: f.write(b"n\n")
    with open(os.path.join(root, "dir/sub/z"), "wb") as f: f.write(b"z" * 5000)
    with open(os.path.join(root, "a-b/c"), "wb") as f: f.write(b"c")
    os.symlink("one", os.path.join(root, "link"))
    os.symlink("tar\tget", os.path.join(root, "oddlink"))
    os.mkfifo(os.path.join(root, "fifo"))
    os.utime(os.path.join(root, "one"), ns=(0, 10413792000 * 10**9 + 5))


def identity(data):
    """The identity lines of a manifest (decompressed if gzip), or None if unreadable as such."""
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except Exception:
        return None
    lines = data.split(b"\n")
    if b"entries" not in lines:
        return None
    start = lines.index(b"entries")
    end = next((i for i, l in enumerate(lines) if l.startswith(b"end")), None)
    if end is None:
        return None
    return lines[:3] + lines[start + 1:end]


def reseal(lines):
    """Recomputes the snapshot line after line-level edits (so they get past the id check)."""
    try:
        start = lines.index(b"entries")
        end = next(i for i, l in enumerate(lines) if l.startswith(b"end"))
    except (ValueError, StopIteration):
        return lines
    body = b"".join(l + b"\n" for l in lines[:3] + lines[start + 1:end])
    out = list(lines)
    if end + 1 < len(out):
        out[end + 1] = b"snapshot sha256:" + hashlib.sha256(body).hexdigest().encode()
    return out


def mutants(original, rng, count):
    lines = original.split(b"\n")[:-1]
    numeric = [(i, m.start(), m.end()) for i, l in enumerate(lines) for m in re.finditer(rb"-?\d+", l)]
    entry_lines = [i for i, l in enumerate(lines) if l.split(b"\t")[0] in (b"file", b"dir", b"symlink", b"fifo")]
    joined = lambda ls: b"".join(l + b"\n" for l in ls)
    kinds = ["flip", "truncate", "delete", "duplicate", "swap", "number", "escape", "gzip-damage", "gzip-members", "long-line"]
    for n in range(count):
        kind = kinds[n % len(kinds)]
        sealed = kind in ("delete", "duplicate", "swap", "number", "escape") and rng.random() < 0.5
        ls = list(lines)
        if kind == "flip":
            data = bytearray(original)
            for _ in range(rng.randint(1, 3)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            yield kind, bytes(data)
            continue
        if kind == "truncate":
            yield kind, original[:rng.randrange(len(original))]
            continue
        if kind == "gzip-damage":
            packed = bytearray(gzip.compress(original))
            if rng.random() < 0.5:
                packed[rng.randrange(len(packed))] ^= 1 << rng.randrange(8)
                yield kind, bytes(packed)
            else:
                yield kind, bytes(packed[:rng.randrange(len(packed))])
            continue
        if kind == "gzip-members":
            cut = rng.randrange(len(original))
            yield kind, gzip.compress(original[:cut]) + gzip.compress(original[cut:]) + (b"\x00" * rng.randint(0, 2))
            continue
        if kind == "long-line":
            ls.insert(rng.randrange(len(ls) + 1), b"a" * (10 << 20))
            yield kind, joined(ls)
            continue
        if kind == "delete":
            del ls[rng.randrange(len(ls))]
        elif kind == "duplicate":
            i = rng.randrange(len(ls)); ls.insert(i, ls[i])
        elif kind == "swap":
            i = rng.randrange(len(ls) - 1); ls[i], ls[i + 1] = ls[i + 1], ls[i]
        elif kind == "number":
            i, a, b = rng.choice(numeric)
            ls[i] = ls[i][:a] + rng.choice(EDGE_NUMBERS).encode() + ls[i][b:]
        elif kind == "escape":
            i = rng.choice(entry_lines)
            fields = ls[i].split(b"\t")
            p = rng.randrange(len(fields[1]) + 1)
            fields[1] = fields[1][:p] + rng.choice(ESCAPES).encode("utf-8", "surrogateescape") + fields[1][p:]
            ls[i] = b"\t".join(fields)
        if sealed:
            ls = reseal(ls)
        yield kind + ("+sealed" if sealed else ""), joined(ls)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--snapcheck", default=os.environ.get("SNAPCHECK", ".build/release/snapcheck"))
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = tempfile.mkdtemp(prefix="snapcheck-mutate-")
    failures = os.path.join(work, "failures")
    os.makedirs(failures)
    tree = os.path.join(work, "tree")
    os.makedirs(tree)
    make_tree(tree)
    manifest = os.path.join(work, "original.manifest")
    status, _, err, _ = run(options.snapcheck, ["manifest", tree, "-o", manifest, "--min", "4K", "--avg", "16K", "--max", "64K"])
    assert status == 0, err
    original = open(manifest, "rb").read()
    original_identity = identity(original)
    status, _, err, _ = run(options.snapcheck, ["verify", manifest, tree, "--metadata", "strict"])
    assert status == 0, err
    problems, counts, slowest = [], {}, 0.0
    mutant_path = os.path.join(work, "mutant")
    for number, (kind, data) in enumerate(mutants(original, rng, options.count)):
        with open(mutant_path, "wb") as f: f.write(data)
        for command in (["show", mutant_path], ["verify", mutant_path, tree, "--metadata", "strict"]):
            status, out, err, seconds = run(options.snapcheck, command)
            slowest = max(slowest, seconds)
            counts[(command[0], status)] = counts.get((command[0], status), 0) + 1
            problem = None
            if status is None:
                problem = "did not finish within 20 s"
            elif status not in (0, 1, 2):
                problem = f"exit status {status} (signal {-status} if negative)"
            elif status == 2 and (err.count(b"\n") != 1 or not err.endswith(b"\n")):
                problem = "exit 2 with %d stderr lines: %r" % (err.count(b"\n"), err[:300])
            elif status == 2 and any(c < 0x20 and c != 0x0A or c == 0x7F for c in err):
                problem = f"control character on stderr: {err[:300]!r}"
            elif command[0] == "verify" and status == 0 and identity(data) != original_identity:
                problem = "a mutant whose entries differ verified the original tree"
            if problem:
                saved = os.path.join(failures, f"{number:05d}-{kind}")
                shutil.copyfile(mutant_path, saved)
                problems.append(f"{saved}: {command[0]}: {problem}")
    print(f"{options.count} mutants x 2 commands; slowest run {slowest:.2f} s")
    for (command, status), n in sorted(counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        print(f"  {command:7} exit {status}: {n}")
    if problems:
        print(f"{len(problems)} problems (mutants kept in {failures}):")
        for p in problems[:50]: print("  " + p)
        return 1
    shutil.rmtree(work)
    print("no problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Regenerates expected.txt: FastCDC 2020 chunk lists computed independently with pyfastcdc.

    pip install pyfastcdc==0.3.1 && python3 make-fixtures.py > expected.txt

pyfastcdc 0.3.1 is a direct port of fastcdc-rs v2020, the reference snapcheck follows
(docs/chunking.md in this repository). Inputs are not stored: each case names a generator that the
Swift tests reproduce byte for byte (Tests/SnapCheckTests/Chunking/FixtureInput.swift):

  random:SEED:LENGTH  splitmix64 outputs from SEED, each as 8 little-endian bytes, cut to LENGTH
  zeros:LENGTH        LENGTH zero bytes
  words:SEED:LENGTH   words from WORDS picked by splitmix64 (index = output % len(WORDS)),
                      each followed by one space, cut to LENGTH (low-entropy text)

Each case is a line `case NAME INPUT min=.. avg=.. max=.. level=..` followed by one line per
chunk: `OFFSET LENGTH SHA256` (SHA-256 from Python's hashlib), then `end`.
"""
import hashlib
import sys

from pyfastcdc import FastCDC

MASK = (1 << 64) - 1
WORDS = ["backup", "restore", "verify", "the", "a", "of", "snapshot", "chunk", "file", "tree",
         "byte", "manifest", "and", "disk", "copy", "error"]


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def make_input(spec):
    kind, *args = spec.split(":")
    if kind == "zeros":
        return bytes(int(args[0]))
    seed, length = int(args[0]), int(args[1])
    out = bytearray()
    generator = splitmix64(seed)
    if kind == "random":
        while len(out) < length:
            out += next(generator).to_bytes(8, "little")
    elif kind == "words":
        while len(out) < length:
            out += WORDS[next(generator) % len(WORDS)].encode() + b" "
    else:
        raise SystemExit(f"unknown input kind {kind}")
    return bytes(out[:length])


def cases():
    # Every normalization level on ordinary data.
    for level in range(4):
        yield f"l{level}-8k", "random:1:1048576", 2048, 8192, 65536, level
    # Smallest sizes allowed, level 3 with avg 256 (uses MASKS[5]).
    yield "tiny-l3", "random:2:65536", 64, 256, 1024, 3
    yield "tiny-l0", "random:2:65536", 64, 256, 1024, 0
    # Odd min, avg and max (docs/chunking.md, "Cutting one chunk").
    for level in (1, 2):
        yield f"odd-l{level}", "random:3:524288", 1001, 3001, 9001, level
    # avg not a power of two: round(log2(12288)) = 14, not 13.
    yield "avg12288", "random:4:1048576", 3072, 12288, 49152, 1
    # min = avg = max.
    yield "equal", "random:5:100000", 4096, 4096, 4096, 1
    # snapcheck's defaults.
    yield "default", "random:6:9437184", 262144, 1048576, 4194304, 1
    # Degenerate inputs.
    yield "zeros", "zeros:300000", 2048, 8192, 65536, 1
    yield "words", "words:7:600000", 2048, 8192, 65536, 2
    # Input sizes around min, avg and max, with even and odd sizes.
    for (mn, av, mx) in ((2048, 8192, 65536), (1001, 3001, 9001)):
        for n in (0, 1, mn - 1, mn, mn + 1, mn + 2, av - 1, av, av + 1, mx - 1, mx, mx + 1, mx + 2,
                  2 * mx + 7):
            yield f"size{n}-of-{mn}", f"random:8:{n}", mn, av, mx, 1


def main():
    out = sys.stdout
    for name, spec, mn, av, mx, level in cases():
        data = make_input(spec)
        out.write(f"case {name} {spec} min={mn} avg={av} max={mx} level={level}\n")
        cdc = FastCDC(av, min_size=mn, max_size=mx, normalized_chunking=level)
        for chunk in cdc.cut_buf(data):
            piece = data[chunk.offset:chunk.offset + chunk.length]
            out.write(f"{chunk.offset} {chunk.length} {hashlib.sha256(piece).hexdigest()}\n")
        out.write("end\n")


if __name__ == "__main__":
    main()

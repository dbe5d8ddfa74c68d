#!/usr/bin/env python3
"""Writes the request bodies the load and soak scripts send: the 5-byte gRPC
frame header and a hand-encoded protobuf, one file per call type.
Usage: frames.py OUT_DIR"""
import struct, sys
out = sys.argv[1]
def field(no, data):  # length-delimited field
    n, varint = len(data), b""
    while True:
        b = n & 0x7F
        n >>= 7
        varint += bytes([b | (0x80 if n else 0)])
        if not n:
            break
    return bytes([(no << 3) | 2]) + varint + data
def frame(msg):
    return b"\0" + struct.pack(">I", len(msg)) + msg
sentences = [
    "The council approved the new budget after a long debate on Tuesday evening.",
    "Residents asked for more buses on the northern routes, which are often full by eight.",
    "A spokesperson said the library would keep its weekend opening hours for another year.",
    "Engineers expect the bridge repairs to finish before the first snow arrives.",
    "Shop owners on the high street reported their best December in a decade.",
    "Volunteers planted two hundred trees along the river path over the weekend.",
]
def text(size):
    parts, i = [], 0
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(sentences[i % len(sentences)]); i += 1
        if i % 4 == 0: parts[-1] += "\n"
    return " ".join(parts)[:size]
def page(size):
    nav = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(12))
    body = "".join(f"<p>{p}</p>" for p in text(size - 1500).split("\n") if p.strip())
    return (f'<html><head><title>Budget | Town News</title></head><body><ul class="menu">{nav}</ul>'
            f'<article><h1>Budget approved</h1>{body}</article>'
            f'<footer>© 2026 Town News. All rights reserved.</footer></body></html>')
bodies = {
    "health": b"",
    "detect": field(1, text(1024).encode()),
    "summarize": field(1, text(5 * 1024).encode()),
    "strip": field(2, page(100 * 1024).encode()),
    "process": field(3, page(100 * 1024).encode()),
    "process4m": field(3, page(4_000_000).encode()),
}
for name, msg in bodies.items():
    open(f"{out}/{name}.bin", "wb").write(frame(msg))
# The same documents as plain files, for the in-process per-call figures
# (`cargo bench --bench throughput -- --calls OUT_DIR`).
docs = {"detect.txt": text(1024), "summarize.txt": text(5 * 1024),
        "strip.html": page(100 * 1024), "process.html": page(100 * 1024),
        "process4m.html": page(4_000_000)}
for name, doc in docs.items():
    open(f"{out}/{name}", "w").write(doc)

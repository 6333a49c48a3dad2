#!/usr/bin/env python3
"""Where a reflector's CPU went, from `perf script` output of a perf record -g of the server
(run.sh with PERF=1). Java frames are named through the JVM's perf map (-XX:+DumpPerfMapAtExit)
and walked through frame pointers (-XX:+PreserveFramePointer). Prints: the share of samples per
thread, the share whose innermost frame is in the kernel, the share of samples whose stack
passes through each of the named parts of a handshake (one sample can count in several), and
the hottest innermost frames. Reads stdin; prints figures, asserts nothing."""
import collections
import re
import sys

# Part of a handshake -> a substring of a frame that identifies it.
PARTS = [
    ("Ed25519 (BouncyCastle RFC 8032)", "rfc8032.Ed25519"),
    ("X25519 key pair + agreement", "Curve25519Provider$X25519"),
    ("field arithmetic of both curves", "rfc7748.X25519Field"),
    ("AES-GCM", "GaloisCounterMode"),
    ("ChaCha20-Poly1305", "ChaCha20Cipher"),
    ("SHA-2 (transcript, HKDF)", "DigestBase"),
    ("exceptions (stack traces filled)", "Throwable.fillInStackTrace"),
    ("algorithm constraints", "AlgorithmConstraints"),
    ("SunJSSE handshake, consuming", "SSLHandshake.consume"),
    ("SunJSSE handshake, producing", "SSLHandshake.produce"),
    ("Netty SslHandler", "SslHandler"),
    ("reflector: identity, access", "reflector.server.PeerIdentityHandler"),
    ("reflector: requests", "reflector.rpc"),
    ("Jackson", "com.fasterxml.jackson"),
    ("audit log", "reflector.audit"),
    ("Netty leak detector", "ResourceLeakDetector"),
]

HEAD = re.compile(r"^(.+?)\s+\d+(?:/\d+)?\s+\d+\.\d+:")
FRAME = re.compile(r"^\s*[0-9a-f]+\s+(.*?)(?:\+0x[0-9a-f]+)?\s+\((.*)\)$")


def samples(lines):
    """Yields (thread, [(symbol, object)] innermost first) per sample."""
    head, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if head is not None:
                yield head, frames
            head, frames = None, []
        elif head is None:
            m = HEAD.match(line)
            head = m.group(1).strip() if m else "?"
        else:
            m = FRAME.match(line)
            if m:
                frames.append((m.group(1), m.group(2)))
    if head is not None:
        yield head, frames


def main():
    total = 0
    threads = collections.Counter()
    kernel = 0
    parts = collections.Counter()
    leaves = collections.Counter()
    for thread, frames in samples(sys.stdin):
        if not frames:
            continue
        total += 1
        threads[re.sub(r"[-#]?\d+$", "", thread)] += 1
        if "kernel" in frames[0][1]:
            kernel += 1
        stack = "\n".join(symbol for symbol, _ in frames)
        for name, needle in PARTS:
            if needle in stack:
                parts[name] += 1
        leaves[re.sub(r"\(.*\)", "()", frames[0][0])[:110]] += 1
    if total == 0:
        print("perf breakdown: no samples")
        return
    pct = lambda n: 100.0 * n / total
    print(f"perf breakdown: {total} samples; innermost frame in the kernel: {pct(kernel):.1f} %")
    print("  by thread:")
    for name, n in threads.most_common(6):
        print(f"    {pct(n):5.1f} %  {name}")
    print("  stacks passing through (one sample may count in several):")
    for name, _ in PARTS:
        if parts[name]:
            print(f"    {pct(parts[name]):5.1f} %  {name}")
    print("  hottest innermost frames:")
    for name, n in leaves.most_common(12):
        print(f"    {pct(n):5.1f} %  {name}")


if __name__ == "__main__":
    main()

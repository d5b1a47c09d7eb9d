#!/usr/bin/env python3
"""session_seeds.py - writes the seed corpus of fuzz_session (tests/fuzz/corpus-session).

Each seed is one selector byte (bit 0: 0 = the agent without a token, 1 = the agent
that requires "fuzz-token"), then the client's bytes on one connection: frames of a
4-byte big-endian length and a payload.  Run it from the repository root after
changing the protocol; the seeds are committed."""
import hashlib
import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-session")


def frame(payload):
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return struct.pack(">I", len(payload)) + payload


def put(body, name="w", size=None, chunks=None, sha=None, rid=10):
    sha = sha or hashlib.sha256(body).hexdigest()
    out = frame({"op": "put", "id": rid, "name": name, "sha256": sha,
                 "size": len(body) if size is None else size})
    for c in (chunks if chunks is not None else [body]):
        out += frame(c)
    return out + frame(b"")


WORK = b'{"type":"meta","workload":"cpu.int","ops_per_rep":5}\n{"type":"rep","rep":0,"ns":100}\nnot json\n{"type":"end"}\n'
WORK2 = b"a plain line\n\xff\xfe stray bytes\n" + "€".encode() * 30 + b"\n"
HELLO = {"op": "hello", "id": 1, "protocol": 1}
HELLO_T = {"op": "hello", "id": 1, "protocol": 1, "token": "fuzz-token"}
E30 = "€" * 30


def run(sha, rid=20, **kw):
    req = {"op": "run", "id": rid, "sha256": sha, "workload": "cpu.int"}
    req.update(kw)
    return frame(req)


SHA = hashlib.sha256(WORK).hexdigest()
SHA2 = hashlib.sha256(WORK2).hexdigest()

seeds = {
    "hello-ping-bye": b"\0" + frame(HELLO) + frame({"op": "ping", "id": 2, "t_client_ns": 5,
                                                    "data": {"a": [1, "x", None, True]}})
    + frame({"op": "bye", "id": 3}),
    "sysinfo": b"\0" + frame({"op": "sysinfo", "id": 1}),
    "events-probe": b"\0" + frame({"op": "events-probe", "id": 1,
                                   "events": ["cycles", "task-clock", "nope", "a,b", E30]}),
    "events-probe-bad": b"\0" + frame({"op": "events-probe", "id": 1, "events": "cycles"})
    + frame({"op": "events-probe", "id": 2, "events": [1]}),
    "put-run": b"\0" + put(WORK) + run(SHA, params={"n": 4096, "huge": True, "s": "x"},
                                       events=["task-clock"], reps=2, warmup=0, cpu=0,
                                       min_time_ms=5, ops=100, timeout_ms=1000)
    + run(SHA, 21, cpu="none") + run(SHA, 22),
    "put-run-output": b"\0" + put(WORK2, name="w2") + run(SHA2),
    "put-exists": b"\0" + put(WORK) + frame({"op": "put", "id": 11, "name": "w", "sha256": SHA,
                                             "size": len(WORK)}) + frame({"op": "ping"}),
    "put-chunks": b"\0" + put(WORK, chunks=[WORK[:10], WORK[10:50], WORK[50:]]),
    "put-wrong-hash": b"\0" + put(WORK, sha="0" * 64) + frame({"op": "ping", "id": 2}),
    "put-truncated": b"\0" + put(WORK, size=len(WORK) + 5) + frame({"op": "ping", "id": 2}),
    "put-too-long": b"\0" + put(WORK, size=4),
    "put-too-large": b"\0" + frame({"op": "put", "id": 1, "name": "w", "sha256": SHA,
                                    "size": 1 << 30}),
    "put-bad-fields": b"\0" + frame({"op": "put", "id": 1, "name": "../w", "sha256": SHA,
                                     "size": 1}) + frame({"op": "put", "id": 2, "name": "w",
                                                          "sha256": "ABC", "size": 1.5}),
    "run-not-found": b"\0" + run("1" * 64) + run("1" * 64, 2, workload="-rf"),
    "run-bad-fields": b"\0" + run(SHA, reps=0) + run(SHA, 2, params=[1])
    + run(SHA, 3, params={E30: {}}) + run(SHA, 4, events=[E30]) + run(SHA, 5, cpu=-1),
    "relay-child": b"\0" + frame({"op": "relay", "id": 1, "to": "unix:/fuzz/child"})
    + frame(HELLO_T) + frame({"op": "ping", "id": 2}) + frame({"op": "bye", "id": 3}),
    "relay-chain": b"\0" + frame({"op": "relay", "id": 1, "to": "unix:/fuzz/a"})
    + frame(HELLO_T) + frame({"op": "relay", "id": 2, "to": "serial:/fuzz/b"})
    + frame({"op": "ping", "id": 3}) + put(WORK) + run(SHA),
    "relay-refused": b"\0" + frame({"op": "relay", "id": 1, "to": "tcp:127.0.0.1:7420",
                                    "timeout_ms": 10}) + frame({"op": "relay", "id": 2,
                                                                "to": "vsock:3:7420"})
    + frame({"op": "relay", "id": 3, "to": "ftp:" + E30}) + frame({"op": "ping", "id": 4}),
    "exits": b"\0" + frame({"op": "exits-start", "id": 1, "target": "auto"})
    + frame({"op": "exits-stop", "id": 2})
    + frame({"op": "exits-start", "id": 3, "target": [1, 2], "reasons": False})
    + frame({"op": "exits-start", "id": 4, "target": "all"})
    + frame({"op": "exits-start", "id": 5, "target": "x", "reasons": 1}),
    "bad-json": b"\0" + frame("{\"op\": \"ping\", ") + frame("[1,2]") + frame("{\"id\":3}")
    + frame("{\"op\":5}") + frame("{\"op\":\"x\",\"id\":[1]}") + frame("{\"op\":\"ping\"} x"),
    "not-utf8": b"\0" + frame(b'{"op":"ping","id":"\xff"}') + frame(b'{"op":"\xed\xa0\x80"}')
    + frame(b'{"op":"\xc0\xaf"}') + frame(b'{"op":"p\xe2\x82"}') + frame({"op": "ping"}),
    "bom": b"\0" + frame(b'\xef\xbb\xbf{"op":"ping","id":1}'),
    "escapes": b"\0" + frame('{"op":"ping\\u0000x","id":1}') + frame('{"op":"\\ud800"}')
    + frame('{"op":"\\udc00\\ud800"}') + frame('{"op":"ping","id":"\\ud83d\\ude00",'
                                               '"data":"\\\\u0000"}'),
    "unknown-op": b"\0" + frame({"op": E30, "id": 1}) + frame({"op": "format-disk", "id": 2}),
    "empty-frame": b"\0" + frame({"op": "ping"}) + frame(b""),
    "oversized": b"\0" + struct.pack(">I", 100 << 20) + b'{"op":"ping"}',
    "truncated": b"\0" + struct.pack(">I", 100) + b'{"op"',
    "nul-byte": b"\0" + frame(b'{"op":"a\0"}'),
    "token-wrong-then-right": b"\1" + frame({"op": "ping", "id": 1})
    + b"".join(frame({"op": "hello", "id": 2 + i, "token": "wrong"}) for i in range(5))
    + frame(HELLO_T) + frame({"op": "ping", "id": 9}),
    "token-deauth": b"\1" + frame(HELLO_T) + frame({"op": "ping", "id": 2})
    + frame({"op": "hello", "id": 3, "token": "nope"}) + frame({"op": "ping", "id": 4})
    + frame({"op": "hello", "id": 5}) + frame({"op": "hello", "id": 6, "protocol": 2}),
    "token-put-refused": b"\1" + put(WORK) + frame({"op": "bye"}),
    "hello-fields": b"\0" + frame({"op": "hello", "id": "s", "protocol": 1.5})
    + frame({"op": "hello", "id": 2, "token": 5}) + frame({"op": "hello", "id": 3,
                                                            "client": "x"}),
}

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {OUT}; sha256 of the stored workloads: {SHA} {SHA2}")

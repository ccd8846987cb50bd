#!/usr/bin/env python3
"""An independent Farmgate trace verifier, written from services/trace/CHAIN.md alone
(Python standard library only).

    python3 verify.py                 check the test vectors of CHAIN.md §7
    python3 verify.py URL CODE        check a batch through a server's public API

Against a server it checks what the public API lets anyone check today (chain format v1):
the events are numbered 0..n-1, each links to the previous hash, the code is derived from
event 0's hash, and every cited file's bytes hash to the SHA-256 recorded. Recomputing each
event's hash needs the full body, which the public API gives only with chain format v2
(issue #17); until then that part is the server's verify API and `farmgate verify`.
"""

import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

GENESIS = "0" * 64
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK = ALPHABET + "*~$=U"


def canonical(body):
    """CHAIN.md §3 (valid for Farmgate bodies: ASCII keys, integers only)."""
    def walk(v):
        if isinstance(v, float):
            raise ValueError("floats never enter the chain")
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        if isinstance(v, list):
            for x in v:
                walk(x)
    walk(body)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash, body):
    """CHAIN.md §4."""
    data = "farmgate-trace-v1\n" + prev_hash + "\n" + canonical(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def trace_code(first_hash):
    """CHAIN.md §5."""
    n = int.from_bytes(bytes.fromhex(first_hash)[:10], "big") >> 5
    data = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in reversed(range(15)))
    return data + CHECK[n % 37]


def read_code(text):
    """CHAIN.md §5, reading: percent-decode, drop - and spaces, upper-case, aliases, check."""
    s = urllib.parse.unquote(text).replace("-", "").replace(" ", "").upper()
    s = s.replace("I", "1").replace("L", "1").replace("O", "0")
    if len(s) != 16 or any(c not in ALPHABET for c in s[:15]):
        return None
    n = 0
    for c in s[:15]:
        n = (n << 5) | ALPHABET.index(c)
    return s if CHECK[n % 37] == s[15] else None


def head_ok(stored_head, stored_count, hashes):
    """CHAIN.md §6, check 2."""
    return stored_count == len(hashes) and bool(hashes) and stored_head == hashes[-1]


def check_vectors():
    v1 = {"batch": "01a20000-0000-7000-8000-000000000001", "seq": 0, "kind": "created",
          "occurred_at": "2026-11-20T00:00:00Z", "recorded_at": "2026-11-20T01:02:03Z",
          "actor": "01a20000-0000-7000-8000-000000000002",
          "data": {"lot": "ML-01", "quantity": 2000}, "attachments": []}
    h1 = event_hash(GENESIS, v1)
    assert h1 == "4fdeb85a635cfbac5f80c1e3f883be035c3a97ef5a0b7ee36dbb53191a9eb001", h1
    assert trace_code(h1) == "9ZFBGPK3BKXTRQWU"
    assert read_code("9zfb gpk3 bkxt rqwu") == "9ZFBGPK3BKXTRQWU"
    assert read_code("9ZFB-GPK3-BKXT-RQWA") is None, "a typo is caught"
    f = b"%PDF-1.4\n%%EOF\n"
    fsha = hashlib.sha256(f).hexdigest()
    assert fsha == "14bcd090baf31edba64e9cbd8cdfc15f943344aa72cb3675ad8e91bfcbce03ad"
    v2 = {"batch": "01a20000-0000-7000-8000-000000000001", "seq": 1, "kind": "inspection",
          "occurred_at": "2026-11-21T02:30:00Z", "recorded_at": "2026-11-21T02:31:07Z",
          "actor": "01a20000-0000-7000-8000-000000000002",
          "data": {"lab": "县检测站", "method": "GB 23200.113", "items": "农残 56 项", "result": "pass"},
          "attachments": [{"name": "检测报告.pdf", "content_type": "application/pdf", "size": len(f),
                           "sha256": fsha,
                           "key": "public/trace/01a20000-0000-7000-8000-000000000001/01a20000-0000-7000-8000-000000000003.pdf"}]}
    h2 = event_hash(h1, v2)
    assert h2 == "66acbe4fdf27ca25ffbbe5751730b08f94045c226a7606306c4703b750528459", h2
    assert head_ok(h2, 2, [h1, h2])
    assert not head_ok(h2, 2, [h1]), "a deleted last event is caught by the count"
    for i, code in [(1, "ENC5F20E286S8PF*"), (3, "G0ERPN2GW4PJN0D="), (25, "HZZPRDC788TXR1Q$"),
                    (34, "6ZFRR1EMFRGPSDGU"), (45, "RYCDJ8X76H5C501~")]:
        h = hashlib.sha256(f"vector {i}".encode()).hexdigest()
        assert trace_code(h) == code, (i, trace_code(h), code)
        assert read_code(urllib.parse.quote(code, safe="")) == code, "percent-encoded in a URL"
    try:
        canonical({"f": 1.5})
        raise AssertionError("a float must not encode")
    except ValueError:
        pass
    print("CHAIN.md test vectors: OK")


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def check_remote(base, code):
    base = base.rstrip("/")
    code = read_code(code)
    if code is None:
        print("not a trace code (the last character is a check)")
        return False
    rec = json.loads(get(f"{base}/api/v1/trace/{urllib.parse.quote(code, safe='')}"))
    ok = True
    prev = GENESIS
    for i, e in enumerate(rec["events"]):
        if e["seq"] != i:
            print(f"FAILED chain: expected record #{i}, found #{e['seq']}")
            return False
        if e["prev_hash"] != prev:
            print(f"FAILED chain: record #{i} does not link to the one before")
            ok = False
        prev = e["hash"]
        for a in e["attachments"]:
            try:
                got = hashlib.sha256(get(base + a["url"])).hexdigest()
            except urllib.error.HTTPError as err:
                got = f"HTTP {err.code}"
            if got != a["sha256"]:
                print(f"FAILED attachments: {a['name']} of record #{i} does not match")
                ok = False
    if not rec["events"] or trace_code(rec["events"][0]["hash"]) != rec["code"] or rec["code"] != code:
        print("FAILED chain: the code is not the one derived from the first record")
        ok = False
    print(f"{code}: {len(rec['events'])} records, links, code and files {'OK' if ok else 'BROKEN'}")
    return ok


if __name__ == "__main__":
    check_vectors()
    if len(sys.argv) == 3:
        sys.exit(0 if check_remote(sys.argv[1], sys.argv[2]) else 1)

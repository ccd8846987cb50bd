#!/usr/bin/env python3
"""An independent Farmgate trace verifier, written from services/trace/CHAIN.md alone
(Python standard library only).

    python3 verify.py                 check the test vectors of CHAIN.md §7
    python3 verify.py URL CODE        check a batch through a server's public API

Against a server it checks what the public API lets anyone check: the events are numbered
0..n-1, each links to the previous hash, the code is derived from event 0's hash, and every
cited file's bytes hash to the SHA-256 recorded. For a chain format v2 batch (CHAIN.md §13) it
also recomputes every event's hash from the published body, after checking that the body holds
no personal value in clear. A v1 batch's bodies are not published (they hold personal data in
clear): recomputing its hashes is the server's verify API and `farmgate verify`.
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


def event_hash(prev_hash, body, version=1):
    """CHAIN.md §4 (v1) and §13 (v2)."""
    data = f"farmgate-trace-v{version}\n" + prev_hash + "\n" + canonical(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def commitment(salt, value):
    """CHAIN.md §13: SHA-256(salt || UTF-8(value)), hex."""
    return hashlib.sha256(salt + value.encode("utf-8")).hexdigest()


def is_commitment(v):
    """CHAIN.md §13: an object whose only member is "commitment", 64 lower-case hex digits."""
    return (isinstance(v, dict) and list(v) == ["commitment"] and isinstance(v["commitment"], str)
            and len(v["commitment"]) == 64 and all(c in "0123456789abcdef" for c in v["commitment"]))


def personal_places(body):
    """CHAIN.md §13, committed fields: the actor, and every member of data (any depth) named
    phone or ending in _phone whose value is a string (or, in a v2 body, a commitment)."""
    out = []
    if "actor" in body:
        out.append(("/actor", body["actor"]))

    def walk(v, path):
        if isinstance(v, dict):
            for k in sorted(v):
                here = path + "/" + k.replace("~", "~0").replace("/", "~1")
                if (k == "phone" or k.endswith("_phone")) and (isinstance(v[k], str) or is_commitment(v[k])):
                    out.append((here, v[k]))
                else:
                    walk(v[k], here)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{path}/{i}")
    if "data" in body:
        walk(body["data"], "/data")
    return out


def commit_body(clear, salts):
    """Builds a v2 body from a clear one with the given salts, in committed-place order."""
    body = json.loads(json.dumps(clear))
    for (path, value), salt in zip(personal_places(clear), salts):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
        node = body
        for p in parts[:-1]:
            node = node[int(p)] if isinstance(node, list) else node[p]
        node[parts[-1]] = {"commitment": commitment(salt, value)}
    return body


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
    # CHAIN.md §13, vectors 4 and 5 (chain format v2).
    actor = "01a20000-0000-7000-8000-000000000002"
    c4 = {"batch": "01a20000-0000-7000-8000-000000000001", "seq": 0, "kind": "created",
          "occurred_at": "2026-11-20T00:00:00Z", "recorded_at": "2026-11-20T01:02:03Z", "actor": actor,
          "data": {"lot": "ML-01", "quantity": 2000,
                   "certificate": {"issuer": "梅岭脐橙专业合作社", "contact_phone": "13800000001"}},
          "attachments": []}
    assert [p for p, _ in personal_places(c4)] == ["/actor", "/data/certificate/contact_phone"]
    b4 = commit_body(c4, [bytes([1]) * 32, bytes([2]) * 32])
    assert b4["actor"] == {"commitment": "743d6c57b37bf21e56a945b08ddd7ab803d0f368d4e324a3850e92c1a3e519f9"}
    assert b4["data"]["certificate"]["contact_phone"] == {"commitment": "7386714c0d146f1f7b4e6c5e7daea19d71cc813918b251ad16ec7a7127765a6f"}
    assert "13800000001" not in canonical(b4)
    h4 = event_hash(GENESIS, b4, 2)
    assert h4 == "b384954ab23a9bcf170807c423c9804aab188b4d03ea306426e1bcaa36ff8822", h4
    assert trace_code(h4) == "PE29AJNJ7ADWY5R1"
    assert event_hash(GENESIS, b4, 1) != h4, "the format is part of the hash"
    c5 = {"batch": "01a20000-0000-7000-8000-000000000001", "seq": 1, "kind": "note",
          "occurred_at": "2026-11-21T02:30:00Z", "recorded_at": "2026-11-21T02:31:07Z", "actor": actor,
          "data": {"text": "施肥完毕"}, "attachments": []}
    b5 = commit_body(c5, [bytes([3]) * 32])
    h5 = event_hash(h4, b5, 2)
    assert h5 == "77c4cb059c998b5750f82a39cab6497b8429290618da19644a3ee6fc29ccca1b", h5
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
    version = rec.get("chain_version", 1)
    for i, e in enumerate(rec["events"]):
        if e["seq"] != i:
            print(f"FAILED chain: expected record #{i}, found #{e['seq']}")
            return False
        if e["prev_hash"] != prev:
            print(f"FAILED chain: record #{i} does not link to the one before")
            ok = False
        if version == 2:
            body = e.get("body")
            if e.get("chain_version") != 2 or not isinstance(body, dict) or body.get("seq") != i:
                print(f"FAILED chain: record #{i} has no v2 body")
                ok = False
            else:
                clear = [p for p, v in personal_places(body) if not is_commitment(v)]
                if clear:
                    print(f"FAILED privacy: record #{i} publishes {clear[0]} in clear")
                    ok = False
                if e.get("body_canonical") != canonical(body):
                    print(f"FAILED chain: record #{i}'s canonical body is not its body's")
                    ok = False
                if event_hash(e["prev_hash"], body, 2) != e["hash"]:
                    print(f"FAILED chain: record #{i} does not hash to its hash (changed)")
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
    what = "hashes recomputed, links, code and files" if version == 2 else "links, code and files (v1: bodies not public)"
    print(f"{code}: chain format v{version}, {len(rec['events'])} records, {what} {'OK' if ok else 'BROKEN'}")
    return ok


if __name__ == "__main__":
    check_vectors()
    if len(sys.argv) == 3:
        sys.exit(0 if check_remote(sys.argv[1], sys.argv[2]) else 1)

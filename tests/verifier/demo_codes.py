#!/usr/bin/env python3
"""Prints the trace codes of every batch of a seller's organisations, one per line, for
tests/run.sh to hand to verify.py. This is the test harness's convenience, not part of the
verifier: it signs in as a member (the verifier itself uses only the public API).

    python3 demo_codes.py URL LOGIN PASSWORD
"""

import json
import sys
import urllib.request


def call(url, token=None, body=None):
    req = urllib.request.Request(url, method="POST" if body is not None else "GET")
    req.add_header("accept", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, data=data, timeout=30) as r:
        return json.loads(r.read())


def main(base, login, password):
    base = base.rstrip("/")
    auth = call(f"{base}/api/v1/auth/login", body={"login": login, "password": password})
    token = auth["session"]["token"]
    me = call(f"{base}/api/v1/auth/me", token)
    codes = []
    for m in me["memberships"]:
        for b in call(f"{base}/api/v1/orgs/{m['org']['id']}/batches", token):
            codes.append(b["code"])
    print("\n".join(codes))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])

#!/usr/bin/env python3
"""The API side of tests/restore-drill.sh (standard library only).

    restore_drill.py write URL STATE N        place and pay N orders as a demo consumer, appending
                                              each paid order (id, total, status) to STATE
    restore_drill.py snapshot URL OUT         the whole order history of a demo buyer who takes no
                                              part in the drill, the writer's orders before it
                                              (the demo's refunds are among them), and every demo
                                              batch with its record count, as JSON
    restore_drill.py check URL STATE BEFORE SNAPSHOT
                                              on the restored copy: the first BEFORE orders of
                                              STATE (paid before the backup began) are there,
                                              paid, with the same totals; the untouched buyer's
                                              history, the writer's earlier orders and every
                                              batch's records are exactly as in SNAPSHOT

Demo logins (password farmgate123): 13600000001 the writing consumer, 13600000002 the untouched
one, 13900000005 finance (confirms the transfers), 13800000001 the demo cooperative's owner.
"""

import json
import sys
import urllib.error
import urllib.request

PASSWORD = "farmgate123"
WRITER, UNTOUCHED, FINANCE, COOP = "13600000001", "13600000002", "13900000005", "13800000001"


def call(base, path, token=None, body=None):
    req = urllib.request.Request(base.rstrip("/") + path, method="POST" if body is not None else "GET")
    req.add_header("accept", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, data=data, timeout=30) as r:
            text = r.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{req.method} {path}: {e.code} {e.read()[:400]!r}")


def login(base, phone):
    return call(base, "/api/v1/auth/login", body={"login": phone, "password": PASSWORD})["session"]["token"]


def all_pages(base, path, token):
    items, page = [], 1
    while True:
        sep = "&" if "?" in path else "?"
        got = call(base, f"{path}{sep}page={page}&per_page=100", token)
        items += got["items"]
        if len(items) >= got["total"] or not got["items"]:
            return items
        page += 1


def a_sku(base):
    """A SKU on sale with stock, from the public search."""
    found = call(base, "/api/v1/search?per_page=50")
    for hit in found["hits"]:
        listing = call(base, f"/api/v1/listings/{hit['id']}")
        for sku in listing.get("skus", []):
            if sku.get("stock", 0) >= 100:
                return sku["id"]
    sys.exit("no demo SKU with stock to order")


def write(base, state, n):
    buyer, finance = login(base, WRITER), login(base, FINANCE)
    address = call(base, "/api/v1/me/addresses", buyer)
    address = (address["items"] if isinstance(address, dict) else address)[0]["id"]
    sku = a_sku(base)
    with open(state, "a", encoding="utf-8") as out:
        for i in range(int(n)):
            order = call(base, "/api/v1/orders", buyer, {
                "address_id": address, "payment_method": "offline",
                "items": [{"sku_id": sku, "quantity": 1}]})
            call(base, f"/api/v1/orders/{order['id']}/offline-payment", finance,
                 {"reference": f"DRILL-{order['id'][:8]}-{i}"})
            paid = call(base, f"/api/v1/orders/{order['id']}", buyer)
            out.write(json.dumps({"id": paid["id"], "total": paid["total"], "status": paid["status"]}) + "\n")
            out.flush()


def snapshot(base, out):
    buyer, coop = login(base, UNTOUCHED), login(base, COOP)
    orders = all_pages(base, "/api/v1/orders", buyer)
    me = call(base, "/api/v1/auth/me", coop)
    batches = {}
    for m in me["memberships"]:
        for b in call(base, f"/api/v1/orgs/{m['org']['id']}/batches", coop):
            record = call(base, f"/api/v1/trace/{b['code']}")
            batches[b["code"]] = len(record.get("events", []))
    # The writer's history before the drill (the demo's claims and refunds are on it).
    writer = all_pages(base, "/api/v1/orders", login(base, WRITER))
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"orders": orders, "writer": writer, "batches": batches}, f,
                  ensure_ascii=False, sort_keys=True)
    refunds = sum(len(o.get("refunds", [])) for o in orders + writer)
    print(f"snapshot: {len(orders)} orders of the untouched buyer, {len(writer)} of the writer "
          f"({refunds} refunds), {len(batches)} batches")


def check(base, state, before, snap):
    with open(state, encoding="utf-8") as f:
        written = [json.loads(line) for line in f if line.strip()]
    before = int(before)
    buyer = login(base, WRITER)
    for w in written[:before]:
        got = call(base, f"/api/v1/orders/{w['id']}", buyer)
        if got["total"] != w["total"] or got["status"] != w["status"]:
            sys.exit(f"order {w['id']}: restored {got['status']} {got['total']}, written {w['status']} {w['total']}")
    later = 0
    for w in written[before:]:
        req = urllib.request.Request(f"{base.rstrip('/')}/api/v1/orders/{w['id']}",
                                     headers={"authorization": f"Bearer {buyer}"})
        try:
            with urllib.request.urlopen(req, timeout=30):
                later += 1
        except urllib.error.HTTPError as e:
            if e.code != 404:
                sys.exit(f"order {w['id']}: {e.code}")
    with open(snap, encoding="utf-8") as f:
        expected = json.load(f)
    tmp = snap + ".copy"
    snapshot(base, tmp)
    with open(tmp, encoding="utf-8") as f:
        got = json.load(f)
    drill_ids = {w["id"] for w in written}
    restored = {o["id"]: o for o in got["writer"]}
    for o in expected["writer"]:
        if restored.get(o["id"]) != o:
            sys.exit(f"the writer's earlier order {o['id']} differs in the copy")
    if any(o["id"] not in drill_ids and o["id"] not in {e["id"] for e in expected["writer"]} for o in got["writer"]):
        sys.exit("the copy has an order of the writer nobody placed")
    if got["orders"] != expected["orders"]:
        sys.exit("the untouched buyer's order history differs in the copy")
    if got["batches"] != expected["batches"]:
        sys.exit(f"batch records differ: {expected['batches']} vs {got['batches']}")
    refunds = sum(len(o.get("refunds", [])) for o in got["orders"] + expected["writer"])
    print(f"check: {before} orders paid before the backup all restored ({later} of {len(written) - before} "
          f"written during it are in the snapshot); the untouched buyer's {len(got['orders'])} orders, the "
          f"writer's {len(expected['writer'])} earlier ones ({refunds} refunds) and {len(got['batches'])} "
          f"batches' records identical")


if __name__ == "__main__":
    commands = {"write": (write, 3), "snapshot": (snapshot, 2), "check": (check, 4)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or len(sys.argv) - 2 != commands[sys.argv[1]][1]:
        sys.exit(__doc__)
    commands[sys.argv[1]][0](*sys.argv[2:])

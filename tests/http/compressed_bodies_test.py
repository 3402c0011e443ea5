#!/usr/bin/env python3
"""Compressed request bodies over real HTTP (RFC 9110 8.4): Content-Encoding gzip,
x-gzip and deflate (zlib-wrapped and raw) are decoded before the route reads the
body, for the JSON API, a web form and the spooled bulk upload (also chunked and
with curl); another coding, or a stack of two, is 415 with Accept-Encoding; corrupt
or cut-short data is 400; the size limits apply to the decoded bytes, so a small
gzip of 10 MB of zeros is 413. A gzip file uploaded without a Content-Encoding is
read like `leadhub import` reads it.

Usage: compressed_bodies_test.py PATH_TO_LEADHUB
"""
import atexit
import gzip
import json
import os
import shutil
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks, wait_for  # noqa: E402

LEADHUB = sys.argv[1]
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")

# Small limits, so that a bomb of a few KB passes them many times over once decoded.
CONFIG = """
mappings: @REPO@/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    max_body_bytes: 65536
    max_upload_bytes: 1048576
    forms:
      - name: contact
        rate_limit_per_minute: 1000
        duplicate_window_seconds: 0
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="compressed").start()
atexit.register(lambda: hub.proc and hub.proc.kill())  # also when a check throws
JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}


def lead(name):
    return {"subject": f"compressed {name}", "prospect": {"family_name": name, "email": f"{name}@example.com"}}


def coded(coding, headers=None):
    h = dict(headers or {})
    h["Content-Encoding"] = coding
    return h


def raw_deflate(data):
    z = zlib.compressobj(wbits=-15)
    return z.compress(data) + z.flush()


def stored(lead_id):
    st, _, _, body = hub.request("GET", f"/api/v1/leads/{lead_id}")
    return body if st == 200 else None


def ndjson(prefix, count):
    return "".join(json.dumps({**lead(f"{prefix}{i}"), "external_refs": [{"system": "gz", "id": f"{prefix}{i}"}]})
                   + "\n" for i in range(count)).encode()


# ---- the JSON API ----------------------------------------------------------------------------
for name, coding, encode in (("gzip", "gzip", gzip.compress), ("xgzip", "x-gzip", gzip.compress),
                             ("zlibdeflate", "deflate", zlib.compress), ("rawdeflate", "deflate", raw_deflate),
                             ("identity", "identity", lambda b: b), ("upper", "GZIP", gzip.compress)):
    st, h, _, body = hub.request("POST", "/api/v1/leads", encode(json.dumps(lead(name)).encode()),
                                 coded(coding, JSON))
    got = stored(body["id"]) if st == 201 else None
    c.check(st == 201 and got and got["prospect"]["family_name"] == name,
            f"POST /api/v1/leads with Content-Encoding: {coding} ({name}) -> 201, the decoded lead stored", (st, body))

for coding, names in (("br", "br"), ("compress", "compress"), ("gzip, gzip", "gzip, gzip"),
                      ("gzip, br", "gzip, br")):
    st, h, _, body = hub.request("POST", "/api/v1/leads", gzip.compress(json.dumps(lead("x")).encode()),
                                 coded(coding, JSON))
    c.check(st == 415 and body and body["code"] == "unsupported_media_type" and names in body["detail"]
            and body["errors"][0]["field"] == "Content-Encoding" and h.get("accept-encoding") == "gzip, deflate"
            and h.get("content-type") == "application/problem+json",
            f"Content-Encoding: {coding} -> 415 naming it, with Accept-Encoding: gzip, deflate", (st, h, body))
st, h, _, body = hub.request("POST", "/api/v1/leads", b"{}", coded("br", JSON))
c.check(st == 415 and "br" in body["detail"], "a plain body labelled br is refused, not read as JSON", (st, body))

good = gzip.compress(json.dumps(lead("corrupt")).encode())
corrupt = good[:10] + bytes(b ^ 0x55 for b in good[10:30]) + good[30:]
for what, data, coding, reason in (
        ("corrupt gzip", corrupt, "gzip", "gzip data is corrupt: "),
        ("not gzip at all", json.dumps(lead("plain")).encode(), "gzip", "gzip data is corrupt: incorrect header check"),
        ("cut-short gzip", good[:-12], "gzip", "gzip data ends before the compressed stream does"),
        ("corrupt deflate", b"\x78\x9c" + bytes(range(200, 250)), "deflate", "deflate data is corrupt: ")):
    st, _, _, body = hub.request("POST", "/api/v1/leads", data, coded(coding, JSON))
    c.check(st == 400 and body["code"] == "malformed" and body["errors"][0]["field"] == "(body)"
            and body["detail"].startswith(reason), f"{what} -> 400 naming the problem", (st, body))

# 10 MB of zeros is some 10 KB of gzip: under the 64 KB limit on the wire, far over it decoded.
bomb = gzip.compress(bytes(10 * 1024 * 1024), 9)
c.check(len(bomb) < 65536, f"the bomb is small on the wire ({len(bomb)} bytes)")
st, _, _, body = hub.request("POST", "/api/v1/leads", bomb, coded("gzip", JSON))
c.check(st == 413 and body["code"] == "too_large" and "65536 bytes once decoded" in body["detail"],
        "a gzip bomb to the JSON API -> 413: max_body_bytes limits the decoded body", (st, body))
padded = json.dumps({**lead("fits"), "notes": [{"text": "z" * 9000}] * 6}).encode()
c.check(60000 > len(padded) > 54000, f"the padded lead is under 64 KB ({len(padded)} bytes)")
st, _, _, body = hub.request("POST", "/api/v1/leads", gzip.compress(padded), coded("gzip", JSON))
c.check(st == 201, "a decoded body just under the limit is taken", (st, body))

# ---- a web form ------------------------------------------------------------------------------
with open(os.path.join(FIXTURES, "web-form", "contact-minimal.txt"), "rb") as f:
    form = f.read().strip()
st, _, _, body = hub.request("POST", "/forms/contact", gzip.compress(form),
                             coded("gzip", {"Content-Type": "application/x-www-form-urlencoded"}))
c.check(st == 201 and body["status"] == "created" and stored(body["id"]),
        "a gzip urlencoded form post -> 201, the lead stored", (st, body))

# ---- bulk uploads (spooled to disk, decoded while spooling) -----------------------------------
st, _, _, summary = hub.request("POST", "/api/v1/imports", gzip.compress(ndjson("up", 300)), coded("gzip", NDJSON))
c.check(st == 200 and summary["created"] == 300 and summary["rejected"] == 0,
        "gzip NDJSON to /api/v1/imports -> 300 leads created", (st, summary))
st, _, _, summary = hub.request("POST", "/api/v1/imports", zlib.compress(ndjson("dfl", 5)), coded("deflate", NDJSON))
c.check(st == 200 and summary["created"] == 5, "deflate NDJSON upload -> created", (st, summary))


def chunks(data, size=1000):
    for at in range(0, len(data), size):
        yield data[at:at + size]


conn = hub.conn()
conn.request("POST", "/api/v1/imports", body=chunks(gzip.compress(ndjson("chunk", 50))),
             headers=coded("gzip", NDJSON), encode_chunked=True)
r = conn.getresponse()
text = r.read().decode("utf-8", "replace")
conn.close()
summary = json.loads(text) if text.startswith("{") else text
c.check(r.status == 200 and summary.get("created") == 50, "a chunked gzip upload -> decoded chunk by chunk", summary)

with open(os.path.join(FIXTURES, "lettershop", "responses.csv"), "rb") as f:
    csv_bytes = f.read()
st, _, _, summary = hub.request("POST", "/api/v1/imports?mapping=lettershop-csv", gzip.compress(csv_bytes),
                                coded("gzip", {"Content-Type": "text/csv"}))
c.check(st == 200 and (summary["records"], summary["created"], summary["rejected"]) == (5, 3, 2)
        and [e["line"] for e in summary["errors"]] == [6, 7],
        "a gzip partner CSV upload through its mapping: read like the plain file (2 bad lines of 5)", (st, summary))
# A .gz file sent as it is, with no Content-Encoding: the file is gzip, as on the CLI.
st, _, _, summary = hub.request("POST", "/api/v1/imports", gzip.compress(ndjson("asfile", 4)), NDJSON)
c.check(st == 200 and summary["created"] == 4, "a .gz file uploaded without Content-Encoding is read decoded",
        (st, summary))

big_bomb = gzip.compress(bytes(10 * 1024 * 1024), 9)
st, _, _, body = hub.request("POST", "/api/v1/imports", big_bomb, coded("gzip", NDJSON))
c.check(st == 413 and "1048576 bytes once decoded" in body["detail"],
        "a gzip bomb upload -> 413: max_upload_bytes limits the decoded upload", (st, body))
st, _, _, body = hub.request("POST", "/api/v1/imports", gzip.compress(ndjson("cut", 20))[:-30], coded("gzip", NDJSON))
c.check(st == 400 and "gzip data ends before the compressed stream does" in body["detail"],
        "a cut-short gzip upload -> 400 before any import", (st, body))
st, h, _, body = hub.request("POST", "/api/v1/imports", b"x", coded("zstd", NDJSON))
c.check(st == 415 and "zstd" in body["detail"] and h.get("accept-encoding") == "gzip, deflate",
        "an upload in zstd -> 415", (st, body))
spool = os.path.join(hub.data, "spool")
# The server removes a spool file once its answer is written, which the client may
# read a moment before.
c.check(wait_for("an empty spool folder", lambda: not os.path.isdir(spool) or os.listdir(spool) == [], 5),
        "no spool file is left behind by refused uploads", os.listdir(spool))

# ---- curl, as the bug report sent it -----------------------------------------------------------
if shutil.which("curl"):
    path = os.path.join(hub.work, "leads.ndjson.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(ndjson("curl", 7)))
    url = f"http://127.0.0.1:{hub.port()}"
    p = subprocess.run(["curl", "-s", "-H", "Content-Encoding: gzip", "--data-binary", "@" + path,
                        url + "/api/v1/imports"], capture_output=True, text=True)
    summary = json.loads(p.stdout) if p.stdout.startswith("{") else p.stdout
    c.check(isinstance(summary, dict) and summary.get("created") == 7,
            "curl --data-binary @leads.ndjson.gz -H 'Content-Encoding: gzip' -> imported", summary)
    p = subprocess.run(["curl", "-s", "-i", "-H", "Content-Encoding: br", "-H", "Content-Type: application/json",
                        "-d", "{}", url + "/api/v1/leads"], capture_output=True, text=True)
    c.check(p.stdout.startswith("HTTP/1.1 415") and "Accept-Encoding: gzip, deflate" in p.stdout,
            "curl -H 'Content-Encoding: br' -d '{}' -> 415 with Accept-Encoding", p.stdout[:400])
else:
    print("skip curl checks: no curl")

hub.stop()
sys.exit(c.done())

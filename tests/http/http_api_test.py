#!/usr/bin/env python3
"""The REST API over real HTTP on loopback: every route, every error status, API
keys and scopes, partner scoping, idempotency, ETags, limits, TLS, curl as a
client, the OpenAPI document against the routes, and a clean stop.

Usage: http_api_test.py PATH_TO_LEADHUB
"""
import http.client
import json
from datetime import datetime, timezone
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks, key_sha256  # noqa: E402

LEADHUB = sys.argv[1]
ADMIN, READER, ACME, WRITER = "lh_admin_key_1", "lh_reader_key_2", "lh_acme_key_3", "lh_writer_key_4"



CONFIG = f"""
mappings: @WORK@/maps
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    cors_origins: [https://crm.example.com]
    api_keys:
      - {{name: admin, sha256: {key_sha256(ADMIN)}, scopes: ["*"]}}
      - {{name: reader, sha256: {key_sha256(READER)}, scopes: [leads:read]}}
      - {{name: writer, sha256: {key_sha256(WRITER)}, scopes: [leads:read, leads:write, partners:write, partners:read]}}
      - {{name: acme, sha256: {key_sha256(ACME)}, scopes: [leads:read, leads:write, audit:read], partner: acme}}
  - name: tight
    type: http
    listen: 127.0.0.1:0
    max_body_bytes: 2048
    max_header_bytes: 1024
    api_rate_limit_per_minute: 3
  - name: slow
    type: http
    listen: 127.0.0.1:0
    request_timeout_seconds: 2
    idle_timeout_seconds: 30
  - name: tls
    type: http
    listen: 127.0.0.1:0
    tls_certificate: @WORK@/cert.pem
    tls_private_key: @WORK@/key.pem
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="api")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "2",
                "-keyout", os.path.join(hub.work, "key.pem"), "-out", os.path.join(hub.work, "cert.pem")],
               check=True, capture_output=True)
shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "..", "config", "mappings"),
                os.path.join(hub.work, "maps"))
with open(os.path.join(hub.work, "maps", "broken.yaml"), "w") as f:
    f.write("format: csv\nfields:\n  subject: {from: A, transforms: [colapse_whitespace]}\n")
hub.start()
ADMIN_H = {"Authorization": "Bearer " + ADMIN}


def api(method, path, body=None, key=ADMIN, headers=None, name="http"):
    h = dict(headers or {})
    if key:
        h["Authorization"] = "Bearer " + key
    return hub.request(method, path, body, h, name=name)


LEAD = {"subject": "Forklift request", "source": "api", "campaign": "spring",
        "prospect": {"given_name": "Anna", "family_name": "Müller", "email": "anna@example.com",
                     "address": {"country": "DE", "city": "Berlin"}}}

# ---- health ------------------------------------------------------------------------
st, h, _, body = hub.request("GET", "/healthz")
c.check(st == 200 and body == {"status": "alive"}, "GET /healthz answers alive without a key")
st, h, _, body = hub.request("GET", "/readyz")
c.check(st == 200 and body["status"] == "ready" and set(body["connectors"]) == {"http", "tight", "slow", "tls"},
        "GET /readyz: ready, lists every connector", body)

# ---- create / read -----------------------------------------------------------------
st, h, _, lead = api("POST", "/api/v1/leads", LEAD)
c.check(st == 201, "POST /api/v1/leads -> 201", (st, lead))
lid = lead["id"]
c.check(h.get("location") == f"/api/v1/leads/{lid}", "Location names the new lead", h)
c.check(h.get("etag") == '"1"', "ETag is the version", h)
c.check(lead["prospect"]["family_name"] == "Müller" and lead["status"] == "open", "UTF-8 stored and lead is open")
st, h, _, got = api("GET", f"/api/v1/leads/{lid}")
c.check(st == 200 and got == lead and h.get("etag") == '"1"', "GET /api/v1/leads/ID returns the lead with its ETag")
st, h, text, _ = api("GET", f"/api/v1/leads/{lid}", headers={"If-None-Match": '"1"'})
c.check(st == 304 and text == "", "If-None-Match with the current ETag -> 304")
st, _, _, p = api("GET", "/api/v1/leads/0000000000000")
c.check(st == 404 and p["code"] == "not_found", "unknown id -> 404 problem", p)
st, _, _, p = api("GET", "/api/v1/leads/not-an-id")
c.check(st == 404, "malformed id -> 404")

# ---- create errors -----------------------------------------------------------------
st, h, _, p = api("POST", "/api/v1/leads", "{not json", headers={"Content-Type": "application/json"})
c.check(st == 400 and h["content-type"] == "application/problem+json" and p["code"] == "malformed",
        "broken JSON -> 400 problem+json", p)
bad = dict(LEAD, prospect={"email": "not-an-email", "family_name": "X"})
st, _, _, p = api("POST", "/api/v1/leads", bad)
c.check(st == 422 and p["code"] == "invalid" and any(e["field"] == "prospect.email" for e in p["errors"]),
        "invalid e-mail -> 422 naming prospect.email", p)
st, _, _, p = api("POST", "/api/v1/leads", "subject=x", headers={"Content-Type": "text/plain"})
c.check(st == 415 and p["code"] == "unsupported_media_type", "text/plain body -> 415", p)
case_lead = dict(LEAD, subject="case", prospect={"family_name": "Case", "email": "case@example.com"})
st, _, _, p = api("POST", "/api/v1/leads", case_lead, headers={"Content-Type": "Application/JSON; Charset=UTF-8"})
c.check(st == 201, "media types are case-insensitive: Application/JSON -> 201", p)
st, _, _, p = api("DELETE", f"/api/v1/leads/{lid}")
c.check(st == 405, "DELETE -> 405", p)
st, h, _, p = hub.request("POST", "/api/v1/leads", LEAD)
c.check(st == 401 and "bearer" in h.get("www-authenticate", "").lower(), "no key -> 401 with WWW-Authenticate", p)
st, _, _, p = api("POST", "/api/v1/leads", LEAD, key="wrong-key")
c.check(st == 401 and p["errors"][0]["reason"] == "unknown API key", "unknown key -> 401", p)
st, _, _, p = hub.request("POST", "/api/v1/leads", LEAD, {"Authorization": "Basic YWRtaW46eA=="})
c.check(st == 401 and "got the scheme Basic" in p["errors"][0]["reason"], "Basic credentials -> 401 naming the scheme", p)
st, _, _, p = hub.request("GET", f"/api/v1/leads/{lid}", None, {"Authorization": "Bearer   " + READER + " "})
c.check(st == 200, "blanks around the key (RFC 9110 allows several spaces after Bearer) -> the key is read", p)
# UTF-16 JSON (PowerShell's Out-File, .NET's Encoding.Unicode): "invalid UTF-8 byte at byte 0" did not say what
for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")):
    st, _, _, p = api("POST", "/api/v1/leads", bom + json.dumps(LEAD).encode(encoding),
                      headers={"Content-Type": "application/json"})
    c.check(st == 415 and "the body is UTF-16" in p["detail"] and p["errors"][0]["field"] == "Content-Type",
            f"a {encoding} JSON body {'with' if bom else 'without'} a byte order mark -> 415 naming UTF-16", p)
st, _, _, p = api("POST", "/api/v1/leads", LEAD, key=READER)
c.check(st == 403 and "leads:write" in p["detail"], "read-only key creating -> 403 naming the scope", p)
st, _, _, p = api("GET", f"/api/v1/leads/{lid}/audit", key=READER)
c.check(st == 403, "reader without audit:read -> 403")
st, _, _, p = api("GET", "/api/v1/nowhere")
c.check(st == 404 and p["code"] == "not_found", "unknown path -> 404 problem")

# ---- idempotency ---------------------------------------------------------------------
st1, h1, _, a = api("POST", "/api/v1/leads", dict(LEAD, subject="idem"), headers={"Idempotency-Key": "k-1"})
st2, h2, _, b = api("POST", "/api/v1/leads", dict(LEAD, subject="idem"), headers={"Idempotency-Key": "k-1"})
c.check(st1 == 201 and st2 == 200 and a["id"] == b["id"], "a retry with the same Idempotency-Key returns the same lead",
        (st1, st2))
st3, _, _, d = api("POST", "/api/v1/leads", dict(LEAD, subject="idem"), key=WRITER, headers={"Idempotency-Key": "k-1"})
c.check(st3 == 201 and d["id"] != a["id"], "the same key from another client is another request")

# ---- change ----------------------------------------------------------------------------
patch_h = {"Content-Type": "application/merge-patch+json"}
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", {"priority": "high"}, headers=patch_h)
c.check(st == 428 and p["code"] == "precondition_required", "PATCH without If-Match -> 428", p)
st, h, _, changed = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"priority": "high"}),
                        headers=dict(patch_h, **{"If-Match": '"1"'}))
c.check(st == 200 and changed["priority"] == "high" and h.get("etag") == '"2"', "PATCH with If-Match -> 200, ETag 2",
        changed)
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"priority": "low"}),
                  headers=dict(patch_h, **{"If-Match": '"1"'}))
c.check(st == 412 and p["code"] == "conflict", "stale If-Match -> 412", p)
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"status": "converted"}),
                  headers=dict(patch_h, **{"If-Match": '"2"'}))
c.check(st == 409 and p["code"] == "illegal_transition", "open -> converted -> 409", p)
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"score": 500}), headers=dict(patch_h, **{"If-Match": "*"}))
c.check(st == 422 and any(e["field"] == "score" for e in p["errors"]), "score 500 -> 422 naming score", p)
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", "[]", headers=dict(patch_h, **{"If-Match": "*"}))
c.check(st in (400, 422), "a patch that is not an object is refused", (st, p))
# walk to converted, then the lead is locked
version = 2
for status in ["qualified", "accepted", "converted"]:
    st, h, _, changed = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"status": status}),
                            headers=dict(patch_h, **{"If-Match": f'"{version}"'}))
    c.check(st == 200 and changed["status"] == status, f"status -> {status}", changed)
    version = changed["version"] if st == 200 else version
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"priority": "low"}), headers=dict(patch_h, **{"If-Match": "*"}))
c.check(st == 423 and p["code"] == "locked", "changing a converted lead -> 423", p)
st, _, _, audit = api("GET", f"/api/v1/leads/{lid}/audit")
c.check(st == 200 and len(audit["items"]) >= 5 and audit["items"][0]["action"] == "created"
        and audit["items"][-1]["user"] == "admin", "audit trail lists the changes with the key's name", audit)

# ---- find ----------------------------------------------------------------------------------
for i in range(5):
    api("POST", "/api/v1/leads", dict(LEAD, subject=f"page {i}", campaign="paging"))
st, h, _, page = api("GET", "/api/v1/leads?campaign=paging&limit=2")
c.check(st == 200 and len(page["items"]) == 2 and page["next"], "find: first page of 2 with a next cursor", page)
c.check("after=" + page["next"] in h.get("link", ""), "find: Link header points at the next page", h)
seen = [x["id"] for x in page["items"]]
while page["next"]:
    st, h, _, page = api("GET", f"/api/v1/leads?campaign=paging&limit=2&after={page['next']}")
    seen += [x["id"] for x in page["items"]]
c.check(len(seen) == 5 and len(set(seen)) == 5 and seen == sorted(seen), "paging visits every lead once, in id order")
st, _, _, page = api("GET", "/api/v1/leads?campaign=paging&changed_since="
                     + datetime.now(timezone.utc).strftime("%Y-%m-%d"))
c.check(st == 200 and len(page["items"]) > 0, "changed_since takes a date (midnight UTC), as a report's since", page)
st, _, _, page = api("GET", "/api/v1/leads?email=ANNA%40example.com&status=converted")
c.check(st == 200 and [x["id"] for x in page["items"]] == [lid], "find by e-mail (any case) and status")
st, _, _, p = api("GET", "/api/v1/leads?colour=red&limit=0&status=sideways")
fields = {e["field"] for e in p.get("errors", [])} if p else set()
c.check(st == 400 and {"colour", "limit", "status"} <= fields, "bad query parameters -> 400 naming each", p)
reasons = {e["field"]: e["reason"] for e in p.get("errors", [])} if p else {}
c.check("open, in_process, qualified" in reasons.get("status", ""), "a bad status lists the known ones", reasons)

# ---- business partners -------------------------------------------------------------------
st, h, _, bp = api("POST", "/api/v1/business-partners", {"kind": "account", "company": "ACME GmbH",
                                                          "email": "info@acme.example"})
c.check(st == 201 and h.get("location") == f"/api/v1/business-partners/{bp['id']}", "POST business partner -> 201", bp)
st, _, _, got = api("GET", f"/api/v1/business-partners/{bp['id']}")
c.check(st == 200 and got["company"] == "ACME GmbH", "GET business partner")
st, _, _, p = api("POST", "/api/v1/business-partners", {"kind": "alien"})
c.check(st == 422, "invalid partner -> 422", p)
st, _, _, p = api("GET", f"/api/v1/business-partners/{bp['id']}", key=READER)
c.check(st == 403, "reader without partners:read -> 403")

# ---- partner scoping -------------------------------------------------------------------------
st, _, _, own = api("POST", "/api/v1/leads", dict(LEAD, subject="acme's"), key=ACME)
c.check(st == 201 and own["owner"]["channel"] == "acme", "a partner key's lead is owned by the partner", own)
st, _, _, p = api("POST", "/api/v1/leads", dict(LEAD, owner={"channel": "globex"}), key=ACME)
c.check(st == 403, "a partner key cannot create leads for another owner", p)
st, _, _, p = api("GET", f"/api/v1/leads/{lid}", key=ACME)
c.check(st == 404, "a partner key gets 404 for a lead it does not own")
st, _, _, p = api("GET", f"/api/v1/leads/{lid}/audit", key=ACME)
c.check(st == 404, "... also for its audit trail")
st, _, _, p = api("PATCH", f"/api/v1/leads/{lid}", json.dumps({"priority": "low"}), key=ACME,
                  headers=dict(patch_h, **{"If-Match": "*"}))
c.check(st == 404, "... and cannot change it")
st, _, _, page = api("GET", "/api/v1/leads?limit=1000", key=ACME)
c.check(st == 200 and [x["id"] for x in page["items"]] == [own["id"]], "find with a partner key lists only its leads",
        page)
st, _, _, p = api("PATCH", f"/api/v1/leads/{own['id']}", json.dumps({"owner": {"channel": "globex"}}), key=ACME,
                  headers=dict(patch_h, **{"If-Match": "*"}))
c.check(st == 403, "a partner key cannot hand its lead to another owner", p)
st, _, _, ch = api("PATCH", f"/api/v1/leads/{own['id']}", json.dumps({"priority": "high"}), key=ACME,
                   headers=dict(patch_h, **{"If-Match": '"1"'}))
c.check(st == 200 and ch["priority"] == "high", "a partner key changes its own lead")

# ---- bulk import: streamed to disk, batched, summary with line numbers ----------------------
ndjson = "\n".join([json.dumps(dict(LEAD, subject=f"bulk {i}", campaign="bulk",
                                      external_refs=[{"system": "crm", "id": f"b-{i}"}])) for i in range(3)]
                   + ['{"subject": "broken", "prospect": {"email": "nope"}}', ""])
st, _, _, summary = api("POST", "/api/v1/imports", ndjson, headers={"Content-Type": "application/x-ndjson"})
c.check(st == 200 and summary["created"] == 3 and summary["rejected"] == 1 and summary["errors"][0]["line"] == 4
        and "prospect.email" in summary["errors"][0]["reason"], "NDJSON import: 3 created, line 4 rejected with why",
        summary)
st, _, _, summary = api("POST", "/api/v1/imports", ndjson, headers={"Content-Type": "application/x-ndjson"})
c.check(st == 200 and summary["created"] == 0 and summary["duplicates"] == 3, "re-import: duplicates, nothing new",
        summary)
reimport_summary = summary  # checked against the OpenAPI document below
csv_path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "lettershop", "responses.csv")
with open(csv_path, "rb") as f:
    csv_bytes = f.read()
st, _, _, summary = api("POST", "/api/v1/imports?mapping=lettershop-csv", csv_bytes,
                        headers={"Content-Type": "text/csv"})
c.check(st == 200 and summary["created"] >= 1, "lettershop CSV (ISO-8859-1) through its mapping", summary)
big = "\n".join(json.dumps(dict(LEAD, subject=f"big {i}", campaign="big", notes=[{"text": "z" * 500}]))
                for i in range(3000))
st, _, _, summary = api("POST", "/api/v1/imports", big, headers={"Content-Type": "application/x-ndjson"})
c.check(st == 200 and summary["created"] == 3000 and len(big) > 1 << 20,
        f"a {len(big) >> 20} MiB upload (over max_body_bytes) is streamed and imported", summary)
st, _, _, p = api("POST", "/api/v1/imports?mapping=nope", "x", headers={"Content-Type": "text/csv"})
c.check(st == 404 and p["errors"][0]["field"] == "mapping", "unknown mapping -> 404 naming it", p)
# the parameter is a name in the mappings folder: a path loaded any file of the server
# as a mapping and told which exist (walk2-findings 21)
for name in ["/etc/passwd", "../../etc/hosts", "lettershop-csv.yaml", ".hidden", "a/b"]:
    st, _, _, p = api("POST", "/api/v1/imports?mapping=" + urllib.parse.quote(name, safe=""), "x",
                      headers={"Content-Type": "text/csv"})
    c.check(st == 400 and p["errors"][0]["field"] == "mapping" and "not a path" in p["errors"][0]["reason"]
            and "passwd" not in p["detail"] + p["errors"][0]["reason"], f"?mapping={name} -> 400, not read", p)
# a mapping file that does not load is the operator's to fix, not "no such mapping"
st, _, _, p = api("POST", "/api/v1/imports?mapping=broken", "x", headers={"Content-Type": "text/csv"})
c.check(st == 500 and p["code"] == "internal" and "broken.yaml:3:" in p["detail"]
        and "colapse_whitespace" in p["detail"] and "does not load" in p["errors"][0]["reason"],
        "a mapping file that does not load -> 500 with its file, line and reason", p)
st, _, _, p = api("POST", "/api/v1/imports", ndjson, key=WRITER)
c.check(st == 403, "a key without the imports scope -> 403", p)
# curl -F / an HTML file input wraps the file in a multipart body: its boundary lines
# were read as records ("3 fields but the header has 1"); refused before the upload
boundary = "----leadhubtest"
multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n"
             f"Content-Type: text/csv\r\n\r\n").encode() + csv_bytes + f"\r\n--{boundary}--\r\n".encode()
st, _, _, p = api("POST", "/api/v1/imports?mapping=lettershop-csv", multipart,
                  headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
c.check(st == 415 and p["code"] == "unsupported_media_type" and "--data-binary" in p["detail"]
        and p["errors"][0]["field"] == "Content-Type", "a multipart upload -> 415 saying to send the file as the body", p)
# an .xlsx picked instead of the CSV export: named, not imported as nothing
st, _, _, summary = api("POST", "/api/v1/imports?mapping=lettershop-csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(64),
                        headers={"Content-Type": "application/octet-stream"})
c.check(st == 200 and summary["rejected"] == 1 and "Excel .xlsx" in summary["errors"][0]["reason"],
        "an .xlsx uploaded to a CSV mapping -> the summary says it is a workbook", summary)

# ---- CORS ----------------------------------------------------------------------------------------
st, h, _, _ = hub.request("OPTIONS", "/api/v1/leads", headers={"Origin": "https://crm.example.com",
                                                              "Access-Control-Request-Method": "POST"})
c.check(st == 204 and h.get("access-control-allow-origin") == "https://crm.example.com"
        and "POST" in h.get("access-control-allow-methods", ""), "CORS preflight for a configured origin", h)
st, h, _, _ = hub.request("OPTIONS", "/api/v1/leads", headers={"Origin": "https://evil.example",
                                                              "Access-Control-Request-Method": "POST"})
c.check("access-control-allow-origin" not in h, "no CORS grant for other origins", h)
st, h, _, _ = api("GET", f"/api/v1/leads/{lid}", headers={"Origin": "https://crm.example.com"})
c.check(h.get("access-control-allow-origin") == "https://crm.example.com" and "ETag" in
        h.get("access-control-expose-headers", ""), "CORS headers on a real request", h)

# ---- limits (the `tight` connector) ----------------------------------------------------------------
big = dict(LEAD, subject="x" * 4000)
st, h, _, p = hub.request("POST", "/api/v1/leads", big, name="tight")
c.check(st == 413 and p.get("code") == "too_large" and p["errors"][0]["field"] == "(body)",
        "body over max_body_bytes -> 413, code too_large, naming the body", (st, p))
# A client that sends its whole body before reading (http.client, requests) must
# still read the 413, not a connection reset for the bytes the hub did not take.
for size in (100_000, 3_000_000):
    conn = http.client.HTTPConnection("127.0.0.1", hub.port("tight"), timeout=10)
    try:
        conn.request("POST", "/api/v1/leads", body=b"{" + b" " * size + b"}",
                     headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        got = (resp.status, json.loads(resp.read()).get("code"))
    except OSError as e:
        got = repr(e)
    conn.close()
    c.check(got == (413, "too_large"), f"a {size:,}-byte body sent whole before reading -> the client reads the 413", got)
st, h, _, p = hub.request("GET", "/healthz", headers={"X-Big": "y" * 2000}, name="tight")
c.check(st == 431 and p.get("code") == "too_large" and p["errors"][0]["field"] == "(header)",
        "header over max_header_bytes -> 431, code too_large, naming the header", (st, p))
codes = [hub.request("GET", "/api/v1/leads?limit=1", name="tight")[0] for _ in range(5)]
c.check(codes[:3] == [200, 200, 200] and codes[3] == 429, "4th call within a minute -> 429", codes)
st, h, _, p = hub.request("GET", "/api/v1/leads?limit=1", name="tight")
c.check(st == 429 and int(h.get("retry-after", "0")) >= 1 and p["code"] == "rate_limited", "429 has Retry-After", h)

# ---- raw HTTP: keep-alive, pipelining, garbage -----------------------------------------------------
s = socket.create_connection(("127.0.0.1", hub.port()))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
time.sleep(0.3)
data = s.recv(65536).decode()
s.close()
c.check(data.count("HTTP/1.1 200") == 2, "two pipelined requests on one connection -> two answers", data)
s = socket.create_connection(("127.0.0.1", hub.port()))
s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
data = s.recv(65536).decode()
s.close()
c.check(data.startswith("HTTP/1.1 400"), "garbage -> 400", data[:100])
st, _, _, _ = hub.request("GET", "/healthz")
c.check(st == 200, "the hub keeps serving after bad clients")

# ---- JSON errors: positions, all field errors at once, repeated names ------------------------------
st, _, _, p = api("POST", "/api/v1/leads", '{\n "prospect": {"email": "x@y.de",}\n}',
                  headers={"Content-Type": "application/json"})
c.check(st == 400 and p["detail"] == "not valid JSON: line 2, column 32 (byte 33): a comma before '}' (trailing comma)",
        "broken JSON -> 400 naming line and column", p)
st, _, _, p = api("POST", "/api/v1/leads", b'{"subject":"M\xfcller","prospect":{"email":"a@b.de"}}',
                  headers={"Content-Type": "application/json"})
c.check(st == 400 and "line 1, column 14 (byte 13): not valid UTF-8" in p["detail"],
        "invalid UTF-8 -> 400 naming the first bad byte", p)
st, _, _, p = api("POST", "/api/v1/leads", {"prospect": {"email": "x@y", "address": {"country": "XX"}}, "foo": 1})
fields = {e["field"] for e in p.get("errors", [])}
c.check(st == 422 and fields == {"foo", "prospect.email", "prospect.address.country"},
        "an unknown member does not hide the rule errors of the rest", p)
st, _, _, p = api("POST", "/api/v1/leads", {"score": "10", "prospect": {"email": "x@y"}})
c.check(st == 422 and {e["field"] for e in p["errors"]} == {"score", "prospect.email"},
        "a member of the wrong type does not hide the rule errors of the rest", p)
st, _, _, p = api("POST", "/api/v1/leads", '{"subject":"a","subject":"b","prospect":{"email":"a@b.de"}}',
                  headers={"Content-Type": "application/json"})
c.check(st == 422 and {"field": "subject", "reason": "appears twice"} in p["errors"], "a repeated member -> 422", p)

# ---- content types ----------------------------------------------------------------------------------
st, _, _, p = api("POST", "/api/v1/leads", json.dumps(LEAD), headers={"Content-Type": "application/json; charset=utf-16"})
c.check(st == 415 and "utf-16" in p["detail"], "charset=utf-16 -> 415 naming it", p)
st, _, _, p = api("POST", "/api/v1/leads", json.dumps(LEAD).encode("latin-1", "replace"),
                  headers={"Content-Type": "application/json; charset=\"ISO-8859-1\""})
c.check(st == 415 and "ISO-8859-1" in p["detail"], "charset=ISO-8859-1 -> 415 naming it", p)
st, _, _, p = api("POST", "/api/v1/leads", dict(LEAD, subject="vnd"), headers={"Content-Type": "application/vnd.api+json"})
c.check(st == 201, "application/vnd.api+json is JSON (+json suffix)", p)
cond = api("POST", "/api/v1/leads", dict(LEAD, subject="conditional"))[3]
cid, cpath = cond["id"], f"/api/v1/leads/{cond['id']}"
st, _, _, p = api("PATCH", cpath, '[{"op":"replace","path":"/priority","value":"high"}]',
                  headers={"Content-Type": "application/json-patch+json", "If-Match": '"1"'})
c.check(st == 415 and "merge-patch+json" in p["detail"], "PATCH with json-patch+json -> 415 naming the types", p)

# ---- conditional requests, empty PATCH ---------------------------------------------------------------
for inm in ['W/"1"', '*', '"7", "1"', 'W/"9", W/"1"']:
    st, h, text, _ = api("GET", cpath, headers={"If-None-Match": inm})
    c.check(st == 304 and text == "" and h.get("etag") == '"1"', f"If-None-Match {inm} -> 304", (st, text))
st, _, _, _ = api("GET", cpath, headers={"If-None-Match": '"2", W/"3"'})
c.check(st == 200, "If-None-Match naming other versions -> 200")
st, _, _, p = api("PATCH", cpath, "", headers=dict(patch_h, **{"If-Match": '"1"'}))
c.check(st == 400 and p["code"] == "malformed", "PATCH with an empty body -> 400 as for POST", (st, p))
st, _, _, p = api("PATCH", cpath, '{"priority":"high"}', headers=dict(patch_h, **{"If-Match": 'W/"1"'}))
c.check(st == 412, "If-Match with a weak tag never matches -> 412", (st, p))
st, h, _, p = api("PATCH", cpath, '{"priority":"high"}', headers=dict(patch_h, **{"If-Match": '"5", "1"'}))
c.check(st == 200 and h.get("etag") == '"2"', "If-Match with a list matching one tag -> 200", (st, p))
st, _, _, p = api("PATCH", cpath, '{"priority":"low"}', headers=dict(patch_h, **{"If-Match": '"5", "1"'}))
c.check(st == 412, "If-Match with a list matching none -> 412", (st, p))
st, _, _, p = api("PATCH", cpath, '{"priority":"low"}', headers=dict(patch_h, **{"If-Match": 'nonsense here'}))
c.check(st == 400 and p["errors"][0]["field"] == "If-Match", "a malformed If-Match -> 400", (st, p))

# ---- HEAD, OPTIONS and Allow -------------------------------------------------------------------------
for path, key in [("/healthz", None), ("/readyz", None), (cpath, ADMIN), ("/api/v1/openapi.json", None)]:
    st_get, h_get, text_get, _ = api("GET", path, key=key)
    st, h, text, _ = api("HEAD", path, key=key)
    c.check(st == st_get == 200 and text == "" and h.get("content-length") == str(len(text_get.encode()))
            and h.get("content-type") == h_get.get("content-type") and h.get("etag") == h_get.get("etag"),
            f"HEAD {path}: GET's status and headers, no body", (st, h))
st, h, _, _ = api("OPTIONS", cpath)
st2, h2, _, _ = api("DELETE", cpath)
c.check(st == 204 and st2 == 405 and h["allow"] == h2["allow"] == "GET, HEAD, PATCH, OPTIONS",
        "OPTIONS and 405 list the same methods, HEAD among them", (h.get("allow"), h2.get("allow")))

# ---- query values, Host, problem instance ------------------------------------------------------------
st, _, _, p = api("GET", "/api/v1/leads?owner=S%FCd%20Team")
c.check(st == 400 and p["errors"][0]["field"] == "owner" and "UTF-8" in p["errors"][0]["reason"],
        "a query value that is not UTF-8 -> 400 naming it", p)
st, _, _, p = api("GET", "/api/v1/leads?owner=S%C3%BCd%20Team")
c.check(st == 200, "a UTF-8 query value is fine", p)


def raw(request, name="http"):
    s = socket.create_connection(("127.0.0.1", hub.port(name)), timeout=10)
    s.sendall(request)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(), json.loads(body) if body else None


head, p = raw(b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
c.check(head.startswith("HTTP/1.1 400") and p["errors"][0]["field"] == "Host", "HTTP/1.1 without Host -> 400", head)
head, p = raw(b"GET /healthz HTTP/1.0\r\n\r\n")
c.check(head.startswith("HTTP/1.0 200"), "HTTP/1.0 without Host is fine", head)
# HTTP/1.0 with a body but no Content-Length means "until close": the body was taken as empty
lead_json = json.dumps(LEAD).encode()
head, p = raw(b"POST /api/v1/leads HTTP/1.0\r\nAuthorization: Bearer " + ADMIN.encode()
              + b"\r\nContent-Type: application/json\r\n\r\n" + lead_json)
c.check(head.startswith("HTTP/1.0 411") and p["errors"][0]["field"] == "Content-Length",
        "HTTP/1.0 POST without Content-Length -> 411 naming it", (head, p))
head, p = raw(b"POST /api/v1/leads HTTP/1.0\r\nAuthorization: Bearer " + ADMIN.encode()
              + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(lead_json)).encode()
              + b"\r\n\r\n" + lead_json)
c.check(head.startswith("HTTP/1.0 201"), "HTTP/1.0 POST with Content-Length -> 201", (head, p))
head, p = raw(b"GET /healthz?x=1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 2000 + b"\r\n\r\n", name="tight")
c.check(head.startswith("HTTP/1.1 431") and p.get("instance") == "/healthz", "431 names the instance", p)
head, p = raw(b"POST /api/v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n",
              name="tight")
c.check(head.startswith("HTTP/1.1 413") and p.get("instance") == "/api/v1/leads", "413 names the instance", p)

# ---- slow clients: the request timeout runs from a request's first byte --------------------------------
def slow_client(first, drip=b""):
    s = socket.create_connection(("127.0.0.1", hub.port("slow")))
    s.sendall(first)
    return [s, drip, None]


slow = {"half header": slow_client(b"POST /api/v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"),
        "request line only": slow_client(b"GET /healthz HTTP/1.1\r\n"),
        "half body": slow_client(b"POST /api/v1/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 1000\r\n\r\n{\"prospect\":"),
        "1 byte every 0.2 s": slow_client(b"GET /healthz HTTP/1.1\r\nX-A: ", b"a"),
        "idle, nothing sent": slow_client(b"")}
started = time.time()
while time.time() - started < 5:
    for name, entry in slow.items():
        if entry[1] and entry[2] is None:
            try:
                entry[0].sendall(entry[1])
            except OSError:
                pass
    ready, _, _ = select.select([e[0] for e in slow.values() if e[2] is None], [], [], 0.2)
    for s in ready:
        entry = next(e for e in slow.values() if e[0] is s)
        try:
            data = s.recv(4096)
            while data and not data.endswith(b"}"):
                more = s.recv(4096)
                if not more:
                    break
                data += more
        except OSError as e:
            data = repr(e).encode()
        entry[2] = (time.time() - started, data.decode("latin-1"))
for name in ("half header", "request line only", "half body", "1 byte every 0.2 s"):
    got = slow[name][2]
    c.check(got is not None and got[0] < 4 and got[1].startswith("HTTP/1.1 408") and "application/problem+json" in got[1]
            and '"code":"timeout"' in got[1], f"{name}: 408 problem+json after the 2 s request timeout", got)
c.check(slow["idle, nothing sent"][2] is None, "an idle connection stays open past the request timeout",
        slow["idle, nothing sent"][2])
idle = slow["idle, nothing sent"][0]
idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
c.check(idle.recv(4096).startswith(b"HTTP/1.1 200"), "... and then serves a request")
for entry in slow.values():
    entry[0].close()

# A byte every few milliseconds: the request timer often fires while a read's
# completion is already queued, and the hub must still stop reading and answer.
def fast_drip(out, index):
    s = socket.create_connection(("127.0.0.1", hub.port("slow")))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: ")
    s.setblocking(False)
    started, data = time.time(), b""
    while time.time() - started < 6 and b"}" not in data:
        try:
            s.send(b"a")
        except BlockingIOError:
            pass
        except OSError as e:
            data += repr(e).encode()
        try:
            data += s.recv(4096)
        except BlockingIOError:
            pass
        except OSError as e:
            data += repr(e).encode()
        time.sleep(0.001)
    out[index] = (round(time.time() - started, 1), data.decode("latin-1")[:40])
    s.close()


drips = [None] * 16
threads = [threading.Thread(target=fast_drip, args=(drips, i)) for i in range(len(drips))]
for t in threads:
    t.start()
for t in threads:
    t.join()
c.check(all(d[0] < 4 and d[1].startswith("HTTP/1.1 408") for d in drips),
        "16 clients dripping a byte every millisecond: each gets its 408 after the 2 s request timeout", drips)

# ---- curl as a client --------------------------------------------------------------------------------
out = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-H", "Authorization: Bearer " + ADMIN,
                      "-H", "Content-Type: application/json", "-H", "Expect: 100-continue", "--data-binary", "@-",
                      f"http://127.0.0.1:{hub.port()}/api/v1/leads"],
                     input=json.dumps(dict(LEAD, subject="from curl", notes=[{"text": "y" * 3000}])),
                     capture_output=True, text=True)
body, code = out.stdout.rsplit("\n", 1)
c.check(code == "201" and json.loads(body)["subject"].startswith("from curl"),
        "curl POST with a >1 KiB body (Expect: 100-continue) -> 201", out.stderr)

# ---- TLS ---------------------------------------------------------------------------------------------
st, _, _, body = hub.request("GET", "/healthz", name="tls", tls=True)
c.check(st == 200, "HTTPS with the configured certificate")

# ---- OpenAPI: every documented operation is routed, every route documented ----------------------------
st, h, _, doc = hub.request("GET", "/api/v1/openapi.json")
c.check(st == 200 and doc["openapi"].startswith("3.1"), "GET /api/v1/openapi.json is OpenAPI 3.1")
st, _, _, schema = hub.request("GET", "/api/v1/schemas/lead.schema.json")
c.check(st == 200 and schema["title"] == "Lead", "the lead schema the document refers to is served")
for path, ops in doc["paths"].items():
    concrete = path.replace("{id}", lid).replace("{form}", "no-such-form").replace("{name}", "lead.schema.json")
    for method in ops:
        st, h, _, p = api(method.upper(), concrete, headers={"Content-Type": "application/json"})
        routed = not (st == 405 or (st == 404 and p and p.get("detail", "").startswith("no such resource")))
        if "{form}" in path:
            routed = st == 404  # no form is configured here; the forms test covers them
        c.check(routed, f"documented {method.upper()} {path} is routed", (st, p))
# what the server answers is what the document declares (the walk of walk2-findings 17-19)
summary_schema = doc["components"]["schemas"]["ImportSummary"]
c.check(set(reimport_summary) <= set(summary_schema["properties"]) and
        set(summary_schema["required"]) <= set(reimport_summary) and
        set(reimport_summary["errors"][0]) <= set(summary_schema["properties"]["errors"]["items"]["properties"]) and
        set(reimport_summary["duplicate_records"][0]) <=
        set(summary_schema["properties"]["duplicate_records"]["items"]["properties"]),
        "ImportSummary lists every member an import answers", (reimport_summary, summary_schema))
c.check("415" in doc["paths"]["/api/v1/imports"]["post"]["responses"], "POST /api/v1/imports declares its 415")
code_doc = doc["components"]["schemas"]["Problem"]["properties"]["code"]["description"]
c.check(all(f" {code}," in code_doc + "," for code in ["conflict", "too_large", "timeout", "length_required"]),
        "Problem.code lists the codes the server sends (412 is conflict)", code_doc)
st, _, _, _ = hub.request("GET", "/dashboard")
c.check(st == 200 and ("GET", "/dashboard") in {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops},
        "GET /dashboard is answered and documented", st)
doc_ops = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
for method, pattern in [("POST", "/api/v1/leads"), ("GET", "/api/v1/leads"), ("GET", "/api/v1/leads/{id}"),
                        ("PATCH", "/api/v1/leads/{id}"), ("GET", "/api/v1/leads/{id}/audit"),
                        ("POST", "/api/v1/business-partners"), ("GET", "/api/v1/business-partners/{id}"),
                        ("POST", "/api/v1/imports"), ("GET", "/healthz"), ("GET", "/readyz")]:
    c.check((method, pattern) in doc_ops, f"route {method} {pattern} is documented")

# ---- clean stop: requests in flight finish, then exit 0 -----------------------------------------------
results = []


def writer(n):
    for i in range(n):
        try:
            st, _, _, body = api("POST", "/api/v1/leads", dict(LEAD, subject=f"stop {i}", campaign="stop"))
            results.append((st, body["id"] if st == 201 else None))
        except Exception as e:  # connection refused once the hub stops: expected
            results.append((None, str(e)))
            return


threads = [threading.Thread(target=writer, args=(200,)) for _ in range(4)]
for t in threads:
    t.start()
time.sleep(0.5)
code = hub.stop()
for t in threads:
    t.join()
c.check(code == 0, "SIGTERM while writes are in flight -> exit 0", "\n".join(hub.log[-20:]))
created = [i for st, i in results if st == 201]
check = subprocess.run([LEADHUB, "--data", hub.data, "lead", "find", "--campaign", "stop", "--limit", "1000"],
                       capture_output=True, text=True)
stored = {x["id"] for x in json.loads(check.stdout)["items"]}
c.check(created and set(created) <= stored, f"all {len(created)} acknowledged leads are stored after the stop",
        set(created) - stored)

sys.exit(c.done())

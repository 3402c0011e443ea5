#!/usr/bin/env python3
"""A partner's round trip over the REST API, as an external dealer's integration
does it with its own partner-bound key: its creates with its own references and
Idempotency-Keys, its changes with If-Match, and what it must never see of
another partner's leads (not even through a create that names their reference).

Usage: partner_test.py PATH_TO_LEADHUB
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks, key_sha256  # noqa: E402

LEADHUB = sys.argv[1]
CRM, ACME, BETA = "lh_crm_key_1", "lh_acme_key_2", "lh_beta_key_3"

CONFIG = f"""
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    api_keys:
      - {{name: crm, sha256: {key_sha256(CRM)}, scopes: ["*"]}}
      - {{name: acme-portal, sha256: {key_sha256(ACME)}, scopes: [leads:read, leads:write], partner: acme}}
      - {{name: beta-portal, sha256: {key_sha256(BETA)}, scopes: [leads:read, leads:write], partner: beta}}
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="partner").start()


def api(method, path, body=None, key=CRM, headers=None):
    h = {"Authorization": f"Bearer {key}"}
    h.update(headers or {})
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    return hub.request(method, path, body, h)


def first_error(problem):
    """The first field error of a problem answer as (field, reason), or (None, None)."""
    errors = (problem or {}).get("errors") or [{}]
    return errors[0].get("field"), errors[0].get("reason", "")


def lead(name, **extra):
    return dict({"subject": f"lead of {name}", "source": "partner",
                 "prospect": {"family_name": name, "email": f"{name.lower()}@example.com"}}, **extra)


try:
    # ---- a create that names another partner's reference --------------------------------
    st, _, _, acme = api("POST", "/api/v1/leads",
                         lead("Weber", external_refs=[{"system": "DMS", "id": "D-100"}]), key=ACME)
    c.check(st == 201 and acme["owner"]["channel"] == "acme", "acme creates its lead with reference DMS:D-100", acme)
    st, _, text, p = api("POST", "/api/v1/leads",
                         lead("Schmidt", external_refs=[{"system": "DMS", "id": "D-100"}]), key=BETA)
    c.check(st == 409 and p and p["code"] == "duplicate", "beta naming acme's reference -> 409 duplicate", text)
    c.check("Weber" not in text and acme["id"] not in text and "acme" not in text,
            "... and the answer shows nothing of acme's lead (no id, name or owner)", text)
    field, reason = first_error(p)
    c.check(field == "external_refs[0]" and "your own system" in reason, "... it names the reference and what to do", p)
    st, _, _, p = api("POST", "/api/v1/leads", lead("Weber", external_refs=[{"system": "DMS", "id": "D-100"}]),
                      key=ACME)
    c.check(st == 200 and p["id"] == acme["id"], "acme sending its lead again gets its own lead (200)", p)
    st, _, _, p = api("POST", "/api/v1/leads",
                      lead("Crm", external_refs=[{"system": "DMS", "id": "D-100"}]), key=CRM)
    c.check(st == 200 and p["id"] == acme["id"], "an unscoped key still gets the stored lead for its reference", p)
    st, _, text, p = api("POST", "/api/v1/leads",
                         lead("Second", external_refs=[{"system": "BETA", "id": "1"},
                                                       {"system": "DMS", "id": "D-100"}]), key=BETA)
    c.check(st == 409 and first_error(p)[0] == "external_refs[1]", "... the second reference is named as such", text)

    # ---- an Idempotency-Key whose lead was handed to another owner since -----------------
    st, _, _, first = api("POST", "/api/v1/leads", lead("Keyed"), key=ACME, headers={"Idempotency-Key": "acme-7"})
    c.check(st == 201, "acme creates a lead with Idempotency-Key acme-7", first)
    st, _, _, p = api("PATCH", f"/api/v1/leads/{first['id']}", json.dumps({"owner": {"channel": "beta"}}),
                      headers={"Content-Type": "application/merge-patch+json", "If-Match": "*"})
    c.check(st == 200 and p["owner"]["channel"] == "beta", "the CRM hands that lead to beta", p)
    st, _, text, p = api("POST", "/api/v1/leads", lead("Keyed"), key=ACME, headers={"Idempotency-Key": "acme-7"})
    c.check(st == 409 and first_error(p)[0] == "Idempotency-Key" and "Keyed" not in text,
            "acme retrying acme-7 -> 409 naming Idempotency-Key, beta's lead not shown", text)

    # ---- a change from a stale read --------------------------------------------------------
    patch_h = {"Content-Type": "application/merge-patch+json"}
    st, _, _, p = api("PATCH", f"/api/v1/leads/{acme['id']}", json.dumps({"qualification": "warm"}), key=ACME,
                      headers=dict(patch_h, **{"If-Match": '"1"'}))
    c.check(st == 200 and p["version"] == 2, "acme qualifies its lead with If-Match \"1\"", p)
    st, _, text, p = api("PATCH", f"/api/v1/leads/{acme['id']}", json.dumps({"notes": [{"text": "late"}]}), key=ACME,
                         headers=dict(patch_h, **{"If-Match": '"1"'}))
    field, reason = first_error(p)
    c.check(st == 412 and field == "If-Match" and "read the lead again" in reason,
            "a stale If-Match -> 412 naming If-Match and what to do", text)

    # ---- an Idempotency-Key sent again with another request ------------------------------
    st, _, _, own = api("POST", "/api/v1/leads", lead("Once"), key=ACME, headers={"Idempotency-Key": "acme-8"})
    c.check(st == 201, "acme creates a lead with Idempotency-Key acme-8", own)
    st, _, _, p = api("POST", "/api/v1/leads", lead("Once"), key=ACME, headers={"Idempotency-Key": "acme-8"})
    c.check(st == 200 and p["id"] == own["id"], "the same request again -> 200, the same lead", p)
    st, _, text, p = api("POST", "/api/v1/leads", lead("Other"), key=ACME, headers={"Idempotency-Key": "acme-8"})
    field, reason = first_error(p)
    c.check(st == 422 and field == "Idempotency-Key" and "different request" in reason,
            "another lead under acme-8 -> 422 naming Idempotency-Key (not the first lead as if stored)", text)
    change = {"Content-Type": "application/merge-patch+json", "If-Match": '"1"', "Idempotency-Key": "acme-9"}
    st, _, _, p = api("PATCH", f"/api/v1/leads/{own['id']}", json.dumps({"status": "in_process"}), key=ACME,
                      headers=change)
    c.check(st == 200 and p["version"] == 2, "acme changes it under Idempotency-Key acme-9", p)
    st, _, _, p = api("PATCH", f"/api/v1/leads/{own['id']}", json.dumps({"status": "in_process"}), key=ACME,
                      headers=change)
    c.check(st == 200 and p["version"] == 2, "the same PATCH again -> 200, applied once", p)
    st, _, text, p = api("PATCH", f"/api/v1/leads/{own['id']}", json.dumps({"qualification": "hot"}), key=ACME,
                         headers=change)
    c.check(st == 422 and first_error(p)[0] == "Idempotency-Key",
            "another PATCH under acme-9 -> 422 naming Idempotency-Key (was 200 with the change silently dropped)", text)
    out = subprocess.run([LEADHUB, "--data", hub.data, "stats"], capture_output=True, text=True)
    keys = json.loads(out.stdout).get("idempotency_keys") if out.returncode == 0 else out.stderr
    c.check(keys == 3, "leadhub stats counts the 3 keys (acme-7, acme-8, acme-9), not what they remember", keys)

    # ---- the sync's changed_since as typed in a shell ---------------------------------------
    st, _, text, p = api("GET", "/api/v1/leads?changed_since=2026-12-08T01:00:00+01:00", key=ACME)
    field, reason = first_error(p)
    c.check(st == 400 and field == "changed_since" and "%2B" in reason,
            "changed_since with a bare + -> 400 saying to send %2B", text)
    st, _, text, p = api("GET", "/api/v1/leads?changed_since=2026-12-08T01:00:00%2B01:00", key=ACME)
    c.check(st == 200, "... and with %2B it is read", text)
finally:
    code = hub.stop()
    c.check(code == 0, "the hub stops cleanly", code)

sys.exit(c.done())

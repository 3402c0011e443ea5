#!/usr/bin/env python3
"""Lead processing end to end: `leadhub serve` with a `processing:` section, driven
over real HTTP on loopback, then the CLI on the same LMDB files. Checks that the
duplicate policies apply per connector (flag through one HTTP instance, reject with
the matches through another, update through a third), that the decision is
explained in the audit trail (also for a lead a duplicate create updated and for a
manual assignment, over HTTP and in `leadhub lead audit`),
that classification, scoring and round-robin assignment set the stored lead, that
a CLI import is processed too (leads of one file see each other), and that
`leadhub score rebuild --rescore` relearns the model and rescores open leads.

Usage: processing_e2e.py PATH_TO_LEADHUB
"""
import hashlib
import json
import os
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = sys.argv[1]

CONFIG = """
processing:
  duplicates:
    policy: flag
    connector_policies: {strict: reject, sync: update}
    rules:
      - {name: same_email, match: email, weight: 1.0}
      - {name: name_and_postal_code, match: name, similarity: 0.9, same: [postal_code], weight: 1.0}
  classification:
    rules:
      - name: germany_high
        when: {field: prospect.address.country, equals: DE}
        set: {priority: high, attributes: {region: dach}}
  scoring:
    features: [source, prospect.address.country]
    min_history: 4
    fallback:
      base: 20
      weights:
        - {name: has_company, when: {field: prospect.company, present: true}, points: 15}
  assignment:
    channels:
      team-de: {distribution: round_robin, members: [anna, ben]}
    rules:
      - {name: germany, countries: [DE], channel: team-de}
  approval:
    steps:
      - {name: sales_manager, role: sales-manager, when: {field: expected_value.amount, range: {min: 10000}}}
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
  - {name: strict, type: http, listen: "127.0.0.1:0"}
  - {name: sync, type: http, listen: "127.0.0.1:0"}
  - name: staff
    type: http
    listen: "127.0.0.1:0"
    api_keys:
      - {name: clerk, sha256: %s}
      - {name: sam, sha256: %s, roles: [sales-manager]}
      - {name: portal, sha256: %s, scopes: [leads:read, leads:write], partner: acme}
""" % (hashlib.sha256(b"clerk-key").hexdigest(), hashlib.sha256(b"sam-key").hexdigest(),
       hashlib.sha256(b"portal-key").hexdigest())


def lead(family, email, country="DE", postal="10115", company=None, source="api"):
    p = {"given_name": "Anna", "family_name": family, "email": email,
         "address": {"country": country, "postal_code": postal}}
    if company:
        p["company"] = company
    return {"subject": "Forklift", "source": source, "prospect": p}


c = Checks()
hub = Hub(LEADHUB, CONFIG, name="processing").start()
try:
    st, _, _, first = hub.request("POST", "/api/v1/leads", lead("Meyer", "anna.meyer@example.com", company="Meyer AG"))
    c.check(st == 201 and not first.get("duplicate_of"), "first lead created, no duplicate", first)
    c.check(first.get("priority") == "high" and first.get("attributes", {}).get("region") == "dach",
            "classification rule set priority and attribute", first)
    c.check(first.get("score") == 35, "score from the configured weights (20 + 15 for a company)", first)
    c.check(first.get("owner", {}).get("channel") == "team-de" and first["owner"].get("assignee") == "anna",
            "assigned to the channel's first member", first.get("owner"))

    st, _, _, second = hub.request("POST", "/api/v1/leads", lead("Maier", "Anna.Meyer@Example.com"))
    c.check(st == 201 and second.get("duplicate_of") == first["id"], "same e-mail: created, flagged as duplicate",
            second)
    c.check(second.get("owner", {}).get("assignee") == "ben", "round robin: the next member", second.get("owner"))

    st, _, _, fuzzy = hub.request("POST", "/api/v1/leads", lead("Meier", "other@example.org"))
    c.check(st == 201 and fuzzy.get("duplicate_of") in (first["id"], second["id"]),
            "Meier vs Meyer at the same postal code: fuzzy duplicate", fuzzy)

    st, _, _, problem = hub.request("POST", "/api/v1/leads", lead("Meyer", "anna.meyer@example.com"), name="strict")
    c.check(st == 409 and problem.get("code") == "duplicate", "reject policy on the strict connector: 409", problem)
    reasons = json.dumps(problem.get("errors", problem))
    c.check(first["id"] in reasons and "same_email" in reasons, "the refusal names the match and the rule", problem)

    # the check alone: what a create would find, nothing stored
    st, _, _, found_before = hub.request("GET", "/api/v1/leads?email=anna.meyer%40example.com")
    st, _, _, check = hub.request("POST", "/api/v1/duplicate-checks", lead("Meyer", "ANNA.MEYER@example.com"),
                                  name="strict")
    c.check(st == 200 and check.get("duplicate") is True and check.get("policy") == "reject"
            and check["matches"][0]["id"] in (first["id"], second["id"])
            and "same_email" in check["matches"][0]["rules"],
            "POST /duplicate-checks answers the matches, rules and the connector's policy", (st, check))
    st, _, _, found_after = hub.request("GET", "/api/v1/leads?email=anna.meyer%40example.com")
    c.check(len(found_after["items"]) == len(found_before["items"]), "the check stored nothing")
    st, _, _, check = hub.request("POST", "/api/v1/duplicate-checks", lead("Zylinski", "z@example.org", postal="99999"))
    c.check(st == 200 and check.get("duplicate") is False and check.get("matches") == [],
            "a new person: no duplicate", check)

    st, _, _, audit = hub.request("GET", f"/api/v1/leads/{second['id']}/audit")
    entries = audit.get("items", audit) if isinstance(audit, dict) else audit
    processed = [e for e in entries if e.get("action") == "processed"]
    c.check(st == 200 and len(processed) == 1, "the audit trail has the processing decision", audit)
    if processed:
        why = processed[0]["new"]
        c.check(why["duplicates"]["duplicate"] and why["duplicates"]["matches"][0]["id"] == first["id"]
                and "same_email" in why["duplicates"]["matches"][0]["rules"],
                "explained: candidate, rules and score", why)
        c.check(why["assignment"]["assignee"] == "ben" and why["classification"] == ["germany_high"],
                "explained: assignment and classification", why)

    # a person's priority is kept when the rules run again on a change
    st, h, _, got = hub.request("GET", f"/api/v1/leads/{first['id']}")
    st, _, _, changed = hub.request("PATCH", f"/api/v1/leads/{first['id']}", {"priority": "low"},
                                    {"If-Match": h.get("etag", "")})
    st, h, _, _ = hub.request("GET", f"/api/v1/leads/{first['id']}")
    st, _, _, again = hub.request("PATCH", f"/api/v1/leads/{first['id']}", {"subject": "Forklift, 2 t"},
                                  {"If-Match": h.get("etag", "")})
    c.check(st == 200 and again.get("priority") == "low", "manual priority kept on a later change", again)

    # ---- policy `update`: the updated lead's trail says which create changed it ----
    update = lead("Meyer", "ANNA.MEYER@example.com", company="Meyer AG")
    update["subject"] = "Forklift, 3 t"
    update["external_refs"] = [{"system": "crm", "id": "C-77"}]
    st, _, _, updated = hub.request("POST", "/api/v1/leads", update, {"Idempotency-Key": "crm-77"}, name="sync")
    c.check(st == 200 and updated.get("id") == first["id"] and updated.get("subject") == "Forklift, 3 t",
            "a duplicate through the `update` connector changes the existing lead", (st, updated))
    st, _, _, audit = hub.request("GET", f"/api/v1/leads/{first['id']}/audit")
    why = [e for e in audit.get("items", []) if e.get("action") == "processed"
           and e.get("version") == updated.get("version")]
    why = why[-1]["new"] if why else {}
    c.check(why.get("duplicates", {}).get("policy") == "update" and why["duplicates"].get("duplicate") is True
            and why["duplicates"]["matches"][0]["id"] == first["id"]
            and "same_email" in why["duplicates"]["matches"][0]["rules"],
            "GET audit: the update's processed entry explains the duplicate check (match, rule, policy)", why)
    # the key as the hub keeps it: the HTTP API scopes the caller's Idempotency-Key to the caller
    c.check(why.get("duplicate_create") == {"connector": "sync", "idempotency_key": "http:anonymous:crm-77",
                                            "external_refs": [{"system": "crm", "id": "C-77"}]},
            "GET audit: ... and names the create: connector, idempotency key, external reference", why)
    updated_first = updated

    # ---- merge and manual assignment over HTTP ----
    st, _, _, merged = hub.request("POST", f"/api/v1/leads/{first['id']}/merge", {"others": [second["id"]]})
    c.check(st == 200 and merged["id"] == first["id"], "POST /leads/{id}/merge answers with the survivor", merged)
    st, _, _, gone = hub.request("GET", f"/api/v1/leads/{second['id']}")
    c.check(gone.get("status") == "closed" and gone.get("duplicate_of") == first["id"],
            "the merged lead is closed as a duplicate of the survivor", gone)
    st, _, _, audit = hub.request("GET", f"/api/v1/leads/{first['id']}/audit")
    c.check(any(e.get("action") == "merged" for e in audit["items"]), "the survivor's trail holds the merged trail")
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "schemas", "audit-entry.schema.json")) as f:
        audit_schema = jsonschema.Draft202012Validator(json.load(f))
    bad = [(e.get("action"), m.message) for e in audit["items"] for m in audit_schema.iter_errors(e)]
    c.check(not bad, "processed (also the update's), changed and merged entries match audit-entry.schema.json",
            bad[:3])
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{first['id']}/merge", {"others": [first["id"]]})
    c.check(st == 422 and problem["errors"][0]["field"] == "others[0]", "merging a lead into itself: 422", problem)
    # a retried merge (its answer was lost) changes nothing and copies no trail again
    st, _, _, again = hub.request("POST", f"/api/v1/leads/{first['id']}/merge", {"others": [second["id"]]})
    st2, _, _, audit = hub.request("GET", f"/api/v1/leads/{first['id']}/audit")
    c.check(st == 200 and again.get("version") == merged["version"]
            and sum(e.get("action") == "merged" for e in audit["items"]) == 1,
            "merging the merged lead again into its survivor: the survivor unchanged, one merged entry", (st, again))
    # ... and into another lead: refused, naming the survivor it went to
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{fuzzy['id']}/merge", {"others": [second["id"]]})
    c.check(st == 409 and problem["errors"][0]["field"] == "others[0]"
            and f"merged into {first['id']} already" in problem["errors"][0]["reason"],
            "merging the merged lead into another lead: 409 naming where it went", (st, problem))
    st, _, _, assigned = hub.request("POST", f"/api/v1/leads/{fuzzy['id']}/assign", {"channel": "team-de"})
    c.check(st == 200 and assigned["owner"]["channel"] == "team-de" and assigned["owner"].get("assignee"),
            "POST /leads/{id}/assign picks a member in the channel", assigned)
    st, _, _, audit = hub.request("GET", f"/api/v1/leads/{fuzzy['id']}/audit")
    why = [e for e in audit.get("items", []) if e.get("action") == "processed"
           and e.get("version") == assigned.get("version")]
    c.check(len(why) == 1 and why[0]["new"].get("assignment", {}).get("manual") is True
            and why[0]["new"]["assignment"].get("by") == why[0]["user"]
            and why[0]["new"]["assignment"].get("distribution") == "round_robin"
            and why[0]["new"]["assignment"].get("channel") == "team-de"
            and why[0]["new"]["assignment"].get("assignee") == assigned["owner"].get("assignee"),
            "GET audit: the assignment's processed entry says manual, by whom, strategy, channel and member", why)
    bad = [(e.get("action"), m.message) for e in audit["items"] for m in audit_schema.iter_errors(e)]
    c.check(not bad, "the manual assignment's trail matches audit-entry.schema.json ($defs/processing)", bad[:3])
    st, _, _, named = hub.request("POST", f"/api/v1/leads/{fuzzy['id']}/assign",
                                  {"channel": "partner-acme", "assignee": "jo", "version": 1})
    c.check(st == 412 or st == 409, "a stale version is refused", (st, named))

    # ---- approval and conversion over HTTP ----
    big = lead("Gross", "gross@example.net", postal="20095")
    big["expected_value"] = {"amount": "50000.00", "currency": "EUR"}
    st, _, _, big = hub.request("POST", "/api/v1/leads", big)
    st, _, _, problem = hub.request("PATCH", f"/api/v1/leads/{big['id']}", {"status": "converted"}, {"If-Match": "*"})
    c.check(st == 409 and problem["errors"][0]["reason"] == "cannot change from open to converted "
            "(open may go to in_process, qualified, declined or closed)",
            "an illegal status change names where the lead may go instead", (st, problem))
    for status in ("in_process", "qualified"):
        st, _, _, _ = hub.request("PATCH", f"/api/v1/leads/{big['id']}", {"status": status}, {"If-Match": "*"})
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{big['id']}/convert", {})
    c.check(st == 409 and any(e["field"] == "approval.sales_manager" for e in problem.get("errors", [])),
            "convert refused while the sales manager's approval is pending", (st, problem))
    st, _, _, state = hub.request("GET", f"/api/v1/leads/{big['id']}/approvals")
    c.check(st == 200 and state == {"complete": False, "steps": [{"step": "sales_manager", "role": "sales-manager",
                                                                  "state": "pending"}]},
            "GET approvals lists the pending step", state)
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{big['id']}/approvals",
                                    {"step": "sales_manager", "decision": "aprove"},
                                    {"Authorization": "Bearer sam-key"}, name="staff")
    c.check(st == 422 and problem["errors"] == [{"field": "decision", "reason": "'aprove' is not one of approve, reject"}],
            "a misspelt decision is named as such, not as missing", (st, problem))
    decide = {"step": "sales_manager", "decision": "approve", "comment": "good margin"}
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{big['id']}/approvals", decide,
                                    {"Authorization": "Bearer clerk-key"}, name="staff")
    c.check(st == 403 and "role 'sales-manager'" in problem.get("detail", ""),
            "a key without the step's role may not decide it: 403 naming the role", (st, problem))
    st, _, _, state = hub.request("POST", f"/api/v1/leads/{big['id']}/approvals", decide,
                                  {"Authorization": "Bearer sam-key"}, name="staff")
    c.check(st == 200 and state["complete"] and state["steps"][0]["state"] == "approved"
            and state["steps"][0]["by"] == "sam", "POST approvals with the role's key approves the step", state)
    st, _, _, converted = hub.request("POST", f"/api/v1/leads/{big['id']}/convert", {"opportunity_ref": "OPP-7"})
    c.check(st == 200 and converted["status"] == "converted" and converted["opportunity_ref"] == "OPP-7",
            "then the lead converts", converted)
    st, _, _, _ = hub.request("PATCH", f"/api/v1/leads/{big['id']}", {"subject": "x"}, {"If-Match": "*"})
    c.check(st == 423, "a converted lead is locked", st)

    # ---- a partner's key: its own lead is visible, the staff actions are not ----
    portal = {"Authorization": "Bearer portal-key"}
    st, _, _, own = hub.request("POST", "/api/v1/leads", lead("Portal", "portal@example.org", country="FR"),
                                portal, name="staff")
    st, _, _, problem = hub.request("GET", f"/api/v1/leads/{own.get('id')}/approvals", None, portal, name="staff")
    c.check(st == 403 and "partner" in problem.get("detail", ""),
            "GET approvals with a partner's key: 403 saying why, not 404 for a lead it can read", (st, problem))
    st, _, _, problem = hub.request("POST", f"/api/v1/leads/{own.get('id')}/convert", {}, portal, name="staff")
    c.check(st == 403 and "convert" in problem.get("detail", ""),
            "convert with a partner's key: 403 naming the action", (st, problem))
finally:
    c.check(hub.stop() == 0, "hub stops cleanly")

# ---- the CLI on the same store ------------------------------------------------------
ndjson = os.path.join(hub.work, "batch.ndjson")
with open(ndjson, "w") as f:
    for i, email in enumerate(["batch@example.com", "BATCH@example.com", "solo@example.com"]):
        f.write(json.dumps(lead(f"Batch{i}", email, country="FR", postal=f"7500{i}")) + "\n")
base = [LEADHUB, "--config", hub.config, "--data", hub.data]
r = subprocess.run(base + ["import", ndjson], capture_output=True, text=True)
summary = json.loads(r.stdout or "{}")
c.check(r.returncode == 0 and summary.get("created") == 3, "CLI import through processing", r.stdout + r.stderr)
r = subprocess.run(base + ["lead", "find", "--email", "batch@example.com"], capture_output=True, text=True)
found = json.loads(r.stdout or "{}").get("items", [])
flagged = [x for x in found if x.get("duplicate_of")]
c.check(len(found) == 2 and len(flagged) == 1, "the second lead of one import is flagged against the first",
        r.stdout + r.stderr)

r = subprocess.run(base + ["--user", "clerk-at-cli", "lead", "assign", flagged[0]["id"] if flagged else "x",
                          "--channel", "partner-acme", "--assignee", "jo"], capture_output=True, text=True)
got = json.loads(r.stdout or "{}")
c.check(r.returncode == 0 and got.get("owner") == {"channel": "partner-acme", "assignee": "jo"},
        "leadhub lead assign --channel --assignee", r.stdout + r.stderr)
r = subprocess.run(base + ["lead", "audit", got.get("id", "x")], capture_output=True, text=True)
trail = json.loads(r.stdout or "[]")
why = [e for e in trail if e.get("action") == "processed" and e.get("version") == got.get("version")]
c.check(r.returncode == 0 and len(why) == 1
        and why[0]["new"].get("assignment") == {"rule": "", "channel": "partner-acme", "assignee": "jo",
                                                 "reason": "manual assignment: assignee named", "manual": True,
                                                 "by": "clerk-at-cli"},
        "leadhub lead audit: the manual assignment is explained (named member, by whom)", why or r.stderr)
r = subprocess.run(base + ["lead", "audit", updated_first.get("id", "x")], capture_output=True, text=True)
trail = json.loads(r.stdout or "[]")
why = [e for e in trail if e.get("action") == "processed" and e.get("version") == updated_first.get("version")]
c.check(r.returncode == 0 and len(why) == 1 and why[0]["new"].get("duplicates", {}).get("policy") == "update"
        and why[0]["new"].get("duplicate_create", {}).get("idempotency_key") == "http:anonymous:crm-77",
        "leadhub lead audit: the update by a duplicate create is explained as over HTTP", why or r.stderr)
survivor = [x for x in found if not x.get("duplicate_of")]
r = subprocess.run(base + ["lead", "merge", survivor[0]["id"] if survivor else "x", flagged[0]["id"] if flagged else "y"],
                   capture_output=True, text=True)
c.check(r.returncode == 0 and json.loads(r.stdout or "{}").get("id") == (survivor and survivor[0]["id"]),
        "leadhub lead merge SURVIVOR OTHER", r.stdout + r.stderr)
r = subprocess.run(base + ["lead", "approvals", big["id"]], capture_output=True, text=True)
approvals = json.loads(r.stdout or "{}")
c.check(r.returncode == 0 and approvals.get("complete") is True, "leadhub lead approvals", r.stdout + r.stderr)
c.check(approvals.get("steps", [{}])[0].get("at", "").startswith("20"),
        "leadhub lead approvals shows when a step was decided, as the API does", r.stdout)
r = subprocess.run(base + ["lead", "convert", survivor[0]["id"] if survivor else "x"], capture_output=True, text=True)
c.check(r.returncode == 5 and "converted" in r.stderr, "leadhub lead convert of an open lead: exit 5 with the reason",
        (r.returncode, r.stderr))
pending = dict(lead("Pending", "pending@example.com", country="FR", postal="69001"), qualification="warm",
               expected_value={"amount": "20000", "currency": "EUR"})
r = subprocess.run(base + ["lead", "create", "--json", json.dumps(pending)], capture_output=True, text=True)
pending_id = json.loads(r.stdout or "{}").get("id", "x")
r = subprocess.run(base + ["lead", "convert", pending_id], capture_output=True, text=True)
c.check(r.returncode == 5 and "approval.sales_manager: pending" in r.stderr,
        "leadhub lead convert awaiting approval names the missing step", (r.returncode, r.stderr))
r = subprocess.run(base + ["lead", "duplicates", "--json", json.dumps(lead("Batch9", "Batch@Example.com"))],
                   capture_output=True, text=True)
check = json.loads(r.stdout or "{}")
c.check(r.returncode == 0 and check.get("duplicate") is True and len(check.get("matches", [])) >= 1,
        "leadhub lead duplicates", r.stdout + r.stderr)
r = subprocess.run(base + ["score", "rebuild", "--rescore"], capture_output=True, text=True)
rebuilt = json.loads(r.stdout or "{}")
c.check(r.returncode == 0 and rebuilt.get("won") == 1 and rebuilt.get("lost") == 2 and "rescored" in rebuilt,
        "score rebuild learns from the converted lead and the two closed by merges", r.stdout + r.stderr)
r = subprocess.run([LEADHUB, "--data", hub.data, "score", "rebuild"], capture_output=True, text=True)
c.check(r.returncode != 0 and "processing" in r.stderr, "score rebuild without processing: a clear error", r.stderr)
sys.exit(c.done())

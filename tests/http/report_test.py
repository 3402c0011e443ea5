#!/usr/bin/env python3
"""The lead report end to end: `leadhub report` on a real store filled through the
CLI, then GET /api/v1/reports/leads from `leadhub serve` on the same store, with
filters, API keys and scopes, and problem+json naming the bad parameter. Covers
conversion by owner channel, time to qualify, and what aging escalated and closed
(`leadhub aging run --now` days ahead), and checks the answer against the OpenAPI
document's LeadReport schema.

Usage: report_test.py PATH_TO_LEADHUB
"""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks, key_sha256  # noqa: E402

LEADHUB = sys.argv[1]
READER, WRITER, ACME = "lh_report_reader_1", "lh_report_writer_2", "lh_report_acme_3"
WEST = "lh_report_west_4"  # a partner whose channel has no leads yet



CONFIG = f"""
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    api_keys:
      - {{name: reader, sha256: {key_sha256(READER)}, scopes: [leads:read]}}
      - {{name: writer, sha256: {key_sha256(WRITER)}, scopes: [leads:write]}}
      - {{name: acme, sha256: {key_sha256(ACME)}, scopes: [leads:read], partner: north}}
      - {{name: west, sha256: {key_sha256(WEST)}, scopes: [leads:read], partner: west}}
processing:
  aging:
    rules:
      - {{status: open, escalate_after_days: 3, close_after_days: 10}}
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="report")


def cli(*args, expect=0):
    p = subprocess.run([LEADHUB, "--config", hub.config, "--data", hub.data, *args], capture_output=True, text=True,
                       timeout=120)
    c.check(p.returncode == expect, f"leadhub {' '.join(args)[:80]} exits {expect}", (p.returncode, p.stderr))
    return p


def create(campaign, source, channel=None):
    doc = {"subject": "Heat pump", "source": source, "prospect": {"family_name": "Muster"}}
    if campaign:
        doc["campaign"] = campaign
    if channel:
        doc["owner"] = {"channel": channel}
    return json.loads(cli("lead", "create", "--json", json.dumps(doc)).stdout)


def change(lead, patch):
    out = json.loads(cli("lead", "change", lead["id"], "--if-version", str(lead["version"]),
                         "--json", json.dumps(patch)).stdout)
    lead.update(out)
    return lead


# spring: converted, declined, qualified, open (web form, 2 in channel north);
# autumn: open, in process (lettershop, channel south); one API lead without either.
s1, s2, s3 = create("spring", "web_form", "north"), create("spring", "web_form", "north"), create("spring", "web_form")
create("spring", "web_form")
change(s1, {"status": "in_process"})
change(s1, {"status": "qualified"})
cli("lead", "convert", s1["id"])
change(s2, {"status": "declined", "reason": "no budget"})
change(s3, {"qualification": "hot"})
create("autumn", "lettershop", "south")
change(create("autumn", "lettershop", "south"), {"status": "in_process"})
create(None, "api")

# ---- the CLI ---------------------------------------------------------------------------------------
p = cli("report", "--help")
c.check("--campaign" in p.stdout and "conversion rate" in p.stdout, "report --help names the filters")
report = json.loads(cli("report").stdout)
c.check(report["total"] == 7, "report counts every lead", report["total"])
c.check(report["by_status"] == {"open": 3, "in_process": 1, "qualified": 1, "accepted": 0, "converted": 1,
                                "declined": 1, "closed": 0}, "by status", report["by_status"])
c.check(report["by_channel"] == {"north": 2, "south": 2} and report["without_channel"] == 3, "by channel",
        report["by_channel"])
c.check(report["by_campaign"] == {"autumn": 2, "spring": 4} and report["without_campaign"] == 1, "by campaign")
north_pipeline = next(x for x in report["channels"] if x["channel"] == "north")
c.check(north_pipeline["total"] == 2 and north_pipeline["converted"] == 1 and north_pipeline["declined"] == 1
        and north_pipeline["conversion_rate"] == 0.5, "north's pipeline: conversion 0.5", report["channels"])
c.check([x["conversion_rate"] for x in report["channels"]] == [0.5, 0], "south converted none", report["channels"])
ttq = report["time_to_qualify"]
web_ttq = next(x for x in ttq["sources"] if x["source"] == "web_form")
letter_ttq = next(x for x in ttq["sources"] if x["source"] == "lettershop")
# s1 (in process, then qualified) and s3 (hot) were qualified a few CLI calls after their creation.
c.check(ttq["count"] == 2 and web_ttq["count"] == 2 and 0 <= ttq["median_seconds"] <= ttq["p90_seconds"] < 600,
        "time to qualify: the 2 qualified web-form leads, in seconds", ttq)
c.check(letter_ttq == {"source": "lettershop", "count": 0, "median_seconds": None, "p90_seconds": None},
        "no lettershop lead was qualified", letter_ttq)
c.check(report["aging"] == {"due_now": 0, "due_within_7_days": 3, "escalated": 0, "closed": 0},
        "aging: the 3 open leads fall due within a week, nothing done yet", report["aging"])
c.check(report["by_source"]["web_form"] == 4 and report["by_source"]["lettershop"] == 2
        and report["by_source"]["api"] == 1, "by source", report["by_source"])
spring = next(x for x in report["campaigns"] if x["campaign"] == "spring")
c.check(spring["converted"] == 1 and spring["declined"] == 1 and spring["qualified"] == 1 and spring["open"] == 1
        and spring["conversion_rate"] == 0.25, "spring's pipeline and conversion rate 0.25", spring)
web = next(x for x in report["sources"] if x["source"] == "web_form")
c.check(web["total"] == 4 and web["conversion_rate"] == 0.25, "web form's pipeline", web)
c.check(len(report["created_per_day"]) == 30 and report["created_per_day"][-1]["count"] == 7,
        "30 days of creates, all 7 today", report["created_per_day"][-3:])
north = json.loads(cli("report", "--campaign", "spring", "--channel", "north").stdout)
c.check(north["total"] == 2 and north["by_status"]["converted"] == 1, "--campaign and --channel combine", north)
c.check(json.loads(cli("report", "--source", "lettershop").stdout)["by_campaign"] == {"autumn": 2},
        "--source narrows the campaigns")
c.check(json.loads(cli("report", "--since", "2099-01-01").stdout)["total"] == 0, "--since in the future: nothing")
c.check(json.loads(cli("report", "--until", "2099-01-01T00:00:00Z", "--days", "2").stdout)["total"] == 7
        and len(json.loads(cli("report", "--days", "2").stdout)["created_per_day"]) == 2, "--until and --days")
p = cli("report", "--source", "fax", expect=3)
c.check("--source" in p.stderr, "a bad --source is invalid input naming the option", p.stderr)
p = cli("report", "--days", "0", expect=3)
c.check("--days" in p.stderr, "--days 0 is refused naming the option", p.stderr)
cli("report", "stray", expect=2)
# A campaign or channel no lead has is a slip, not a question: refused, not "0 leads".
p = cli("report", "--campaign", "Spring", "--channel", "nrth", expect=3)
c.check("--campaign: no lead has the campaign 'Spring' (did you mean 'spring'?" in p.stderr
        and "--channel: no lead has the owner channel 'nrth'" in p.stderr,
        "a campaign and a channel no lead has are refused, naming the options and a near name", p.stderr)
p = cli("report", "--since", "2026-12-02", "--until", "2026-12-01", expect=3)
c.check("--until: is before since" in p.stderr, "until before since names the option --until", p.stderr)

# ---- what aging did: runs 4 and 11 days ahead escalate, then close, the 3 open leads --------------
now = datetime.now(timezone.utc)
for days, done in [(4, "escalated"), (11, "closed")]:
    at = (now + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ran = json.loads(cli("aging", "run", "--now", at).stdout)
    c.check(ran[done] == 3, f"aging run {days} days ahead: 3 {done}", ran)
report = json.loads(cli("report").stdout)
c.check(report["aging"]["escalated"] == 3 and report["aging"]["closed"] == 3 and report["by_status"]["closed"] == 3,
        "the report counts the leads aging escalated and closed", report["aging"])
p = cli("report", "--campaign", "autumn")
c.check(json.loads(p.stdout)["aging"]["closed"] == 1, "... per campaign (autumn: 1 closed)", p.stdout)

# ---- the REST endpoint on the same store -----------------------------------------------------------
hub.start()


def get(path, key=READER):
    return hub.request("GET", path, headers={"Authorization": "Bearer " + key} if key else {})


st, h, _, body = get("/api/v1/reports/leads")
c.check(st == 200 and h["content-type"].startswith("application/json"), "GET /api/v1/reports/leads", (st, body))
strip = lambda r: {k: v for k, v in r.items() if k != "generated_at"}  # noqa: E731
c.check(strip(body) == strip(report), "the endpoint answers what the CLI printed", body)
st, _, _, body = get("/api/v1/reports/leads?campaign=spring&channel=north")
c.check(st == 200 and body["total"] == 2, "filters as query parameters", body)
st, _, _, body = get("/api/v1/reports/leads?source=lettershop&since=2020-01-01&days=7")
c.check(st == 200 and body["total"] == 2 and len(body["created_per_day"]) == 7, "source, since, days", body)
st, h, _, body = get("/api/v1/reports/leads?source=fax")
c.check(st == 400 and h["content-type"].startswith("application/problem+json")
        and body["errors"][0]["field"] == "source", "a bad source is a 400 problem naming `source`", body)
st, _, _, body = get("/api/v1/reports/leads?until=yesterday")
c.check(st == 400 and body["errors"][0]["field"] == "until", "a bad until names `until`", body)
st, _, _, body = get("/api/v1/reports/leads?since=2026-12-02&until=2026-12-01")
c.check(st == 400 and body["errors"][0]["field"] == "until", "until before since names `until`", body)
st, _, _, body = get("/api/v1/reports/leads?campaign=Spring")
c.check(st == 400 and body["errors"] == [{"field": "campaign", "reason": "no lead has the campaign 'Spring' (did you "
                                          "mean 'spring'? names are compared exactly, case included)"}],
        "a campaign no lead has is a 400 naming `campaign` and the near name", body)
st, _, _, body = get("/api/v1/reports/leads?channel=nrth")
c.check(st == 400 and body["errors"][0]["field"] == "channel", "a channel no lead has is a 400 naming `channel`", body)
st, _, _, body = get("/api/v1/reports/leads?days=9999")
c.check(st == 400 and body["errors"][0]["field"] == "days", "days out of range names `days`", body)
st, _, _, body = get("/api/v1/reports/leads?colour=red")
c.check(st == 400 and body["errors"][0]["field"] == "colour", "an unknown parameter is named", body)
st, _, _, body = get("/api/v1/reports/leads", key=None)
c.check(st == 401, "without a key: 401", (st, body))
st, _, _, body = get("/api/v1/reports/leads", key=WRITER)
c.check(st == 403, "a key without leads:read: 403", (st, body))
st, _, _, body = get("/api/v1/reports/leads", key=ACME)
c.check(st == 200 and body["total"] == 2 and body["by_channel"] == {"north": 2},
        "a partner-bound key reports on its own channel", body)
st, _, _, body = get("/api/v1/reports/leads?channel=south", key=ACME)
c.check(st == 403 and body["errors"][0]["field"] == "channel", "... and not on another's", body)
st, _, _, body = get("/api/v1/reports/leads", key=WEST)
c.check(st == 200 and body["total"] == 0, "a partner whose channel has no leads yet gets an empty report", body)
st, _, _, doc = hub.request("GET", "/api/v1/openapi.json")
c.check("/api/v1/reports/leads" in doc["paths"] and "LeadReport" in doc["components"]["schemas"],
        "the endpoint is in the OpenAPI document")
st, _, _, body = get("/api/v1/reports/leads")
try:
    jsonschema.validate(body, doc["components"]["schemas"]["LeadReport"])
    c.check(True, "the report matches the OpenAPI document's LeadReport schema")
except jsonschema.ValidationError as e:
    c.check(False, "the report matches the OpenAPI document's LeadReport schema", e.message)
required = doc["components"]["schemas"]["LeadReport"]["required"]
c.check({"channels", "time_to_qualify"} <= set(required)
        and {"escalated", "closed"} <= set(doc["components"]["schemas"]["LeadReport"]["properties"]["aging"]["required"]),
        "the schema requires the channels, time to qualify and aging's acts", required)

c.check(hub.stop() == 0, "hub stops cleanly")


# ---- a store written before the report history existed ---------------------------------------------
def without_report_history(data, into):
    """A copy of the store as an earlier version wrote it: mdb_dump of every database but
    the report history's two, and meta without the history's mark, loaded by mdb_load."""
    dump = subprocess.run(["mdb_dump", "-a", data], capture_output=True, check=True).stdout.decode()
    mark = " " + b"report.history".hex() + "\n"
    kept = []
    for section in dump.split("DATA=END\n"):
        if "database=qualified\n" in section or "database=idx_aging_act\n" in section or not section.strip():
            continue
        if "database=meta\n" in section and mark in section:
            at = section.index(mark)
            section = section[:at] + section[section.index("\n", at + len(mark)) + 1:]  # the key and its value
        kept.append(section + "DATA=END\n")
    os.makedirs(into)
    subprocess.run(["mdb_load", into], input="".join(kept).encode(), check=True, capture_output=True)


old_store = os.path.join(hub.work, "old-data")
without_report_history(hub.data, old_store)
p = subprocess.run([LEADHUB, "--config", hub.config, "--data", old_store, "report"], capture_output=True, text=True,
                   timeout=120)
c.check(p.returncode == 0 and "no report history yet" in p.stderr
        and "report history filled" in p.stderr and "2 leads qualified, 3 escalated and 3 closed by aging" in p.stderr,
        "a store without the report history: filled from the audit trail at open, said in the log", p.stderr)
c.check(strip(json.loads(p.stdout)) == strip(report), "... and the report is the same as before", p.stdout)
p = subprocess.run([LEADHUB, "--config", hub.config, "--data", old_store, "report"], capture_output=True, text=True,
                   timeout=120)
c.check(p.returncode == 0 and "report history" not in p.stderr, "... once", p.stderr)
sys.exit(c.done())

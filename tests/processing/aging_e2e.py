#!/usr/bin/env python3
"""Aging end to end on real LMDB files: `leadhub serve` with `processing: aging:`
runs its scheduler (a follow-up date that has come raises a reminder within a
check interval), then `leadhub aging run --now ...` on the same store escalates
leads nobody acted on (the call-centre rule before the general one), runs
nothing twice, and closes leads as aged with a real status change in the audit
trail.

Usage: aging_e2e.py PATH_TO_LEADHUB
"""
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = sys.argv[1]

CONFIG = """
processing:
  aging:
    check_every_seconds: 1
    reminders: true
    rules:
      - {status: open, channel: call-centre, escalate_after_days: 2, close_after_days: 14}
      - {status: open, escalate_after_days: 3, close_after_days: 30}
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
"""

NOW = datetime.datetime.now(datetime.timezone.utc)


def stamp(days):
    return (NOW + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def lead(name, channel=None, follow_up=None):
    out = {"subject": "Forklift", "prospect": {"family_name": name}}
    if channel:
        out["owner"] = {"channel": channel}
    if follow_up:
        out["follow_up"] = follow_up
    return out


def audit_actions(hub_or_base, lead_id):
    r = subprocess.run(hub_or_base + ["lead", "audit", lead_id], capture_output=True, text=True)
    return [e.get("action") for e in json.loads(r.stdout or "[]")]


c = Checks()
hub = Hub(LEADHUB, CONFIG, name="aging").start()
try:
    yesterday = (NOW - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    st, _, _, due = hub.request("POST", "/api/v1/leads", lead("Reminded", follow_up=yesterday))
    c.check(st == 201, "lead with a follow-up date that has come", due)
    reminded = False
    for _ in range(100):  # the scheduler checks every second
        st, _, _, audit = hub.request("GET", f"/api/v1/leads/{due['id']}/audit")
        audit = audit.get("items", audit) if isinstance(audit, dict) else audit
        if any(e.get("action") == "reminded" for e in audit or []):
            reminded = True
            break
        time.sleep(0.1)
    c.check(reminded, "serve's scheduler raised the reminder", audit)
    st, _, _, ready = hub.request("GET", "/readyz")
    c.check("aging" in (ready or {}).get("connectors", {}), "the scheduler is listed in /readyz", ready)
    st, _, _, centre = hub.request("POST", "/api/v1/leads", lead("Centre", channel="call-centre"))
    st, _, _, general = hub.request("POST", "/api/v1/leads", lead("General"))
    c.check(st == 201, "two leads to age", general)
finally:
    c.check(hub.stop() == 0, "hub stops cleanly")
c.check(any("aging" in line for line in hub.log), "the scheduler logged its start", "\n".join(hub.log[-20:]))

base = [LEADHUB, "--config", hub.config, "--data", hub.data]


def aging_run(days):
    r = subprocess.run(base + ["aging", "run", "--now", stamp(days)], capture_output=True, text=True)
    return r.returncode, json.loads(r.stdout or "{}"), r.stderr


code, counts, err = aging_run(2.5)
c.check(code == 0 and counts.get("escalated") == 1 and counts.get("closed") == 0,
        "after 2.5 days only the call-centre lead is escalated", (counts, err))
c.check("escalated" in audit_actions(base, centre["id"]), "its audit trail says escalated")
code, counts, err = aging_run(2.5)
c.check(code == 0 and counts.get("due") == 0, "a second run at the same time finds nothing due", (counts, err))
code, counts, err = aging_run(15)
c.check(code == 0 and counts.get("closed") == 1 and counts.get("escalated") == 2,
        "after 15 days: the call-centre lead closed, the two others escalated", (counts, err))
r = subprocess.run(base + ["lead", "get", centre["id"]], capture_output=True, text=True)
closed = json.loads(r.stdout or "{}")
c.check(closed.get("status") == "closed" and closed.get("reason") == "aged" and closed.get("version") == 2,
        "closed with reason aged as a new version", closed)
actions = audit_actions(base, centre["id"])
c.check("changed" in actions and "aged" in actions, "the close is audited as a change and as aged", actions)
code, counts, err = aging_run(31)
c.check(code == 0 and counts.get("closed") == 2, "after 31 days the rest is closed", (counts, err))

r = subprocess.run(base + ["aging", "run", "--now", "yesterday"], capture_output=True, text=True)
c.check(r.returncode == 2, "a bad --now is a usage error", r.stderr)
r = subprocess.run([LEADHUB, "--data", hub.data, "aging", "run"], capture_output=True, text=True)
c.check(r.returncode == 2 and "config: no `processing: aging:`" in r.stderr, "without aging rules: a config error (exit 2)", r.stderr)

# ---- leads stored before aging was configured ---------------------------------------
older = os.path.join(hub.work, "older")
ndjson = os.path.join(hub.work, "older.ndjson")
with open(ndjson, "w") as f:
    f.write(json.dumps(lead("Before")) + "\n")
r = subprocess.run([LEADHUB, "--data", older, "import", ndjson], capture_output=True, text=True)
c.check(r.returncode == 0, "a lead imported with no processing configured", r.stderr)
again = Hub(LEADHUB, CONFIG, data=older, name="aging-older").start()
c.check(again.stop() == 0, "serve on that store with aging rules")
c.check(any("reindexed 1 leads" in line for line in again.log), "serve indexed the older lead first",
        "\n".join(again.log[-10:]))
r = subprocess.run([LEADHUB, "--config", hub.config, "--data", older, "aging", "run", "--now", stamp(31)],
                   capture_output=True, text=True)
c.check(r.returncode == 0 and json.loads(r.stdout or "{}").get("closed") == 1,
        "so it ages like the others: closed after 31 days", r.stdout + r.stderr)
r = subprocess.run([LEADHUB, "--config", hub.config, "--data", older, "reindex"], capture_output=True, text=True)
c.check(r.returncode == 0 and json.loads(r.stdout or "{}").get("leads") == 1, "leadhub reindex", r.stdout + r.stderr)
sys.exit(c.done())

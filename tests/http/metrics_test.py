#!/usr/bin/env python3
"""GET /metrics end to end: the real hub with an API key, an AMQP listener (no
broker), an events route to a REST endpoint on loopback and a fresh store takes
creates, a bad request, a partner, an import and AMQP messages; then the whole
/metrics body must parse with the Prometheus text parser (Debian's
python3-prometheus-client) and every counter must have moved by what the test did.

Usage: metrics_test.py PATH_TO_LEADHUB
"""
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "events"))
from hub_process import Hub, Checks, key_sha256, wait_for  # noqa: E402
from events_support import Endpoint  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from proton import Delivery, Message  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

LEADHUB = sys.argv[1]
KEY = "lh_metrics_key_1"
endpoint = Endpoint()
CONFIG = f"""
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    api_keys:
      - {{name: admin, sha256: {key_sha256(KEY)}, scopes: ["*"]}}
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    addresses:
      - {{address: leads}}
events:
  targets:
    rest: {{type: http, url: "{endpoint.url()}", timeout_ms: 2000}}
  routes:
    - {{name: created, events: [lead.created], target: rest}}
"""
AUTH = {"Authorization": "Bearer " + KEY}

c = Checks()
started = time.time()
hub = Hub(LEADHUB, CONFIG, name="metrics").start()


def scrape(headers=None):
    """(status, content type, text, {(name, sorted labels): value}, families)."""
    st, h, text, _ = hub.request("GET", "/metrics", headers=headers)
    families = list(text_string_to_metric_families(text))
    samples = {}
    for family in families:
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return st, h.get("content-type", ""), text, samples, families


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def lead(subject, **extra):
    return dict({"subject": subject, "prospect": {"family_name": "Metric", "email": f"{subject}@example.com"}}, **extra)


# ---- the scrape before: public like /readyz, the text format's content type ---------------------------
st, ctype, text, before, families = scrape()
c.check(st == 200, "GET /metrics without an API key -> 200, like /readyz", (st, text[:300]))
c.check(ctype.startswith("text/plain; version=0.0.4"), "Content-Type text/plain; version=0.0.4", ctype)
st_key, _, _, _, _ = scrape(AUTH)
c.check(st_key == 200, "GET /metrics with an API key -> 200 too")
st, _, _, _ = hub.request("GET", "/api/v1/leads")
c.check(st == 401, "while the API itself needs the key (401 without)", st)

# ---- what the test does ------------------------------------------------------------------------------
created = []
for i in range(3):
    extra = {"external_refs": [{"system": "CRM", "id": "metrics-42"}]} if i == 0 else {}
    st, _, _, body = hub.request("POST", "/api/v1/leads", lead(f"m{i}", **extra), AUTH)
    created.append(st)
c.check(created == [201, 201, 201], "three creates -> 201", created)
st, _, _, _ = hub.request("POST", "/api/v1/leads", "{not json", dict(AUTH, **{"Content-Type": "application/json"}))
c.check(st == 400, "a malformed body -> 400", st)
st, _, _, _ = hub.request("POST", "/api/v1/business-partners", {"kind": "account", "company": "ACME GmbH"}, AUTH)
c.check(st == 201, "a business partner -> 201", st)
st, _, _, _ = hub.request("GET", "/no/such/thing")
c.check(st == 404, "an unknown path -> 404", st)
ndjson = "\n".join(json.dumps(x) for x in [
    lead("i1"),
    lead("i2"),
    lead("dup", external_refs=[{"system": "CRM", "id": "metrics-42"}]),  # the first create's reference
    {"subject": "no prospect"},  # invalid: rejected
]) + "\n"
st, _, _, summary = hub.request("POST", "/api/v1/imports", ndjson, dict(AUTH, **{"Content-Type": "application/x-ndjson"}))
c.check(st == 200 and summary["created"] == 2 and summary["duplicates"] == 1 and summary["rejected"] == 1,
        "the import: 2 created, 1 duplicate, 1 rejected", summary)


def amqp_messages():
    """Over the hub's own AMQP listener: a create (ok), a bad create with a reply
    address (outcome invalid), a bad one-way message (rejected)."""
    port = next(int(m.group(1)) for m in (re.search(r"info amqp: listening on amqp://[^ ]*:(\d+)", line)
                                          for line in hub.log) if m)
    conn = BlockingConnection(f"amqp://127.0.0.1:{port}", timeout=30)
    receiver = conn.create_receiver(None, dynamic=True, credit=10)
    reply_to = receiver.link.remote_source.address
    sender = conn.create_sender("leads")
    outcomes, states = [], []
    for body, reply in [(json.dumps(lead("amqp1")), True), ('{"subject": "no prospect"}', True),
                        ('{"subject": "one-way, no prospect"}', False)]:
        d = sender.send(Message(body=body, subject="CreateLead", reply_to=reply_to if reply else None),
                        error_states=[])
        states.append(d.remote_state)
        if reply:
            m = receiver.receive(timeout=30)
            receiver.accept()
            outcomes.append(m.properties.get("outcome"))
    conn.close()
    return outcomes, states


outcomes, states = amqp_messages()
c.check(outcomes == ["ok", "invalid"] and states[0] == Delivery.ACCEPTED and states[2] == Delivery.REJECTED,
        "AMQP: a create ok, a bad request answered invalid, a bad one-way message rejected", (outcomes, states))
# lead.created of the 3 creates, the 2 imported leads and the AMQP create reach the endpoint.
wait_for("6 events at the endpoint", lambda: len(endpoint.events()) >= 6, 20)


def settled():
    _, _, _, s, _ = scrape()
    return (value(s, "leadhub_events_delivered_total", route="created") >= len(endpoint.events()) >= 6
            and value(s, "leadhub_events_outbox_events") == 0
            and value(s, "leadhub_events_in_flight", route="created") == 0)


wait_for("the deliveries acked", settled, 20)

# ---- the scrape after: all of it parses, every family with HELP and TYPE --------------------------------
st, _, text, after, families = scrape()
c.check(st == 200 and len(families) >= 30, f"the whole body parses with prometheus_client ({len(families)} families)",
        text[:500])
names = {f.name for f in families}
c.check(all(n.startswith("leadhub_") for n in names), "every name starts with leadhub_",
        [n for n in names if not n.startswith("leadhub_")])
for f in families:
    raw = f.name + ("_total" if f.type == "counter" else "")
    if f"# HELP {raw} " not in text or f"# TYPE {raw} {f.type}\n" not in text:
        c.check(False, f"{raw} has HELP and TYPE lines")
c.check(all(s.name.endswith("_total") for f in families if f.type == "counter" for s in f.samples),
        "every counter sample ends in _total")
c.check(text.count("# TYPE leadhub_http_requests_total counter") == 1, "one TYPE line per family")


def moved(name, expected, **labels):
    delta = value(after, name, **labels) - value(before, name, **labels)
    label_text = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    c.check(delta == expected, f"{name}{{{label_text}}} moved by {expected}", delta)


# HTTP: by route class and status class. The first scrape is counted in the second.
moved("leadhub_http_requests_total", 3, connector="http", route="leads_write", code="2xx")
moved("leadhub_http_requests_total", 1, connector="http", route="leads_write", code="4xx")
moved("leadhub_http_requests_total", 1, connector="http", route="leads_read", code="4xx")
moved("leadhub_http_requests_total", 1, connector="http", route="partners_write", code="2xx")
moved("leadhub_http_requests_total", 1, connector="http", route="imports", code="2xx")
moved("leadhub_http_requests_total", 1, connector="http", route="other", code="4xx")
moved("leadhub_http_request_duration_seconds_count", 4, connector="http", route="leads_write")
buckets = sorted(((float(dict(k[1])["le"]), v) for k, v in after.items()
                  if k[0] == "leadhub_http_request_duration_seconds_bucket"
                  and dict(k[1]).get("route") == "leads_write"))
c.check(len(buckets) >= 5 and buckets[-1][0] == float("inf")
        and all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
        and buckets[-1][1] == value(after, "leadhub_http_request_duration_seconds_count", connector="http",
                                    route="leads_write"),
        "duration buckets are cumulative and +Inf equals _count", buckets)
c.check(value(after, "leadhub_http_request_duration_seconds_sum", connector="http", route="leads_write") > 0,
        "duration _sum is positive")

# Store: counts and sizes as `leadhub stats` reads them; the writer's commits.
c.check(value(after, "leadhub_store_leads") == 6, "leadhub_store_leads is 6 (3 created, 2 imported, 1 over AMQP)",
        value(after, "leadhub_store_leads"))
c.check(value(after, "leadhub_store_leads_by_status", status="open") == 6, "all 6 open")
c.check(value(after, "leadhub_store_business_partners") == 1, "leadhub_store_business_partners is 1")
map_size, used = value(after, "leadhub_store_map_size_bytes"), value(after, "leadhub_store_used_bytes")
c.check(0 < used <= map_size, "0 < used bytes <= map size", (used, map_size))
commits = value(after, "leadhub_store_commits_total") - value(before, "leadhub_store_commits_total")
commands = (value(after, "leadhub_store_commands_committed_total")
            - value(before, "leadhub_store_commands_committed_total"))
# 3 + 1 AMQP creates, 1 partner, 2 imported (the duplicate is found, not written), events routed and acked.
c.check(commits >= 5 and commands >= 7, "commits and commands committed moved", (commits, commands))
moved("leadhub_store_failed_commits_total", 0)
c.check(value(after, "leadhub_store_writes_failing") == 0, "writes are not failing")
c.check(value(after, "leadhub_store_commit_duration_seconds_count") == value(after, "leadhub_store_commits_total")
        == value(after, "leadhub_store_batch_commands_count"),
        "one commit-duration and one batch-size observation per commit")
c.check(value(after, "leadhub_store_last_batch_commands") >= 1, "the last batch's size is reported")

# AMQP: deliveries received and settled, replies by outcome.
moved("leadhub_amqp_deliveries_received_total", 3, connector="amqp")
moved("leadhub_amqp_deliveries_settled_total", 1, connector="amqp", disposition="accepted")
moved("leadhub_amqp_deliveries_settled_total", 2, connector="amqp", disposition="rejected")
moved("leadhub_amqp_deliveries_settled_total", 0, connector="amqp", disposition="released")
moved("leadhub_amqp_replies_total", 1, connector="amqp", outcome="ok")
moved("leadhub_amqp_replies_total", 1, connector="amqp", outcome="invalid")
moved("leadhub_amqp_replies_dropped_total", 0, connector="amqp")

# Imports, events, process.
moved("leadhub_imports_total", 1)
moved("leadhub_import_records_total", 2, outcome="created")
moved("leadhub_import_records_total", 1, outcome="duplicate")
moved("leadhub_import_records_total", 1, outcome="rejected")
c.check(value(after, "leadhub_events_delivered_total", route="created") == len(endpoint.events()) == 6,
        "leadhub_events_delivered_total counts the 6 events the endpoint accepted", len(endpoint.events()))
c.check(value(after, "leadhub_events_failed_sends_total", route="created") == 0, "no failed sends")
start = value(after, "leadhub_process_start_time_seconds")
c.check(started - 5 < start < time.time(), "process start time is the hub's start", (started, start))
c.check(value(after, "leadhub_uptime_seconds") > value(before, "leadhub_uptime_seconds") > 0, "uptime grows")

# HEAD like GET; the OpenAPI document lists /metrics.
st, h, body, _ = hub.request("HEAD", "/metrics")
c.check(st == 200 and body == "" and h.get("content-type", "").startswith("text/plain"), "HEAD /metrics", (st, h))
st, _, _, doc = hub.request("GET", "/api/v1/openapi.json")
c.check("text/plain" in json.dumps(doc["paths"].get("/metrics", {})), "the OpenAPI document describes /metrics")

code = hub.stop()
endpoint.close()
c.check(code == 0, "the hub stops cleanly", "\n".join(hub.log[-20:]))
sys.exit(c.done())

"""The event dispatcher through a real RabbitMQ (scripts/rabbitmq.sh: loopback, own
data folder, stopped after), with the hub as `leadhub serve`:

1. routing: each event type by type, and lead.assigned by the lead's owner
   channel, to its own queue; ACME's events as SAP-style XML through the
   sap-lead-read mapping; message id, subject, application properties, content type;
   a ChangeLead over AMQP redelivered after a hub restart is not applied twice;
2. the broker stopped and started in the middle of a stream of creates and
   changes: every event delivered, in commit order per lead;
3. the hub killed with SIGKILL during a stream of creates and started again:
   every event of every committed lead delivered (at least once; duplicates counted).

usage: events_amqp_test.py LEADHUB [routing|restart|kill|all] [N]
"""
import collections
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "amqp"))
from events_support import Checks, Hub, stats, wait_for  # noqa: E402
from amqp_test import Client, Durable, amqp_port, free_port  # noqa: E402
from broker_support import ctl, queue_depth, with_broker  # noqa: E402

from proton import Timeout  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

CONFIG = """
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
  - {name: amqp, type: amqp, listen: "127.0.0.1:0"}
events:
  targets:
    broker: {type: amqp, url: "amqp://127.0.0.1:@PORT@", reconnect_delay_ms: 100, reconnect_max_delay_ms: 1000}
  routes:
    - {name: created, events: [lead.created], when: {field: campaign, equals: routing}, target: broker,
       address: /queue/ev.created}
    - {name: changed, events: [lead.changed], when: {field: campaign, equals: routing}, target: broker,
       address: /queue/ev.changed}
    - {name: status, events: [lead.status_changed, lead.converted], when: {field: campaign, equals: routing},
       target: broker, address: /queue/ev.status}
    - name: acme-assigned
      events: [lead.assigned]
      when: {all: [{field: owner.channel, equals: ACME}, {field: campaign, equals: routing}]}
      target: broker
      address: /queue/ev.acme
      mapping: sap-lead-read
    - name: other-assigned
      events: [lead.assigned]
      when: {all: [{not: {field: owner.channel, equals: ACME}}, {field: campaign, equals: routing}]}
      target: broker
      address: /queue/ev.assigned
    - {name: classic, events: [lead.created], when: {field: campaign, equals: routing}, target: broker,
       address: /queue/ev.classic}
    - {name: imports, events: [import.completed], target: broker, address: /queue/ev.imports}
    - {name: stream, events: [lead.created, lead.changed, lead.status_changed],
       when: {field: campaign, prefix: stream}, target: broker, address: /queue/ev.stream}
  retry: {initial_ms: 100, max_ms: 1000}
"""


def drain(url, queue, quiet=2.0, most=1_000_000):
    """Every message of a queue: (message) in arrival order, accepted; stops after `quiet` s of nothing."""
    conn = BlockingConnection(url, timeout=30)
    receiver = conn.create_receiver(queue, credit=500, options=[Durable()])
    out = []
    try:
        while len(out) < most:
            try:
                m = receiver.receive(timeout=quiet)
            except Timeout:
                break
            receiver.accept()
            out.append(m)
    finally:
        conn.close()
    return out


def start_hub(leadhub, port, name, data=None):
    hub = Hub(leadhub, CONFIG.replace("@PORT@", str(port)), data=data, name=name).start()
    wait_for("the events broker connection", lambda: any("info events.broker: connected to" in line
                                                          for line in hub.log), 30)
    return hub


def create(hub, name, campaign, owner=None):
    lead = {"subject": f"lead {name}", "campaign": campaign, "prospect": {"family_name": name}}
    if owner:
        lead["owner"] = {"channel": owner}
    status, _, text, body = hub.request("POST", "/api/v1/leads", lead)
    assert status == 201, text
    return body


def patch(hub, lead_id, version, change):
    status, _, text, body = hub.request("PATCH", f"/api/v1/leads/{lead_id}", json.dumps(change),
                                        {"Content-Type": "application/merge-patch+json", "If-Match": f'"{version}"'})
    assert status == 200, text
    return body


def body_text(m):
    return m.body.decode("utf-8") if isinstance(m.body, (bytes, memoryview)) else m.body


def routing(c, leadhub, base, port):
    hub = start_hub(leadhub, port, "events-routing")
    url = f"amqp://127.0.0.1:{port}"
    plain = create(hub, "Plain", "routing")
    acme = create(hub, "Acme", "routing", owner="ACME")
    v = patch(hub, plain["id"], 1, {"qualification": "hot"})          # changed, status_changed
    v = patch(hub, plain["id"], v["version"], {"owner": {"channel": "BETA"}})  # changed, assigned (other)
    v = patch(hub, plain["id"], v["version"], {"status": "accepted"})
    patch(hub, plain["id"], v["version"], {"status": "converted", "opportunity_ref": "OPP-1"})  # converted
    status, _, text, _ = hub.request("POST", "/api/v1/imports",
                                     json.dumps({"subject": "imported", "prospect": {"family_name": "Imp"}}),
                                     {"Content-Type": "application/x-ndjson"})
    c.check(status == 200, "[routing] an import runs", text)
    # ChangeLead over AMQP with a message id, then the same message again after a restart.
    client = Client(f"amqp://127.0.0.1:{amqp_port(hub)}")
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"subject": "changed once"}),
                                          {"id": acme["id"], "version": 1}, msg_id="change-once")
    client.close()
    c.check(outcome == "ok", "[routing] a ChangeLead over AMQP", text)
    hub.stop()
    hub.start()
    client = Client(f"amqp://127.0.0.1:{amqp_port(hub)}")
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"subject": "changed once"}),
                                          {"id": acme["id"], "version": 1}, msg_id="change-once")
    client.close()
    c.check(outcome == "ok" and json.loads(text)["version"] == 2,
            "[routing] the same ChangeLead redelivered after a restart: ok, not applied again (version 2)",
            (outcome, text[:300]))

    expected = {"ev.created": 2, "ev.changed": 5, "ev.status": 4, "ev.acme": 1, "ev.assigned": 1}
    wait_for("events in every queue", lambda: all(queue_depth(base, q) >= n for q, n in expected.items()), 30)
    classic_consumer(c, port, [plain["id"], acme["id"]])
    got = {q: drain(url, "/queue/" + q) for q in list(expected) + ["ev.imports"]}
    hub.stop()

    def types(q):
        return [m.subject for m in got[q]]
    c.check(sorted((m.properties["lead_id"] for m in got["ev.created"])) == sorted([plain["id"], acme["id"]])
            and types("ev.created") == ["lead.created"] * 2, "[routing] lead.created of both leads", types("ev.created"))
    c.check(types("ev.changed") == ["lead.changed"] * 5, "[routing] lead.changed: every change (4 by HTTP, 1 by AMQP)",
            types("ev.changed"))
    c.check(types("ev.status") == ["lead.status_changed", "lead.status_changed", "lead.status_changed",
                                   "lead.converted"], "[routing] status changes and the conversion, in order",
            types("ev.status"))
    other = got["ev.assigned"]
    c.check(len(other) == 1 and json.loads(body_text(other[0]))["data"]["to"]["channel"] == "BETA",
            "[routing] lead.assigned to BETA went to the other partners' queue", [body_text(m)[:200] for m in other])
    sap = got["ev.acme"]
    c.check(len(sap) == 1 and sap[0].content_type == "application/xml"
            and "LeadByIDResponse" in body_text(sap[0]) and f"<ObjectID>{acme['id']}</ObjectID>" in body_text(sap[0]),
            "[routing] lead.assigned to ACME went to ACME's queue as SAP-style XML (sap-lead-read)",
            [body_text(m)[:300] for m in sap])
    m = got["ev.created"][0]
    c.check(re.fullmatch(r"leadhub-event-\d+", str(m.id)) and m.subject == "lead.created"
            and m.properties.get("event_type") == "lead.created" and m.content_type == "application/json"
            and json.loads(body_text(m))["id"] == str(m.id)[len("leadhub-event-"):],
            "[routing] message id, subject, event_type, lead_id, content type", (m.id, m.subject, m.properties))
    imports = [json.loads(body_text(m)) for m in got["ev.imports"]]
    c.check(len(imports) == 1 and imports[0]["data"]["created"] == 1, "[routing] import.completed", imports)
    s = stats(leadhub, hub.config, hub.data)
    c.check(s["events"]["outbox"] == 0 and all(r == {"queued": 0, "dead": 0} for r in s["events"]["routes"].values()),
            "[routing] stats: outbox and every route's queue empty, no dead letters", s["events"])


def classic_consumer(c, port, lead_ids):
    """A consumer on AMQP 0-9-1 (pika, as most RabbitMQ users have) reads the events as
    plain JSON bytes with their content type and message id."""
    import pika  # python3-pika

    conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port))
    ch = conn.channel()
    got = []
    deadline = time.time() + 30
    while len(got) < len(lead_ids) and time.time() < deadline:
        method, props, body = ch.basic_get("ev.classic", auto_ack=True)
        if method is None:
            time.sleep(0.05)
            continue
        got.append((props, body))
    conn.close()
    try:
        events = [json.loads(body) for _, body in got]
    except ValueError:
        events = []
    c.check(len(events) == len(lead_ids) and sorted(e["lead_id"] for e in events) == sorted(lead_ids)
            and all(e["type"] == "lead.created" for e in events),
            "[routing] an AMQP 0-9-1 consumer (pika) reads lead.created as plain JSON", [b[:120] for _, b in got])
    c.check(all(p.content_type == "application/json" and str(p.message_id).startswith("leadhub-event-")
                for p, _ in got), "[routing] ... with content type and message id",
            [(p.content_type, p.message_id) for p, _ in got])


def stream_of(messages, tag):
    """(lead id -> [event seq in order of first arrival]), duplicates, events of the stream."""
    seen = set()
    per_lead = collections.defaultdict(list)
    duplicates = 0
    for m in messages:
        event = json.loads(body_text(m))
        if event["lead"].get("campaign") != tag:
            continue
        if m.id in seen:
            duplicates += 1
            continue
        seen.add(m.id)
        per_lead[event["lead_id"]].append((int(event["id"]), event["type"], event["version"]))
    return per_lead, duplicates, len(seen)


def in_commit_order(per_lead):
    return all([s for s, _, _ in events] == sorted(s for s, _, _ in events) for events in per_lead.values())


def broker_restart(c, leadhub, base, port, n):
    label = f"[broker restart] {n} leads created and changed"
    tag = f"stream-restart-{os.getpid()}"
    hub = start_hub(leadhub, port, "events-restart")
    ids = []
    restarted = threading.Event()

    def restart_broker():
        ctl(base, "stop_app")
        time.sleep(1)
        ctl(base, "start_app")
        restarted.set()
    for i in range(n):
        lead = create(hub, f"R{i}", tag)
        patch(hub, lead["id"], 1, {"qualification": "warm"})  # lead.changed and lead.status_changed
        ids.append(lead["id"])
        if i == n // 3:
            threading.Thread(target=restart_broker, daemon=True).start()
    restarted.wait(60)
    c.check(wait_for("3 events per lead", lambda: queue_depth(base, "ev.stream") >= 3 * n, 120),
            f"{label}: the queue holds at least {3 * n} events")
    c.check(any("broker connection lost" in line for line in hub.log)
            and any("reconnected to" in line for line in hub.log), f"{label}: the dispatcher lost and regained the broker")
    hub.stop()
    per_lead, duplicates, unique = stream_of(drain(f"amqp://127.0.0.1:{port}", "/queue/ev.stream"), tag)
    complete = [i for i in ids if [t for _, t, _ in per_lead.get(i, [])] == ["lead.created", "lead.changed",
                                                                           "lead.status_changed"]]
    c.check(len(complete) == n and unique == 3 * n,
            f"{label}: every event delivered ({unique} of {3 * n}; {duplicates} duplicates)",
            [per_lead.get(i) for i in ids if i not in complete][:5])
    c.check(in_commit_order(per_lead), f"{label}: in commit order per lead")


def hub_killed(c, leadhub, base, port, n):
    label = f"[kill -9] a stream of {n} creates"
    tag = f"stream-kill-{os.getpid()}"
    hub = start_hub(leadhub, port, "events-kill")
    created = []
    stop = threading.Event()

    def produce():
        for i in range(n):
            if stop.is_set():
                return
            try:
                created.append(create(hub, f"K{i}", tag)["id"])
            except Exception:  # noqa: BLE001 - the hub was killed under it
                return
    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    wait_for("a third created", lambda: len(created) >= n // 3, 120)
    code = hub.stop(sig=signal.SIGKILL)
    stop.set()
    producer.join(30)
    c.check(code == -signal.SIGKILL, f"{label}: the hub was killed (SIGKILL) after {len(created)} creates", code)
    s = stats(leadhub, hub.config, hub.data)
    waiting = s["events"]["outbox"] + s["events"]["routes"].get("stream", {}).get("queued", 0)
    print(f"     after the kill: {s['leads']} leads stored, {waiting} events not yet delivered")
    again = start_hub(leadhub, port, "events-kill-2", data=hub.data)
    status, _, text, found = again.request("GET", f"/api/v1/leads?campaign={tag}&limit=1000")
    stored = {lead["id"] for lead in found["items"]} if status == 200 else set()
    c.check(set(created) <= stored, f"{label}: every acknowledged create is stored ({len(stored)} stored)")
    wait_for("every stored lead's event", lambda: queue_depth(base, "ev.stream") >= len(stored), 120)
    again.stop()
    s = stats(leadhub, again.config, again.data)
    per_lead, duplicates, unique = stream_of(drain(f"amqp://127.0.0.1:{port}", "/queue/ev.stream"), tag)
    missing = stored - set(per_lead)
    c.check(not missing and unique == len(stored),
            f"{label}: lead.created of every committed lead delivered ({unique} events for {len(stored)} leads, "
            f"{duplicates} duplicates)", sorted(missing)[:10])
    c.check(s["events"]["outbox"] == 0 and s["events"]["routes"]["stream"]["queued"] == 0,
            f"{label}: nothing left in the outbox or the route's queue", s["events"])


def main():
    leadhub = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    c = Checks()

    def run(base, port):
        if which in ("routing", "all"):
            routing(c, leadhub, base, port)
        if which in ("restart", "all"):
            broker_restart(c, leadhub, base, port, n)
        if which in ("kill", "all"):
            hub_killed(c, leadhub, base, port, n * 3)

    return with_broker(c, "rabbitmq-events", run, free_port)


if __name__ == "__main__":
    sys.exit(main())

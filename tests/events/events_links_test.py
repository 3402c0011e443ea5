"""The event dispatcher's AMQP link ended by the broker while its connection stays
open, with a real RabbitMQ 3.10 (scripts/rabbitmq.sh) and the hub as `leadhub serve`:
a route sends to /exchange/links.events/created; the exchange is deleted (the next
event's publish makes RabbitMQ end the sender's session with amqp:not-found), events
committed meanwhile wait in the outbox, /readyz names the link and the reason, the
link is attached again with backoff once the exchange is back, and every event is
delivered, those accepted before the deletion not again.

usage: events_links_test.py LEADHUB
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "amqp"))
from events_support import Checks, Hub, wait_for  # noqa: E402
from amqp_test import free_port  # noqa: E402
from broker_support import with_broker  # noqa: E402
from clients_test import logged, readyz  # noqa: E402
from events_amqp_test import body_text, create, drain  # noqa: E402

import pika  # noqa: E402 - python3-pika: declares and deletes as an operator's tool would

CONFIG = """
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
events:
  targets:
    broker: {type: amqp, url: "amqp://127.0.0.1:@PORT@", reconnect_delay_ms: 100, reconnect_max_delay_ms: 1000}
  routes:
    - {name: created, events: [lead.created], target: broker, address: /exchange/links.events/created}
  retry: {initial_ms: 100, max_ms: 1000}
"""


def declare(ch):
    ch.exchange_declare("links.events", "direct", durable=True)
    ch.queue_declare("links.created", durable=True)
    ch.queue_bind("links.created", "links.events", "created")


def depth(ch):
    return ch.queue_declare("links.created", durable=True, passive=True).method.message_count


def deleted_exchange(c, leadhub, base, port):
    ch = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port)).channel()
    declare(ch)
    hub = Hub(leadhub, CONFIG.replace("@PORT@", str(port)), name="events-links").start()
    try:
        wait_for("the events broker connection", lambda: logged(hub, "info events.broker: connected to"), 30)
        before = [create(hub, f"Before{i}", "links")["id"] for i in range(5)]
        c.check(wait_for("5 events", lambda: depth(ch) >= 5, 30),
                "[events] 5 events delivered through the exchange", depth(ch))
        start = len(hub.log)
        ch.exchange_delete("links.events")
        during = [create(hub, f"During{i}", "links")["id"] for i in range(5)]
        went = wait_for("the ended link in /readyz",
                        lambda: "/exchange/links.events/created" in readyz(hub, "events")["detail"], 30)
        detail = readyz(hub, "events")
        c.check(went and "NOT_FOUND - no exchange 'links.events'" in detail["detail"],
                "[events] /readyz: the events entry names the link and the broker's reason", detail)
        status, _, metrics, _ = hub.request("GET", "/metrics")
        c.check('leadhub_amqp_links_down{connector="events.broker"} 1' in metrics,
                "[events] /metrics: one link down", [m for m in metrics.splitlines() if "link" in m])
        time.sleep(2)  # a few attempts, each refused while the exchange is missing
        declare(ch)
        after = [create(hub, f"After{i}", "links")["id"] for i in range(5)]
        c.check(wait_for("15 events", lambda: depth(ch) >= 15, 30),
                "[events] the events committed during and after the outage are delivered once the exchange is back",
                depth(ch))
        lines = [line for line in hub.log[start:] if "events.broker: " in line and "links.events" in line]
        ended = [line for line in lines if "warn events.broker: the broker ended the link to "
                 "/exchange/links.events/created" in line and "NOT_FOUND" in line]
        again = [line for line in lines if "info events.broker: the link to /exchange/links.events/created is "
                 "attached again after" in line]
        c.check(len(ended) == 1 and len(again) == 1,
                "[events] the outage is logged once with the link's address and the broker's reason, the recovery once",
                "\n".join(hub.log[start:start + 30]))
        c.check(wait_for("ready detail clear", lambda: "down" not in readyz(hub, "events")["detail"], 10),
                "[events] /readyz no longer names a link down", readyz(hub, "events"))
    finally:
        code = hub.stop()
    c.check(code == 0, "[events] the hub stops cleanly", "\n".join(hub.log[-20:]))
    got = drain(f"amqp://127.0.0.1:{port}", "/queue/links.created")
    ids = [json.loads(body_text(m))["lead_id"] for m in got]
    missing = [i for i in before + during + after if i not in ids]
    twice = [i for i in before if ids.count(i) > 1]
    c.check(not missing, f"[events] lead.created of each of the 15 leads delivered ({len(ids)} messages)", missing)
    c.check(not twice, "[events] the events accepted before the deletion are not sent again", twice)
    ch.connection.close()


def main():
    leadhub = sys.argv[1]
    c = Checks()
    return with_broker(c, "rabbitmq-events-links", lambda base, port: deleted_exchange(c, leadhub, base, port),
                       free_port)


if __name__ == "__main__":
    sys.exit(main())

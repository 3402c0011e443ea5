"""A route's order across a released event, end to end: `leadhub serve` with an amqp
target that is a Python AMQP 1.0 peer on loopback playing the broker (RabbitMQ
cannot be told to release one message). The peer gives the route's link one
credit; it holds the first event (a lead's lead.created), while the test changes
the lead, so the hub hands lead.changed to its publisher, where it waits for
credit. Then the peer releases lead.created and gives credit: lead.changed must
not reach it first (it did before the send rounds of connectors/events/sink.hpp).

usage: events_order_test.py LEADHUB
"""
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from events_support import Checks, Hub, stats, wait_for  # noqa: E402

from proton import Delivery  # noqa: E402
from proton.handlers import MessagingHandler  # noqa: E402
from proton.reactor import Container  # noqa: E402

CONFIG = """
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
events:
  targets:
    peer: {type: amqp, url: "amqp://127.0.0.1:@PORT@", reconnect_delay_ms: 100, reconnect_max_delay_ms: 500}
  routes:
    - {name: lead-events, events: [lead.created, lead.changed], target: peer, address: /queue/lead-events}
  retry: {initial_ms: 100, max_ms: 400}
"""

HOLD_S = 1.5     # the first event is held this long before it is released
CREDIT_S = 0.5   # and credit given this long after the release


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer(MessagingHandler):
    """Takes the hub's sender link with one credit, holds the first message, releases
    it after HOLD_S, gives credit CREDIT_S later, and accepts everything after that."""

    def __init__(self, port):
        super().__init__(prefetch=0, auto_accept=False)
        self.port = port
        self.receiver = None
        self.first = None       # the held delivery
        self.first_seen = threading.Event()
        self.released_first = False
        self.released = []      # message ids
        self.accepted = []      # (message id, event) in arrival order

    def on_start(self, event):
        event.container.listen(f"127.0.0.1:{self.port}")

    def on_link_opening(self, event):
        if event.link.is_receiver:
            # The hub takes a link attached without a target as refused.
            event.link.target.address = event.link.remote_target.address
            self.receiver = event.link
            event.link.flow(1)

    def on_message(self, event):
        m = event.message
        if self.first is None:
            self.first = event.delivery
            self.released.append(str(m.id))
            self.first_seen.set()
            event.container.schedule(HOLD_S, self)
            return
        body = m.body.decode("utf-8") if isinstance(m.body, (bytes, memoryview)) else m.body
        self.accepted.append((str(m.id), json.loads(body)))
        event.delivery.update(Delivery.ACCEPTED)
        event.delivery.settle()

    def on_timer_task(self, event):
        if not self.released_first:
            self.released_first = True
            self.first.update(Delivery.RELEASED)
            self.first.settle()
            event.container.schedule(CREDIT_S, self)
        else:
            self.receiver.flow(1000)


def main():
    leadhub = sys.argv[1]
    c = Checks()
    port = free_port()
    peer = Peer(port)
    threading.Thread(target=Container(peer).run, daemon=True).start()
    hub = Hub(leadhub, CONFIG.replace("@PORT@", str(port)), name="events-order").start()
    try:
        wait_for("the hub connected to the peer", lambda: any("info events.peer: connected to" in line
                                                                for line in hub.log), 30)
        status, _, text, lead = hub.request("POST", "/api/v1/leads", {"subject": "ordered",
                                                                       "prospect": {"family_name": "Order"}})
        c.check(status == 201, "a lead created", text)
        c.check(peer.first_seen.wait(10), "the peer holds its lead.created")
        status, _, text, _ = hub.request("PATCH", f"/api/v1/leads/{lead['id']}", json.dumps({"subject": "changed"}),
                                         {"Content-Type": "application/merge-patch+json", "If-Match": '"1"'})
        c.check(status == 200, "the lead changed while its lead.created is held", text)
        delivered = wait_for("both events accepted",
                             lambda: {e["type"] for _, e in peer.accepted} >= {"lead.created", "lead.changed"},
                             HOLD_S + CREDIT_S + 20)
        time.sleep(0.5)  # a late copy would show here
        first_copies = []
        for message_id, e in peer.accepted:
            if message_id not in [m for m, _ in first_copies]:
                first_copies.append((message_id, e))
        types = [e["type"] for _, e in first_copies]
        c.check(delivered and types == ["lead.created", "lead.changed"],
                "the released lead.created reaches the peer before the lead.changed that waited behind it",
                [(m, e["type"]) for m, e in peer.accepted])
        c.check(any("released; sending again from event" in line for line in hub.log),
                "the hub logged the release and sent again from that event")
    finally:
        hub.stop()
    s = stats(leadhub, hub.config, hub.data)
    c.check(s["events"]["routes"]["lead-events"]["queued"] == 0, "nothing left in the route's queue", s["events"])
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

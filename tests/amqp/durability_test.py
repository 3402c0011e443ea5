"""Reliability of the amqp connector against a real RabbitMQ (scripts/rabbitmq.sh,
loopback, own data folder, stopped after), with the hub as `leadhub serve`:

1. the broker restarted in the middle of a stream of 10,000 one-way creates:
   every lead stored exactly once;
2. the hub killed with SIGKILL in the middle of a stream of creates and started
   again on the same data: what it committed is kept, what it had not accepted is
   redelivered and stored, nothing twice (the message id is the idempotency key).

The stream is sent at least once, as a careful producer would: a message whose
connection died before the broker's outcome arrived is sent again.

usage: durability_test.py LEADHUB [restart|kill|all] [N]
"""
import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Checks, Hub, wait_for  # noqa: E402
from amqp_test import Client, Durable, amqp_port, free_port  # noqa: E402
from broker_support import ctl, queue_depth, with_broker  # noqa: E402

from proton import Message  # noqa: E402
from proton.handlers import MessagingHandler  # noqa: E402
from proton.reactor import Container  # noqa: E402



class Timer:
    def __init__(self, fn):
        self.fn = fn

    def on_timer_task(self, event):
        self.fn()


class Stream(MessagingHandler):
    """Sends one-way CreateLead messages TAG-0 .. TAG-(n-1) to a queue as fast as the
    broker gives credit, and keeps each until the broker accepted it.

    trickle_at: after that many messages, until the connection is lost once, only one
    message per 20 ms goes out, so that a broker restart (which takes the CLI some
    seconds) lands in the middle of the stream, with messages in flight."""

    def __init__(self, url, address, tag, n, trickle_at=None):
        super().__init__()
        self.url, self.address, self.tag, self.n = url, address, tag, n
        self.trickle_at = trickle_at
        self.sender = None
        self.pending = collections.deque(range(n))
        self.unsettled = {}  # delivery tag -> index, on the current connection
        self.accepted = 0
        self.sent = 0
        self.reconnects = 0
        self.finished = threading.Event()
        self.container = None
        self.connection = None

    def on_start(self, event):
        self.container = event.container
        self.connect()
        if self.trickle_at is not None:
            self.container.schedule(0.02, Timer(self.trickle))

    def connect(self):
        # No automatic reconnect: a new connection and sender, so nothing of the old
        # link's unsettled state is carried over.
        self.connection = self.container.connect(self.url, reconnect=False)
        self.sender = self.container.create_sender(self.connection, self.address, options=[Durable()])

    def trickling(self):
        return self.trickle_at is not None and self.reconnects == 0 and self.sent >= self.trickle_at

    def on_sendable(self, event):
        self.send(event.sender)

    def trickle(self):
        if self.trickling() and self.sender and self.sender.credit and self.pending:
            self.send(self.sender, 1)
        if not self.finished.is_set():
            self.container.schedule(0.02, Timer(self.trickle))

    def send(self, sender, most=None):
        while sender.credit and self.pending and (most is not None or not self.trickling()):
            if most is not None:
                if most == 0:
                    return
                most -= 1
            i = self.pending.popleft()
            lead = {"subject": f"stream {i}", "campaign": self.tag, "prospect": {"family_name": f"S{i}"}}
            self.sent += 1  # the delivery tag: unique over every connection of the stream
            m = Message(id=f"{self.tag}-{i}", subject="CreateLead", body=json.dumps(lead), durable=True)
            d = sender.send(m, tag=str(self.sent))
            self.unsettled[d.tag] = i

    def on_accepted(self, event):
        if self.unsettled.pop(event.delivery.tag, None) is None:
            return
        self.accepted += 1
        if self.accepted == self.n:
            self.finished.set()
            event.connection.close()

    def on_rejected(self, event):
        self._again(event)

    def on_released(self, event):
        self._again(event)

    def _again(self, event):
        i = self.unsettled.pop(event.delivery.tag, None)
        if i is not None:
            self.pending.append(i)

    def on_disconnected(self, event):
        # Proton may report one loss more than once (transport error, then closed):
        # only the current connection's first report counts.
        if self.finished.is_set() or event.connection != self.connection:
            return
        self.connection = None
        # Outcome unknown: send again (the hub drops the copy by its message id).
        self.pending.extendleft(self.unsettled.values())
        self.unsettled.clear()
        self.reconnects += 1
        self.sender = None
        self.container.schedule(0.3, Timer(self.connect))

    def on_transport_error(self, event):
        pass  # on_disconnected follows

    def run_in_thread(self):
        t = threading.Thread(target=lambda: Container(self).run(), daemon=True)
        t.start()
        return t


def wait_log(hub, text, timeout=60):
    return wait_for(text, lambda: any(text in line for line in hub.log), timeout)


def stored(leadhub, data, tag):
    """Index -> how many leads of the stream TAG the store holds (the hub stopped)."""
    out = subprocess.run([leadhub, "--data", data, "export"], capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        lead = json.loads(line)
        if lead.get("campaign") == tag:
            counts[int(lead["subject"].split()[1])] += 1
    return counts


def exactly_once(c, label, counts, n):
    missing = [i for i in range(n) if counts[i] == 0]
    twice = [i for i, k in counts.items() if k > 1]
    c.check(not missing and not twice and sum(counts.values()) == n,
            f"{label}: {n} creates, {sum(counts.values())} leads stored, {len(missing)} missing, {len(twice)} twice",
            f"missing {missing[:20]}, twice {twice[:20]}")


BROKER_HUB = """
connectors:
  - name: rabbit
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    reconnect_delay_ms: 100
    reconnect_max_delay_ms: 1000
    addresses: [{address: /queue/@QUEUE@}]
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    addresses: [{address: leads}]
"""


def start_hub(leadhub, port, queue, name, data=None):
    config = BROKER_HUB.replace("@PORT@", str(port)).replace("@QUEUE@", queue)
    hub = Hub(leadhub, config, data=data, name=name).start()
    wait_log(hub, "info rabbit: connected to")
    return hub


def drain_and_stop(c, label, hub, base, queue, stream, timeout):
    c.check(stream.finished.wait(timeout), f"{label}: the broker accepted all {stream.n} messages",
            f"accepted {stream.accepted}")
    drained = wait_for(f"{queue} drained", lambda: queue_depth(base, queue) == 0, timeout)
    c.check(drained, f"{label}: the hub consumed the whole queue", "\n".join(hub.log[-10:]))
    code = hub.stop()
    c.check(code == 0, f"{label}: the hub stops cleanly", "\n".join(hub.log[-10:]))


def broker_restart(c, leadhub, base, port, n):
    """The broker is stopped and started again while the stream is being sent and consumed."""
    label = f"[restart] {n} creates"
    tag = f"restart-{os.getpid()}"
    hub = start_hub(leadhub, port, "stream", "amqp-restart")
    stream = Stream(f"amqp://127.0.0.1:{port}", "/queue/stream", tag, n, trickle_at=n // 3)
    stream.run_in_thread()
    started = time.time()
    wait_for("a third of the stream", lambda: stream.accepted >= n // 3, 120)
    ctl(base, "stop_app")
    stopped_at = stream.accepted
    time.sleep(1)
    ctl(base, "start_app")
    print(f"     broker stopped when {stopped_at} of {n} were accepted, started again "
          f"({time.time() - started:.1f} s)")
    drain_and_stop(c, label, hub, base, "stream", stream, 180)
    c.check(any("broker connection lost" in line for line in hub.log), f"{label}: the hub saw the broker go away")
    c.check(any("reconnected to" in line for line in hub.log), f"{label}: the hub reconnected")
    c.check(stream.reconnects > 0, f"{label}: the producer reconnected too", stream.reconnects)
    exactly_once(c, label, stored(leadhub, hub.data, tag), n)
    print(f"     {label}: {time.time() - started:.1f} s")


def some_stored(url, tag, at_least):
    try:
        probe = Client(url)
        _, outcome, text, *_ = probe.request("leads", "FindLeads", json.dumps({"campaign": tag, "limit": at_least}))
        probe.close()
        return outcome == "ok" and len(json.loads(text)["items"]) >= at_least
    except Exception:  # noqa: BLE001 - the listener may be busy; ask again
        return False


def hub_killed(c, leadhub, base, port, n):
    """SIGKILL while the hub holds unsettled messages; the restarted hub finishes the queue."""
    label = f"[kill -9] {n} creates"
    tag = f"kill-{os.getpid()}"
    hub = start_hub(leadhub, port, "killed", "amqp-kill")
    url = f"amqp://127.0.0.1:{amqp_port(hub)}"
    stream = Stream(f"amqp://127.0.0.1:{port}", "/queue/killed", tag, n)
    stream.run_in_thread()
    wait_for("a fifth stored", lambda: some_stored(url, tag, min(n // 5, 1000)), 120)
    code = hub.stop(sig=signal.SIGKILL)
    c.check(code == -signal.SIGKILL, f"{label}: the hub was killed (SIGKILL)", code)
    before = stored(leadhub, hub.data, tag)
    c.check(0 < len(before) < n and all(k == 1 for k in before.values()),
            f"{label}: killed in the middle: {len(before)} leads committed, each once", dict(before.most_common(3)))
    again = start_hub(leadhub, port, "killed", "amqp-kill-2", data=hub.data)
    drain_and_stop(c, label, again, base, "killed", stream, 180)
    after = stored(leadhub, hub.data, tag)
    c.check(all(after[i] >= 1 for i in before), f"{label}: every lead committed before the kill is still there")
    exactly_once(c, label, after, n)


def main():
    leadhub = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    c = Checks()

    def run(base, port):
        if which in ("restart", "all"):
            broker_restart(c, leadhub, base, port, n)
        if which in ("kill", "all"):
            hub_killed(c, leadhub, base, port, max(n // 2, 100))

    return with_broker(c, "rabbitmq-durability", run, free_port)


if __name__ == "__main__":
    sys.exit(main())

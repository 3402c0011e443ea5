"""Links and sessions the broker ends while the hub's connection stays open, with a
real RabbitMQ 3.10 (scripts/rabbitmq.sh: loopback, own data folder, stopped after)
and the hub as `leadhub serve` in broker mode:

requests: the queue of an /amq/queue/ address deleted while the hub consumes it
  (RabbitMQ 3.10 drops the hub's whole connection about 3 s later; after the
  reconnect the broker refuses the link until the queue is declared again): the
  other queue is consumed meanwhile, /readyz names the link and the broker's
  reason, the link is attached again with backoff once the queue is back, one log
  line each for the outage and the recovery; the queue of a /queue/ address
  deleted: declared again by the attach after the reconnect; then the broker ends
  the session of a queue's link (a channel error, injected with rabbitmqctl eval)
  while lettershop files are in flight: what was received and not settled is not
  accepted, the broker delivers it again, every lead is stored once;
replies: the exchange of a client's reply_to deleted under the hub's reply sender:
  the replies wait, the sender is attached again once the exchange is back, and
  every reply of an accepted request arrives.

usage: links_test.py LEADHUB [requests|replies|all]
"""
import json
import os
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Checks, Hub, wait_for  # noqa: E402
from amqp_test import Client, free_port  # noqa: E402
from broker_support import ctl, with_broker  # noqa: E402
from clients_test import logged, readyz  # noqa: E402

import pika  # noqa: E402 - python3-pika: declares and deletes as an operator's tool would

CONFIG = """
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
  - name: rabbit
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    reconnect_delay_ms: 100
    reconnect_max_delay_ms: 1000
    addresses:
      - {address: /queue/links.leads}
      - {address: /amq/queue/links.ops}
      - {address: /queue/links.files, mapping: lettershop-csv}
"""

# A channel error on the hub's consumer channel of a queue: RabbitMQ ends that AMQP
# 1.0 session with amqp:precondition-failed and keeps the connection, as it does for
# any channel error.
END_SESSION = ("[rabbit_channel:do(proplists:get_value(channel_pid, C), {'basic.ack', 999999, false}) || "
               "C <- rabbit_amqqueue:consumers_all(<<\"/\">>), "
               "element(4, proplists:get_value(queue_name, C)) =:= <<\"@QUEUE@\">>].")


def operator(port):
    """An AMQP 0-9-1 channel, as an operator's script declares and deletes with."""
    return pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port)).channel()


def queue_exists(connection, name):
    channel = connection.channel()  # a passive declare of a missing queue closes its channel
    try:
        channel.queue_declare(name, passive=True)
        channel.close()
        return True
    except pika.exceptions.ChannelClosedByBroker:
        return False


def lead(tag, i):
    return json.dumps({"subject": f"links {i}", "campaign": tag, "prospect": {"family_name": f"L{i}"}})


def request(client, address, subject, body, **kw):
    """(outcome, body text); (None, error) when no reply came (nobody consumes)."""
    try:
        _, outcome, text, *_ = client.request(address, subject, body, **kw)
        return outcome, text
    except Exception as e:  # noqa: BLE001 - proton's Timeout
        return None, repr(e)


def count_campaign(hub, campaign):
    """How many leads of a campaign the store holds, and how many distinct ids."""
    ids, after = [], None
    while True:
        path = f"/api/v1/leads?campaign={campaign}&limit=1000" + (f"&after={after}" if after else "")
        status, _, text, body = hub.request("GET", path)
        if status != 200:
            raise RuntimeError(text)
        ids += [item["id"] for item in body["items"]]
        after = body.get("next")
        if not after:
            return len(ids), len(set(ids))


def deleted_queue(c, hub, port):
    """The queue of an /amq/queue/ address deleted under the hub, and declared again."""
    ch = operator(port)
    client = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/links.replies")
    tag = "DQ" + uuid.uuid4().hex[:8].upper()
    before = [request(client, "/amq/queue/links.ops", "CreateLead", lead(tag, i)) for i in range(5)]
    c.check(all(outcome == "ok" for outcome, _ in before), "[requests] 5 creates answered before the deletion",
            before)
    start = len(hub.log)
    ch.queue_delete("links.ops")
    went = wait_for("/readyz naming the deleted queue",
                    lambda: not readyz(hub, "rabbit")["ready"] and "links.ops" in readyz(hub, "rabbit")["detail"],
                    30)
    detail = readyz(hub, "rabbit")
    c.check(went and "NOT_FOUND - no queue 'links.ops'" in detail["detail"],
            "[requests] /readyz: rabbit not ready, naming the link and the broker's reason", detail)
    outcome, text = request(client, "/queue/links.leads", "CreateLead", lead(tag, 100))
    c.check(outcome == "ok", "[requests] the other queue is consumed meanwhile", text)
    time.sleep(2.5)  # a few attempts, each refused while the queue is missing
    c.check(not readyz(hub, "rabbit")["ready"], "[requests] still not ready while the queue is missing",
            readyz(hub, "rabbit"))
    ch.queue_declare("links.ops", durable=True)  # the operator declares it again
    back = wait_for("rabbit ready again", lambda: readyz(hub, "rabbit")["ready"], 30)
    c.check(back, "[requests] /readyz: ready again once the queue is back", readyz(hub, "rabbit"))
    outcome, text = request(client, "/amq/queue/links.ops", "CreateLead", lead(tag, 200))
    c.check(outcome == "ok", "[requests] a request sent after the queue is back is answered", text)
    stored, distinct = count_campaign(hub, tag)
    c.check(stored == distinct == 7, "[requests] the 5 acknowledged creates and the 2 later ones are stored, once each",
            stored)
    lines = [line for line in hub.log[start:] if " rabbit: " in line and "links.ops" in line]
    ended = [line for line in lines if "warn rabbit: the broker refused the link from /amq/queue/links.ops" in line
             and "NOT_FOUND" in line and "attaching it again with backoff" in line]
    again = [line for line in lines if "info rabbit: the link from /amq/queue/links.ops is attached again after" in line
             and "failed attempts" in line]
    c.check(len(ended) == 1 and len(again) == 1,
            "[requests] the outage is logged once with the link's address and the broker's reason, the recovery once",
            "\n".join(hub.log[start:start + 30]))
    # A /queue/ address declares its queue: deleted, it is back with the reconnect.
    start = len(hub.log)
    ch.queue_delete("links.leads")
    wait_for("the reconnect", lambda: any("info rabbit: reconnected to" in line for line in hub.log[start:]), 30)
    # Sent before the hub's attach declared it, the request would be dropped (see docs/amqp.md).
    wait_for("links.leads declared again", lambda: queue_exists(ch.connection, "links.leads"), 30)
    outcome, text = request(client, "/queue/links.leads", "CreateLead", lead(tag, 300))
    c.check(outcome == "ok" and not any("refused the link" in line for line in hub.log[start:]),
            "[requests] the queue of a /queue/ address deleted: declared again after the reconnect, consumed",
            (text, "\n".join(hub.log[start:start + 10])))
    client.close()
    ch.connection.close()


def lettershop_file(tag, index, rows):
    head = "Anrede;Vorname;Nachname;Firma;Strasse;PLZ;Ort;Land;Telefon;E-Mail;Aktionscode;Antwort\n"
    lines = [f"Frau;Eva;File{index}Row{i};;Weg {i};10115;Berlin;DE;;f{index}r{i}@{tag.lower()}.example;{tag};ja\n"
             for i in range(rows)]
    return (head + "".join(lines)).encode("latin-1")


def ended_session(c, hub, base, port):
    """The broker ends the session of the lettershop queue's link while files are in flight."""
    tag = "ES" + uuid.uuid4().hex[:8].upper()
    client = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/links.replies")
    # Files sized to take the hub about a second each, sent faster than that: the hub
    # takes them at once and runs them one after the other, so some are received and
    # not settled whenever the channel error lands (rabbitmqctl takes seconds to start).
    started = time.time()
    request(client, "/queue/links.files", "", lettershop_file(tag + "C", 0, 1000), binary=True)
    rows = max(100, int(1000 / max(time.time() - started, 0.1)))
    start = len(hub.log)
    ended_line = "the broker ended the link from /queue/links.files"
    files = 0
    while files < 40 and (files < 3 or not logged(hub, ended_line)):
        client.send("/queue/links.files", "", lettershop_file(tag, files, rows), msg_id=f"{tag}-{files}",
                    reply=False, binary=True)
        files += 1
        if files == 2:  # the hub works on the first, the second waits for it
            threading.Thread(target=ctl, args=(base, "eval", END_SESSION.replace("@QUEUE@", "links.files")),
                             daemon=True).start()
        time.sleep(0.5)
    ended = wait_for("the ended link in the log", lambda: logged(hub, ended_line), 30)
    line = (logged(hub, ended_line) or ["(none)"])[0]
    c.check(ended and "PRECONDITION_FAILED - unknown delivery tag 999999" in line,
            "[requests] the ended session is logged with the link's address and the broker's reason",
            "\n".join(hub.log[start:start + 20]))
    unsettled = int(line.split(" messages received and not settled")[0].rsplit(" ", 1)[1]) \
        if " messages received and not settled" in line else 0
    c.check(unsettled > 0, f"[requests] {unsettled} of {files} files were received and not settled when the session "
            "ended (left to the broker, which delivers them again)", line)
    done = wait_for("every file stored", lambda: count_campaign(hub, tag)[0] >= files * rows, 90, every=0.5)
    stored, distinct = count_campaign(hub, tag)
    c.check(done and stored == distinct == files * rows,
            f"[requests] {files} files of {rows} rows: {stored} leads stored, each once", (stored, distinct))
    outcome, text = request(client, "/queue/links.files", "", lettershop_file(tag + "X", 99, 1), binary=True)
    c.check(outcome == "ok", "[requests] the queue's link is attached again and consumed", text)
    c.check(len(logged(hub, "info rabbit: the link from /queue/links.files is attached again after")) == 1,
            "[requests] the recovery is logged once", "\n".join(hub.log[start:start + 20]))
    status, _, metrics, _ = hub.request("GET", "/metrics")
    c.check('leadhub_amqp_link_outages_total{connector="rabbit"} 2' in metrics
            and 'leadhub_amqp_links_down{connector="rabbit"} 0' in metrics,
            "[requests] /metrics: two link outages, no link down now",
            [m for m in metrics.splitlines() if "link" in m])
    client.close()


def run_requests(c, leadhub):
    def run(base, port):
        operator(port).queue_declare("links.ops", durable=True)  # an operator's queue: /amq/queue/ uses it
        hub = Hub(leadhub, CONFIG.replace("@PORT@", str(port)), name="amqp-links").start()
        try:
            wait_for("rabbit connected", lambda: logged(hub, "info rabbit: connected to"), 30)
            deleted_queue(c, hub, port)
            ended_session(c, hub, base, port)
        finally:
            code = hub.stop()
        c.check(code == 0, "[requests] the hub stops cleanly", "\n".join(hub.log[-20:]))

    return with_broker(c, "rabbitmq-links-requests", run, free_port)


def run_replies(c, leadhub):
    """A client's reply_to is an exchange that is deleted while the hub's reply sender
    is attached to it; the requests are accepted, their replies must not be lost."""
    def run(base, port):
        ch = operator(port)
        ch.queue_declare("links.ops", durable=True)
        ch.exchange_declare("links.rx", "direct", durable=True)
        ch.queue_declare("links.rq", durable=True)
        ch.queue_bind("links.rq", "links.rx", "r")
        hub = Hub(leadhub, CONFIG.replace("@PORT@", str(port)), name="amqp-links-replies").start()
        try:
            wait_for("rabbit connected", lambda: logged(hub, "info rabbit: connected to"), 30)
            client = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/links.rq")
            client.reply_to = "/exchange/links.rx/r"
            tag = "RP" + uuid.uuid4().hex[:8].upper()
            outcome, text = request(client, "/queue/links.leads", "CreateLead", lead(tag, 0))
            c.check(outcome == "ok", "[replies] a reply through the exchange", text)
            start = len(hub.log)
            ch.exchange_delete("links.rx")
            sent = [client.send("/queue/links.leads", "CreateLead", lead(tag, i))[0] for i in range(1, 11)]
            ended = wait_for("the ended reply link in the log",
                             lambda: logged(hub, "the broker ended the link to /exchange/links.rx/r"), 30)
            c.check(ended and "NOT_FOUND - no exchange 'links.rx'" in
                    (logged(hub, "the broker ended the link to /exchange/links.rx/r") or [""])[0],
                    "[replies] the ended reply link is logged with its address and the broker's reason",
                    "\n".join(hub.log[start:start + 20]))
            detail = readyz(hub, "rabbit")
            c.check("/exchange/links.rx/r" in detail["detail"] and "NOT_FOUND" in detail["detail"],
                    "[replies] /readyz names the reply link that is down", detail)
            time.sleep(2)
            ch.exchange_declare("links.rx", "direct", durable=True)
            ch.queue_bind("links.rq", "links.rx", "r")
            got = set()
            deadline = time.time() + 30
            while len(got) < len(sent) and time.time() < deadline:
                try:
                    m = client.receive(timeout=max(1, deadline - time.time()))
                except Exception:  # noqa: BLE001 - the timeout: the check says what is missing
                    break
                if m.properties.get("outcome") == "ok":
                    got.add(str(m.correlation_id))
            c.check(got == set(sent), f"[replies] all {len(sent)} replies of the accepted requests arrive once the "
                    f"exchange is back ({len(got)} came)", sorted(set(sent) - got))
            stored, distinct = count_campaign(hub, tag)
            c.check(stored == distinct == 11, "[replies] each request stored once", stored)
            c.check(len(logged(hub, "info rabbit: the link to /exchange/links.rx/r is attached again after")) == 1,
                    "[replies] the recovery is logged once", "\n".join(hub.log[start:start + 20]))
            client.close()
        finally:
            code = hub.stop()
        c.check(code == 0, "[replies] the hub stops cleanly", "\n".join(hub.log[-20:]))

    return with_broker(c, "rabbitmq-links-replies", run, free_port)


def main():
    leadhub = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    c = Checks()
    if which in ("requests", "all"):
        run_requests(c, leadhub)
    if which in ("replies", "all"):
        run_replies(c, leadhub)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

"""What real AMQP 1.0 clients and real operations do to the hub, with
python-qpid-proton and a real RabbitMQ (scripts/rabbitmq.sh, stopped after):

direct (the hub's listener): pre-settled (at-most-once) sends, a 2 MB lettershop file
in one multi-frame message and one over max_message_bytes, absolute-expiry-time in
the past, ttl, message annotations, gzip and deflate content-encodings (others, cut
data and bodies decoding past the limit refused), a reply receiver that grants 1
credit or none, a client that disconnects with unsettled requests and sends them
again, a client that vanishes (logged as lost, not refused), two receivers of one
named reply address, id/version properties of other types, a call-centre report with
one unknown lead, an unknown `operation:` in the config;

broker (RabbitMQ): the hub logs in as its user, a wrong password and a mechanism the
broker lacks are refused with one clear line, a reply_to the broker refuses or lacks
(or declared non-durable),
and the broker stopped and started: one line for the outage, one for the recovery,
/readyz, and what was published meanwhile is processed.

usage: clients_test.py LEADHUB [direct|broker|all]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Checks, Hub, wait_for  # noqa: E402
from amqp_test import Client, amqp_port, free_port  # noqa: E402
from broker_support import ctl, queue_depth, with_broker  # noqa: E402

from proton import Delivery, Message, symbol, ubyte  # noqa: E402
from proton.reactor import AtMostOnce  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

DIRECT_CONFIG = """
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    max_message_bytes: 4194304
    addresses:
      - {address: leads}
      - {address: lettershop, mapping: lettershop-csv}
      - {address: callcenter, mapping: call-center-xml}
"""


def logged(hub, *parts):
    return [line for line in hub.log if all(p in line for p in parts)]


def found(client, query):
    _, _, text, *_ = client.request("leads", "FindLeads", json.dumps(query))
    return json.loads(text)["items"]


def presettled(c, hub, client):
    """At-most-once: the client settles before the hub decides, so a refusal reaches it
    only as a reply, and the hub's log keeps it either way."""
    sender = client.conn.create_sender("leads", name="at-most-once", options=AtMostOnce())
    bad = json.dumps({"subject": "x", "prospect": {"family_name": "P", "email": "nope"}})
    mid = "ps-" + uuid.uuid4().hex[:8]
    sender.send(Message(id=mid, subject="CreateLead", body=bad, reply_to=client.reply_to))
    m = client.receive()
    c.check(m.properties.get("outcome") == "invalid" and "prospect.email" in m.body,
            "[direct] a pre-settled invalid request still gets its reply", m.body)
    sender.send(Message(id=mid + "-oneway", subject="CreateLead", body=bad))
    good = "ps-good-" + uuid.uuid4().hex[:8]
    sender.send(Message(id=good, subject="CreateLead", body=json.dumps(
        {"subject": "at most once", "campaign": good, "prospect": {"family_name": "P"}})))
    try:  # a pre-settled send does not wait for the wire: wait pumping the connection
        client.conn.wait(lambda: bool(logged(hub, mid + "-oneway")), timeout=10)
    except Exception:  # noqa: BLE001 - proton's Timeout; the check below says what is missing
        pass
    c.check(logged(hub, "warn amqp: pre-settled message " + mid + " on leads refused", "the reply went to"),
            "[direct] the log names the refused pre-settled message and where the reply went", hub.log[-3:])
    c.check(logged(hub, "pre-settled message " + mid + "-oneway on leads refused", "prospect.email", "no reply_to"),
            "[direct] a pre-settled one-way refusal is logged with its reason", hub.log[-3:])
    c.check(wait_for("the pre-settled create", lambda: found(client, {"campaign": good}), 10),
            "[direct] a valid pre-settled one-way create is stored")


def reply_subject(c, client):
    """The reply's subject is the request's: none when it had none."""
    sender = client.conn.create_sender("leads", name="no-subject")
    sender.send(Message(id=str(uuid.uuid4()), body=json.dumps({"limit": 1}), reply_to=client.reply_to),
                error_states=[])
    m = client.receive()
    c.check(m.subject is None and m.properties.get("outcome") == "invalid",
            "[direct] a request without a subject: the reply has none either (not an empty one)", repr(m.subject))


def partial_report(c, client):
    """A call-centre report whose one change names no stored lead: the other records take
    effect and the one-way message is rejected naming the failed record. Sent again with
    the same message id nothing is applied twice; with a new id its changes are applied
    again (the note appended twice), as docs/amqp.md warns."""
    call = uuid.uuid4().hex[:6]
    report = (f'<CallCenterReport center="CC-Nord"><NewLead callId="N{call}"><Agent>Jo</Agent><Contact>'
              f'<LastName>Weber</LastName></Contact></NewLead><QualificationResult callId="Q{call}">'
              f'<ExternalRef system="call-center">N{call}</ExternalRef><Qualification>warm</Qualification><Notes>'
              f'<Note time="23.11.2026 11:35">note {call}</Note></Notes></QualificationResult>'
              f'<QualificationResult callId="R{call}"><ExternalRef system="call-center">missing-{call}</ExternalRef>'
              f'<Qualification>hot</Qualification></QualificationResult></CallCenterReport>')

    def notes():
        leads = found(client, {"ref": f"call-center:N{call}"})
        return [n["text"] for n in leads[0].get("notes", [])] if leads else None

    mid = "cc-" + call
    states = [client.send("callcenter", "", report, msg_id=mid, reply=False) for _ in range(2)]
    c.check(all(st == Delivery.REJECTED and "QualificationResult[2]" in (cond.description or "")
                for _, st, cond in states) and notes() == [f"note {call}"],
            "[direct] a report with one unknown lead: rejected naming that record, the others applied; "
            "sent again with the same message id, nothing applied twice", (states, notes()))
    client.send("callcenter", "", report, reply=False)
    c.check(notes() == [f"note {call}"] * 2,
            "[direct] the same report under a new message id: its changes are applied again", notes())


def lettershop_file(rows):
    head = "Anrede;Vorname;Nachname;Firma;Strasse;PLZ;Ort;Land;Telefon;E-Mail;Aktionscode;Antwort\n"
    tag = "big" + uuid.uuid4().hex[:6]
    lines = [f"Herr;Max;Muster{i};;Hauptstr {i};10115;Berlin;DE;;m{i}@{tag}.example;{tag};" + "x" * 900 + "\n"
             for i in range(rows)]
    return tag, (head + "".join(lines)).encode("latin-1")


def large_messages(c, client):
    """A 2 MB lettershop file is one message of many transfer frames; one over
    max_message_bytes is refused naming the limit, and the connection goes on."""
    tag, body = lettershop_file(2200)
    _, outcome, text, state, cond, _ = client.request("lettershop", "", body, binary=True)
    c.check(len(body) > 2_000_000 and outcome == "ok" and state == Delivery.ACCEPTED and text.count(tag.upper()) == 2200,
            f"[direct] a {len(body) // 1000} kB lettershop file in one message: 2200 leads, accepted",
            (outcome, state, cond, (text or "")[:300]))
    announced = client.senders["leads"].link.remote_max_message_size
    c.check(announced == 4194304 + 65536,
            "[direct] the listener announces max-message-size (max_message_bytes and 64 KiB for the envelope)",
            announced)
    big = json.dumps({"subject": "big", "prospect": {"family_name": "B"}, "notes": "y" * (5 << 20)})
    _, outcome, text, state, cond, _ = client.request("leads", "CreateLead", big)
    c.check(outcome == "invalid" and state == Delivery.REJECTED and "max_message_bytes (4194304)" in text
            and "max_message_bytes (4194304)" in (cond.description if cond else ""),
            "[direct] a 5 MB message over max_message_bytes: rejected, the reply and condition name the limit",
            (outcome, state, cond, (text or "")[:300]))
    _, outcome, text, *_ = client.request("leads", "FindLeads", json.dumps({"limit": 1}))
    c.check(outcome == "ok", "[direct] the connection goes on after the refused large message", text)


def envelope(c, client):
    """absolute-expiry-time, ttl, message annotations and content-encoding."""
    sender = client.conn.create_sender("leads", name="envelope")

    def send(label, body, **kw):
        m = Message(id=str(uuid.uuid4()), subject="CreateLead", body=body, reply_to=client.reply_to, **kw)
        d = sender.send(m, error_states=[])
        r = client.receive()
        return d.remote_state, d.remote.condition, r.properties.get("outcome"), str(r.body)

    email = f"expired-{uuid.uuid4().hex[:8]}@example.com"
    lead = json.dumps({"subject": "late", "prospect": {"family_name": "Late", "email": email}})
    state, cond, outcome, body = send("expired", lead, expiry_time=time.time() - 60)
    c.check(state == Delivery.REJECTED and outcome == "invalid" and "absolute_expiry_time" in body
            and "expired at" in (cond.description if cond else "") and not found(client, {"email": email}),
            "[direct] absolute-expiry-time in the past: rejected, not applied, the reply says it expired",
            (state, cond, body[:300]))
    lead = json.dumps({"subject": "ttl", "prospect": {"family_name": "Ttl"}})
    state, _, outcome, body = send("ttl", lead, ttl=5)
    c.check(state == Delivery.ACCEPTED and outcome == "ok", "[direct] a ttl counts from receipt: taken", body[:200])
    state, _, outcome, body = send("annotations", lead, annotations={symbol("x-opt-partner-trace"): "abc"})
    c.check(state == Delivery.ACCEPTED and outcome == "ok", "[direct] message annotations are ignored", body[:200])
    content_encodings(c, client, sender)


def content_encodings(c, client, sender):
    """gzip and deflate bodies (a data section) are decoded, within max_message_bytes;
    other codings and broken data are refused naming them."""
    import gzip
    import zlib

    def send(body, encoding):
        m = Message(id=str(uuid.uuid4()), subject="CreateLead", body=body, content_encoding=encoding,
                    reply_to=client.reply_to)
        m.inferred = True  # a data section
        d = sender.send(m, error_states=[])
        r = client.receive()
        return d.remote_state, r.properties.get("outcome"), bytes(r.body).decode()

    for encoding, compress in (("gzip", gzip.compress), ("deflate", zlib.compress)):
        email = f"{encoding}-{uuid.uuid4().hex[:8]}@example.com"
        lead = json.dumps({"subject": encoding, "prospect": {"family_name": "Zipped", "email": email}})
        state, outcome, text = send(compress(lead.encode()), encoding)
        c.check(state == Delivery.ACCEPTED and outcome == "ok" and found(client, {"email": email}),
                f"[direct] a {encoding} content-encoding is decoded: the lead is stored", text[:300])
    state, _, text = send(b"{}", "br")
    c.check(state == Delivery.REJECTED and "content_encoding: 'br' is not supported" in text,
            "[direct] another content-encoding is refused naming it (not read as broken JSON)", text[:300])
    state, _, text = send(gzip.compress(b'{"subject": "x"}')[:-6], "gzip")
    c.check(state == Delivery.REJECTED and "body: gzip data" in text and "content_encoding gzip" in text,
            "[direct] cut-short gzip data is refused naming it", text[:300])
    bomb = gzip.compress(b'{"subject": "' + b" " * (5 << 20) + b'"}')
    state, _, text = send(bomb, "gzip")
    c.check(state == Delivery.REJECTED and len(bomb) < 64 * 1024
            and "larger than max_message_bytes (4194304) once decoded" in text,
            "[direct] a small gzip body that decodes past max_message_bytes is refused", text[:300])


def reply_credit(c, hub, url):
    """A reply receiver granting 1 credit gets every reply; one granting none holds back
    only its own link's requests (bounded), others go on, and its replies all arrive
    once it grants credit."""
    slow = Client(url)
    one = slow.conn.create_receiver(None, dynamic=True, credit=1, name="one-credit")
    address = one.link.remote_source.address
    sender = slow.conn.create_sender("leads", name="slow-requests")
    for i in range(20):
        sender.link.send(Message(id=f"one-{i}", subject="FindLeads", body="{\"limit\": 1}", reply_to=address))
    got = set()
    for _ in range(20):
        m = one.receive(timeout=30)
        one.accept()
        got.add(m.correlation_id)
    c.check(len(got) == 20, "[direct] a reply receiver with 1 credit gets all 20 replies", len(got))
    slow.close()

    stalled = BlockingConnection(url, timeout=30)
    none = stalled.create_receiver(None, dynamic=True, credit=0, name="no-credit")
    address = none.link.remote_source.address
    sender = stalled.create_sender("leads", name="stalled-requests")
    n = 1500
    for i in range(n):
        sender.link.send(Message(id=f"stall-{i}", subject="FindLeads", body="{\"limit\": 1}", reply_to=address))
    try:
        stalled.wait(lambda: bool(logged(hub, "wait for its receiver's credit")), timeout=30)
    except Exception:  # noqa: BLE001 - proton's Timeout; the check says what is missing
        pass
    try:
        stalled.wait(lambda: False, timeout=2)  # let it settle what it took
    except Exception:  # noqa: BLE001 - the timeout is the point
        pass
    c.check(bool(logged(hub, "replies to " + address, "the link to leads takes no more requests")),
            "[direct] replies piling up for a receiver without credit: logged, the link is held back", hub.log[-3:])
    other = Client(url)
    started = time.time()
    _, outcome, *_ = other.request("leads", "FindLeads", json.dumps({"limit": 1}))
    c.check(outcome == "ok" and time.time() - started < 5, "[direct] other links go on meanwhile",
            time.time() - started)
    other.close()
    _, _, ready, _ = hub.request("GET", "/readyz")
    taken = int(json.loads(ready)["connectors"]["amqp"]["detail"].split("(")[1].split()[0])
    c.check(taken < 1000, f"[direct] the held link took {taken} of {n} requests (bounded by twice the credit)", ready)
    none.flow(n)
    replies = set()
    try:
        while len(replies) < n:
            m = none.receive(timeout=30)
            replies.add(m.correlation_id)
            none.accept()
    except Exception:  # noqa: BLE001 - a timeout: the check reports how many came
        pass
    c.check(len(replies) == n, f"[direct] once it grants credit, all {n} replies arrive", len(replies))
    stalled.close()


def disconnect_resend(c, url):
    """A client gone with an unsettled request sends it again: one lead, the same reply."""
    conn = BlockingConnection(url, timeout=30)
    replies = conn.create_receiver(None, dynamic=True, credit=10)
    sender = conn.create_sender("leads")
    mid = "dc-" + uuid.uuid4().hex
    email = mid + "@example.com"
    body = json.dumps({"subject": "gone", "prospect": {"family_name": "D", "email": email}})
    sender.link.send(Message(id=mid, subject="CreateLead", body=body, reply_to=replies.link.remote_source.address))
    conn.close()
    again = Client(url)
    _, outcome, text, *_ = again.request("leads", "CreateLead", body, msg_id=mid)
    _, outcome2, text2, *_ = again.request("leads", "CreateLead", body, msg_id=mid)
    c.check(outcome == outcome2 == "ok" and json.loads(text)["id"] == json.loads(text2)["id"]
            and len(found(again, {"email": email})) == 1,
            "[direct] disconnected with an unsettled create, sent again twice: one lead, the same reply", text)
    again.close()


def property_types(c, client):
    """`id` and `version` in a type without a text form (a client with only floating-point
    numbers sends 1.0) are named with their type, not reported missing; integers of
    any width and symbols are read."""
    _, _, text, *_ = client.request("leads", "CreateLead", json.dumps(
        {"subject": "types", "prospect": {"family_name": "T"}}))
    lead = json.loads(text)
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"priority": "high"}),
                                          props={"id": lead["id"], "version": 1.0})
    c.check(outcome == "invalid" and "version: the application property is of AMQP type double" in text,
            "[direct] ChangeLead with version 1.0 (a double): invalid, naming the type", text)
    _, outcome, text, *_ = client.request("leads", "ReadLead", "", props={"id": lead["id"].encode()})
    c.check(outcome == "invalid" and "id: the application property is of AMQP type binary" in text,
            "[direct] ReadLead with a binary id: invalid, naming the type", text)
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"priority": "high"}),
                                          props={"id": symbol(lead["id"]), "version": ubyte(1)})
    c.check(outcome == "ok" and json.loads(text)["version"] == 2,
            "[direct] ChangeLead with a symbol id and a ubyte version: ok", text)


def shared_reply_address(c, hub, url):
    """Two peers receive from one named reply address (a client's second connection, or
    a reconnect before the old link went); when the newer one goes, by closing its link
    or its connection, the replies go to the one still attached."""
    first = BlockingConnection(url, timeout=30)
    address = "shared-" + uuid.uuid4().hex[:8]
    receiver = first.create_receiver(address, credit=10)
    sender = first.create_sender("leads")
    for how in ["link", "connection"]:
        second = BlockingConnection(url, timeout=30)
        other = second.create_receiver(address, credit=10)
        if how == "link":
            other.close()
        second.close()
        mid = f"shared-{how}-" + uuid.uuid4().hex[:8]
        sender.send(Message(id=mid, subject="FindLeads", body="{}", reply_to=address))
        try:
            m = receiver.receive(timeout=10)
            receiver.accept()
            got = m.correlation_id
        except Exception as e:  # noqa: BLE001 - proton's Timeout: the check says what is missing
            got = repr(e)
        c.check(got == mid, f"[direct] the second receiver of a named reply address closes its {how}: "
                            "the first, still attached, gets the reply", (got, hub.log[-2:]))
    first.close()


VANISH = """
import json, os, sys
from proton import Message
from proton.utils import BlockingConnection
conn = BlockingConnection(sys.argv[1], timeout=30)
replies = conn.create_receiver(None, dynamic=True)
sender = conn.create_sender("leads")
sender.send(Message(id=sys.argv[2], subject="FindLeads", body="{}", reply_to=replies.link.remote_source.address))
replies.receive(timeout=30)
os._exit(0)  # gone without closing the connection: the process dies, the kernel closes the socket
"""


def vanished_client(c, hub, url):
    """A client that was served and then vanished (killed, its network gone) is not a
    refused connection: the log says the connection was lost."""
    before = len(hub.log)
    subprocess.run([sys.executable, "-c", VANISH, url, "vanish-" + uuid.uuid4().hex[:8]], timeout=60, check=True)
    wait_for("the log line", lambda: len(hub.log) > before and logged(hub, "amqp: ", "connection"), 10)
    lines = [line for line in hub.log[before:] if "amqp: " in line]
    c.check(any("connection from a client" in line and "lost without closing it" in line for line in lines)
            and not any("connection refused" in line for line in lines),
            "[direct] a served client that vanishes: logged as a lost connection, not a refused one", lines)


def config_errors(c, leadhub):
    """An address's `operation:` that names no operation stops serve (exit 2) at the
    config line, listing the operations there are."""
    with tempfile.TemporaryDirectory(prefix="amqp-config-") as d:
        path = os.path.join(d, "leadhub.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"data: {d}/data\nconnectors:\n  - name: amqp\n    type: amqp\n    listen: 127.0.0.1:0\n"
                    "    addresses:\n      - {address: leads.create, operation: Create}\n")
        p = subprocess.run([leadhub, "--config", path, "serve"], capture_output=True, text=True, timeout=60)
    c.check(p.returncode == 2 and "leadhub.yaml:7:" in p.stderr and "unknown operation 'Create'" in p.stderr
            and "(known: CreateLead, CreateBusinessPartner, ReadLead, FindLeads, ChangeLead)" in p.stderr,
            "[direct] operation: Create in the config: exit 2 at its line, naming the operations there are",
            (p.returncode, p.stderr))


def run_direct(c, leadhub):
    config_errors(c, leadhub)
    hub = Hub(leadhub, DIRECT_CONFIG, name="amqp-clients").start()
    try:
        url = f"amqp://127.0.0.1:{amqp_port(hub)}"
        client = Client(url)
        presettled(c, hub, client)
        envelope(c, client)
        reply_subject(c, client)
        partial_report(c, client)
        property_types(c, client)
        large_messages(c, client)
        client.close()
        disconnect_resend(c, url)
        vanished_client(c, hub, url)
        shared_reply_address(c, hub, url)
        reply_credit(c, hub, url)
    finally:
        code = hub.stop()
    c.check(code == 0, "[direct] the hub stops cleanly", "\n".join(hub.log[-20:]))


BROKER_CONFIG = """
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
  - name: rabbit
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    user: leadhub
    password: hub-secret
    reconnect_delay_ms: 100
    reconnect_max_delay_ms: 1000
    addresses: [{address: /queue/leads}, {address: /queue/hubonly.leads}]
  - name: badlogin
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    user: leadhub
    password: wrong
    addresses: [{address: /queue/badlogin}]
  - name: badmech
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    sasl_mechanisms: EXTERNAL
    addresses: [{address: /queue/badmech}]
"""


def readyz(hub, name):
    _, _, text, _ = hub.request("GET", "/readyz")
    return json.loads(text)["connectors"][name]


def broker_logins(c, hub, port):
    """The hub logs in as its user; wrong passwords and missing mechanisms: one line."""
    # guest (the broker's anonymous default user) may not touch hubonly.*: only a hub
    # logged in as leadhub consumes that queue. (RabbitMQ 3.10 lists no AMQP 1.0
    # connections, so rabbitmqctl cannot say who the hub is.)
    client = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/hubonly.replies", user="leadhub",
                    password="hub-secret")
    try:
        _, outcome, text, *_ = client.request("/queue/hubonly.leads", "CreateLead", json.dumps(
            {"subject": "as leadhub", "prospect": {"family_name": "Plain"}}))
    except Exception as e:  # noqa: BLE001 - a timeout: nobody consumes the queue
        outcome, text = None, repr(e)
    client.close()
    c.check(outcome == "ok", "[broker] the hub logs in as its configured user (PLAIN), not as the broker's "
            "anonymous default (a queue only that user may read is consumed)", text)
    wait_for("both refusals", lambda: logged(hub, "error badlogin") and logged(hub, "error badmech"), 30)
    refused = logged(hub, "error badlogin: the broker at", "refused the login as user 'leadhub'",
                     "check user, password")
    c.check(len(refused) == 1 and not logged(hub, "badlogin: connected"),
            "[broker] a wrong password: refused, one error line naming the user", "\n".join(hub.log[-10:]))
    c.check(len(logged(hub, "error badmech: the broker at", "sasl_mechanisms EXTERNAL")) == 1,
            "[broker] a mechanism the broker does not offer: one error line naming it", "\n".join(hub.log[-10:]))
    detail = readyz(hub, "badlogin")
    c.check(not detail["ready"] and "login refused by the broker" in detail["detail"],
            "[broker] /readyz says the login was refused", detail)


def reply_to_missing(c, hub, base, client):
    """A reply_to the broker refuses or lacks: the request still takes effect, the log
    names the address, and the hub goes on consuming (RabbitMQ ends the session of a
    refused attach: on the consumers' session that stopped every queue)."""
    for reply_to in ["/exchange/does-not-exist/x", "/queue/does-not-exist"]:
        email = f"rt-{uuid.uuid4().hex[:8]}@example.com"
        client.send("/queue/leads", "CreateLead", json.dumps({"subject": "rt", "prospect": {
            "family_name": "R", "email": email}}), reply=False)
        sender = client.senders["/queue/leads"]
        sender.send(Message(id=str(uuid.uuid4()), subject="CreateLead", reply_to=reply_to, durable=True,
                            body=json.dumps({"subject": "rt", "prospect": {"family_name": "R2", "email": email}})))
        try:
            _, outcome, text, *_ = client.request("/queue/leads", "FindLeads", json.dumps({"email": email}))
            stored = len(json.loads(text)["items"]) if outcome == "ok" else -1
        except Exception as e:  # noqa: BLE001 - a timeout: the hub stopped consuming
            stored = repr(e)
        c.check(stored == 2, f"[broker] reply_to {reply_to}: the request took effect and the hub consumes on", stored)
    c.check(bool(logged(hub, "warn rabbit: the broker refused the address /exchange/does-not-exist/x",
                        "NOT_FOUND", "1 message(s) to it dropped")),
            "[broker] the log names the refused reply address and the broker's reason", "\n".join(hub.log[-5:]))
    c.check(queue_depth(base, "does-not-exist") == 1,
            "[broker] reply_to /queue/does-not-exist: RabbitMQ declares it, the reply waits there")
    # a plain AMQP 1.0 receiver declares its reply queue non-durable; the hub's durable
    # reply sender is then refused: the log says it is the durability, not a missing queue
    name = "plain-" + uuid.uuid4().hex[:8]
    plain = BlockingConnection(client.conn.url, timeout=30)
    plain.create_receiver("/queue/" + name)
    client.senders["/queue/leads"].send(Message(id=str(uuid.uuid4()), subject="FindLeads", body="{}",
                                                reply_to="/queue/" + name, durable=True))
    wait_for("the refusal", lambda: logged(hub, "refused the address /queue/" + name), 10)
    c.check(bool(logged(hub, "refused the address /queue/" + name, "inequivalent arg 'durable'",
                        "the queue exists, declared non-durable", "declares its reply queue durable")),
            "[broker] a reply queue declared non-durable: the log names the durability mismatch and the remedy",
            "\n".join(hub.log[-3:]))
    plain.close()


def outage(c, hub, base, port):
    """The broker stopped for a while and started again: one warning, one recovery line,
    /readyz says so meanwhile; what is published before the hub is back is processed."""
    before = len(hub.log)
    ctl(base, "stop_app")
    went = wait_for("the outage noticed", lambda: not readyz(hub, "rabbit")["ready"], 30)
    detail = readyz(hub, "rabbit")
    c.check(went and "connecting to" in detail["detail"], "[broker] /readyz: rabbit not ready while away", detail)
    time.sleep(4)  # several reconnect attempts
    ctl(base, "start_app")
    tag = uuid.uuid4().hex[:8]
    publisher = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/outage-replies")
    for i in range(20):
        publisher.send("/queue/leads", "CreateLead", json.dumps(
            {"subject": f"meanwhile {i}", "campaign": tag, "prospect": {"family_name": "O"}}), reply=False)
    back = wait_for("the hub back", lambda: readyz(hub, "rabbit")["ready"], 60)
    c.check(back, "[broker] /readyz: rabbit ready again", readyz(hub, "rabbit"))
    count = 0
    deadline = time.time() + 60
    while time.time() < deadline and count < 20:
        _, _, text, *_ = publisher.request("/queue/leads", "FindLeads", json.dumps({"campaign": tag}))
        count = len(json.loads(text)["items"])
        time.sleep(0.2)
    c.check(count == 20, "[broker] the 20 creates published around the outage are stored", count)
    publisher.close()
    lines = [line for line in hub.log[before:] if " rabbit: " in line]
    lost = [line for line in lines if "broker connection lost" in line]
    back = [line for line in lines if "reconnected to" in line and "failed attempts" in line]
    c.check(len(lost) == 1 and len(back) == 1,
            "[broker] the outage is logged once, the recovery once (with how long and how many attempts)",
            "\n".join(lines[:12]))


def run_broker(c, leadhub):
    def run(base, port):
        ctl(base, "add_user", "leadhub", "hub-secret")
        ctl(base, "set_permissions", "-p", "/", "leadhub", ".*", ".*", ".*")
        ctl(base, "set_permissions", "-p", "/", "guest", *["^(?!hubonly).*"] * 3)
        hub = Hub(leadhub, BROKER_CONFIG.replace("@PORT@", str(port)), name="amqp-clients-broker").start()
        try:
            wait_for("rabbit connected", lambda: logged(hub, "info rabbit: connected to"), 30)
            broker_logins(c, hub, port)
            client = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/clients-replies")
            reply_to_missing(c, hub, base, client)
            client.close()
            outage(c, hub, base, port)
        finally:
            code = hub.stop()
        c.check(code == 0, "[broker] the hub stops cleanly", "\n".join(hub.log[-20:]))

    return with_broker(c, "rabbitmq-clients", run, free_port)


def main():
    leadhub = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    c = Checks()
    if which in ("direct", "all"):
        run_direct(c, leadhub)
    if which in ("broker", "all"):
        return run_broker(c, leadhub)  # prints the summary
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

"""AMQP connector tests: the hub as `leadhub serve`, driven by an independent
client library (python3-qpid-proton), directly (the hub listens) and through a
real RabbitMQ (scripts/rabbitmq.sh, loopback, own data folder, stopped after).

usage: amqp_test.py LEADHUB [direct|broker|sasl|all]
"""
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from hub_process import REPO, Checks, Hub  # noqa: E402

import cproton  # noqa: E402
from proton import Delivery, Message, SSLDomain, Terminus  # noqa: E402
from proton.reactor import LinkOption  # noqa: E402
from proton.utils import BlockingConnection  # noqa: E402

NS = "http://leadhub.example/sap/lead"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Durable(LinkOption):
    """Durable queues: RabbitMQ declares a /queue/NAME node with the durability of the
    first link to it and refuses links that differ (the hub's are durable)."""

    def apply(self, link):
        link.source.durability = Terminus.CONFIGURATION
        link.target.durability = Terminus.CONFIGURATION


class Client:
    """Request/reply over one connection: a reply address (dynamic from the hub, or a named
    broker queue), a sender per address, and the disposition the request got."""

    def __init__(self, url, reply_address=None, user=None, password=None, **tls):
        kw = dict(tls)  # ssl_domain, sni
        if user:
            kw.update({"user": user, "password": password, "allowed_mechs": "PLAIN", "allow_insecure_mechs": True})
        self.conn = BlockingConnection(url, timeout=30, **kw)
        self.opts = [Durable()] if reply_address else None
        self.receiver = self.conn.create_receiver(reply_address, dynamic=reply_address is None, credit=100,
                                                  options=self.opts)
        self.reply_to = reply_address or self.receiver.link.remote_source.address
        self.senders = {}

    def send(self, address, subject, body, props=None, msg_id=None, reply=True, binary=False):
        """Sends one message; returns (message id, delivery state, condition or None)."""
        if address not in self.senders:
            self.senders[address] = self.conn.create_sender(address, options=self.opts)
        msg_id = msg_id or str(uuid.uuid4())
        if binary and isinstance(body, str):
            body = body.encode("utf-8")
        m = Message(body=body, subject=subject, id=msg_id, properties=props or {},
                    reply_to=self.reply_to if reply else None, durable=True)
        d = self.senders[address].send(m, error_states=[])
        cond = d.remote.condition if d.remote_state == Delivery.REJECTED else None
        return msg_id, d.remote_state, cond

    def receive(self, timeout=30):
        m = self.receiver.receive(timeout=timeout)
        self.receiver.accept()
        return m

    def request(self, address, subject, body, props=None, msg_id=None, binary=False):
        """(reply message, outcome, body text, delivery state, condition)."""
        msg_id, state, cond = self.send(address, subject, body, props, msg_id, binary=binary)
        m = self.receive()
        text = m.body.decode("utf-8") if isinstance(m.body, (bytes, memoryview)) else m.body
        return m, m.properties.get("outcome"), text, state, cond, msg_id

    def close(self):
        self.conn.close()


def content_type_of(message):
    """The message's content-type, None when it has none (python-proton's own property
    answers symbol('None') for both a missing one and the text 'None')."""
    return cproton.pn_message_get_content_type(message._msg)


def sap_create(ref, last_name, email):
    return (f'<n0:LeadCreateRequest xmlns:n0="{NS}"><Lead><ID>{ref}</ID><Name>SAP lead {ref}</Name>'
            f'<ContactLastName>{last_name}</ContactLastName><EMail>{email}</EMail>'
            f'<CountryCode>DE</CountryCode></Lead></n0:LeadCreateRequest>')


def xml_value(text, element):
    m = re.search(rf"<{element}>([^<]*)</{element}>", text or "")
    return m.group(1) if m else None


def xsd_errors(text, xsd):
    """xmllint's complaints about a document against one of schemas/sap (none: valid)."""
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as f:
        f.write(text or "")
    p = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(REPO, "schemas", "sap", xsd), f.name],
                       capture_output=True, text=True)
    os.unlink(f.name)
    return [] if p.returncode == 0 else p.stderr.strip().splitlines()[:3]


def sap_errors(c, client, a, t, ref):
    """A refused SAP document is answered in the SAP format, valid per its XSD, with a
    Log item that names the record, source field and reason (as the AMQP description
    does): an SAP system reads the Log, not the AMQP application properties."""
    bad_create = (f'<n0:LeadCreateRequest xmlns:n0="{NS}"><Lead><ID>{ref}-2</ID><ContactLastName>X'
                  f'</ContactLastName><EMail>nope</EMail></Lead></n0:LeadCreateRequest>')
    _, outcome, text, *_ = client.request(a["sap_create"], "", bad_create)
    note = xml_value(text, "Note") or ""
    c.check(outcome == "invalid" and "EMail" in note and "prospect.email" in note and "/LeadCreateRequest/Lead" in note,
            t + "SAP create, a bad e-mail: the Log note names the record, the source field and the reason", text)
    c.check(not xsd_errors(text, "LeadByIDResponse.xsd"), t + "SAP create refused: the reply is valid per its XSD",
            xsd_errors(text, "LeadByIDResponse.xsd"))
    bad_find = (f'<n0:LeadSimpleByElementsQuery xmlns:n0="{NS}"><LeadSimpleSelectionByElements>'
                f'<SelectionByLifeCycleStatusCode>99</SelectionByLifeCycleStatusCode>'
                f'</LeadSimpleSelectionByElements></n0:LeadSimpleByElementsQuery>')
    _, outcome, text, *_ = client.request(a["sap_find"], "", bad_find)
    note = xml_value(text, "Note") or ""
    c.check(outcome == "invalid" and xml_value(text, "TypeID") == "invalid"
            and "SelectionByLifeCycleStatusCode" in note and "'99'" in note,
            t + "SAP find, an unknown status code: a Log item invalid naming the field and the code", text)
    c.check(not xsd_errors(text, "LeadSimpleByElementsResponse.xsd"),
            t + "SAP find refused: the reply is valid per LeadSimpleByElementsResponse.xsd",
            xsd_errors(text, "LeadSimpleByElementsResponse.xsd"))


def scenario(c, client, a, label, direct):
    """Every operation in canonical JSON and SAP-style XML, correlation, rejection,
    redelivery and partner scoping. `a` maps roles to addresses."""
    t = f"[{label}] "
    email = f"anna-{uuid.uuid4().hex[:8]}@example.com"
    lead = {"subject": "Forklift demo", "prospect": {"family_name": "Müller", "email": email}}

    # CreateLead, canonical JSON; correlation_id = the request's message id
    m, outcome, text, state, cond, mid = client.request(a["json"], "CreateLead", json.dumps(lead))
    created = json.loads(text)
    c.check(outcome == "ok" and created.get("version") == 1, t + "CreateLead (JSON): outcome ok, version 1", text)
    c.check(m.correlation_id == mid, t + "reply correlation_id is the request's message id", m.correlation_id)
    if direct:
        c.check(state == Delivery.ACCEPTED, t + "CreateLead accepted after the commit", state)
    lead_id = created["id"]

    # a redelivered message (same message id) creates nothing and gets the same reply
    m2, outcome2, text2, *_ = client.request(a["json"], "CreateLead", json.dumps(lead), msg_id=mid)
    c.check(outcome2 == "ok" and json.loads(text2)["id"] == lead_id, t + "redelivery: same lead in the reply", text2)
    _, _, found_text, *_ = client.request(a["json"], "FindLeads", json.dumps({"email": email}))
    found = json.loads(found_text)
    c.check(len(found["items"]) == 1, t + "FindLeads (JSON): the redelivery stored no second lead", found_text)

    # correlation_id given by the client wins over the message id
    if direct:
        sender = client.senders[a["json"]]
        msg = Message(body="", subject="ReadLead", id="m-1", correlation_id="corr-42",
                      properties={"id": lead_id}, reply_to=client.reply_to)
        sender.send(msg)
        r = client.receive()
        c.check(r.correlation_id == "corr-42", t + "reply keeps the request's correlation_id", r.correlation_id)

    # ReadLead: by property, and a lead that does not exist
    _, outcome, text, *_ = client.request(a["json"], "ReadLead", "", props={"id": lead_id})
    c.check(outcome == "ok" and json.loads(text)["id"] == lead_id, t + "ReadLead (JSON)", text)
    _, outcome, text, *_ = client.request(a["json"], "ReadLead", "", props={"id": "0AAAAAAAAAAAA"})
    c.check(outcome == "not_found", t + "ReadLead of an unknown id: not_found", text)

    # ChangeLead: merge patch with id and expected version; redelivery gets the same reply
    patch = json.dumps({"qualification": "hot"})
    _, outcome, text, _, _, change_id = client.request(a["json"], "ChangeLead", patch,
                                                       props={"id": lead_id, "version": 1})
    changed = json.loads(text)
    c.check(outcome == "ok" and changed.get("version") == 2 and changed.get("status") == "qualified",
            t + "ChangeLead (JSON): version 2, qualified", text)
    _, outcome, text2, *_ = client.request(a["json"], "ChangeLead", patch, props={"id": lead_id, "version": 1},
                                           msg_id=change_id)
    c.check(outcome == "ok" and json.loads(text2)["version"] == 2, t + "ChangeLead redelivered: same reply", text2)
    _, outcome, text, *_ = client.request(a["json"], "ChangeLead", patch, props={"id": lead_id, "version": 1})
    c.check(outcome == "conflict", t + "ChangeLead with a stale version: conflict", text)

    # CreateBusinessPartner
    _, outcome, text, *_ = client.request(a["json"], "CreateBusinessPartner",
                                          json.dumps({"kind": "account", "company": "ACME GmbH"}))
    c.check(outcome == "ok" and json.loads(text).get("company") == "ACME GmbH", t + "CreateBusinessPartner", text)

    # invalid input: rejected with a reason, and the reply says invalid
    bad = {"subject": "x", "prospect": {"family_name": "X", "email": "not-an-email"}}
    _, outcome, text, state, cond, bad_id = client.request(a["json"], "CreateLead", json.dumps(bad))
    c.check(outcome == "invalid" and "prospect.email" in text, t + "invalid CreateLead: reply outcome invalid", text)
    if direct:
        c.check(state == Delivery.REJECTED and cond is not None and cond.name == "amqp:invalid-field"
                and "prospect.email" in (cond.description or ""),
                t + "invalid CreateLead: rejected with amqp:invalid-field naming the field", (state, cond))
    _, outcome, text, *_ = client.request(a["json"], "TakeOverTheWorld", "{}")
    c.check(outcome == "invalid" and "subject" in text, t + "unknown operation: invalid", text)

    # An amqp-value map (what clients send for a dict or a JavaScript object) is read as
    # the JSON document it stands for, and answered with a map
    map_email = f"map-{uuid.uuid4().hex[:8]}@example.com"
    reply, outcome, body, *_ = client.request(a["json"], "CreateLead", {
        "subject": "As a map", "score": 14, "prospect": {"family_name": "Map", "email": map_email},
        "interests": [{"product": "x", "quantity": 2}]})
    c.check(outcome == "ok" and isinstance(body, dict) and body["prospect"]["email"] == map_email
            and body["score"] == 14 and body["interests"][0]["quantity"] == 2,
            t + "CreateLead with a map body: stored, answered with a map", body)
    # AMQP 1.0 3.2.4: content-type SHOULD NOT be set when the body is not a data section
    c.check(content_type_of(reply) is None, t + "the map reply carries no content_type", content_type_of(reply))
    map_id = body.get("id", "") if isinstance(body, dict) else ""
    reply, outcome, *_ = client.request(a["json"], "ReadLead", "", props={"id": map_id})
    c.check(outcome == "ok" and reply.content_type == "application/json",
            t + "a text reply still says application/json", reply.content_type)
    _, outcome, body, state, cond, _ = client.request(a["json"], "CreateLead",
                                                      {"prospect": {"family_name": "B", "photo": b"\x00"}})
    c.check(outcome == "invalid" and "body.prospect.photo" in str(body)
            and (not direct or "body.prospect.photo: AMQP type binary has no JSON form" in (cond.description or "")),
            t + "a map member without a JSON form: invalid, naming the member", (body, cond))

    # SAP-style XML through the mappings: create, read, change, find
    ref = "LD-" + uuid.uuid4().hex[:8]
    _, outcome, text, *_ = client.request(a["sap_create"], "", sap_create(ref, "Schmidt", f"s-{ref}@example.de"),
                                          binary=True)
    object_id = xml_value(text, "ObjectID")
    c.check(outcome == "ok" and object_id and "LeadByIDResponse" in text, t + "SAP create: LeadByIDResponse", text)
    read = (f'<n0:LeadByIDQuery xmlns:n0="{NS}"><LeadSelectionByID><ID>{ref}</ID>'
            f'</LeadSelectionByID></n0:LeadByIDQuery>')
    _, outcome, text, *_ = client.request(a["sap_read"], "", read)
    c.check(outcome == "ok" and xml_value(text, "ObjectID") == object_id, t + "SAP read by sap:ID", text)
    change = (f'<n0:LeadChangeRequest xmlns:n0="{NS}"><Lead><ObjectID>{object_id}</ObjectID>'
              f'<ChangeStateID>1</ChangeStateID><QualificationLevelCode>02</QualificationLevelCode>'
              f'</Lead></n0:LeadChangeRequest>')
    _, outcome, text, *_ = client.request(a["sap_change"], "", change)
    c.check(outcome == "ok" and xml_value(text, "ChangeStateID") == "2"
            and xml_value(text, "QualificationLevelCode") == "02", t + "SAP change: version 2, warm", text)
    find = (f'<n0:LeadSimpleByElementsQuery xmlns:n0="{NS}"><LeadSimpleSelectionByElements>'
            f'<SelectionByLifeCycleStatusCode>03</SelectionByLifeCycleStatusCode></LeadSimpleSelectionByElements>'
            f'<ProcessingConditions><MaximumNumberValue>500</MaximumNumberValue></ProcessingConditions>'
            f'</n0:LeadSimpleByElementsQuery>')
    _, outcome, text, *_ = client.request(a["sap_find"], "", find)
    c.check(outcome == "ok" and object_id in text and "ReturnedQueryHitsNumberValue" in text,
            t + "SAP find: the qualified lead is among the hits", text)
    broken = f'<n0:LeadCreateRequest xmlns:n0="{NS}"><Lead><ID>{ref}-2</ID><EMail>nope</EMail></Lead>'
    _, outcome, text, state, cond, _ = client.request(a["sap_create"], "", broken)
    c.check(outcome == "invalid", t + "SAP create, broken XML: invalid", text)
    if direct:
        c.check(state == Delivery.REJECTED and cond is not None and cond.description,
                t + "SAP create, broken XML: rejected with a description", (state, cond))
    sap_errors(c, client, a, t, ref)

    # partner scoping: the ACME address sees and changes only ACME's leads
    _, outcome, text, *_ = client.request(a["acme"], "CreateLead", json.dumps(
        {"subject": "ACME lead", "prospect": {"family_name": "Acme", "email": f"a-{ref}@acme.example"}}))
    acme_lead = json.loads(text)
    c.check(outcome == "ok" and acme_lead["owner"]["channel"] == "ACME", t + "partner create: owned by ACME", text)
    _, outcome, text, *_ = client.request(a["acme"], "ReadLead", "", props={"id": lead_id})
    c.check(outcome == "not_found", t + "partner: another's lead reads as not_found", text)
    _, outcome, text, *_ = client.request(a["acme"], "ChangeLead", "{\"subject\":\"mine\"}",
                                          props={"id": lead_id, "version": 2})
    c.check(outcome == "not_found", t + "partner: another's lead cannot be changed (not_found)", text)
    _, outcome, text, *_ = client.request(a["acme"], "FindLeads", "{}")
    items = json.loads(text)["items"]
    c.check(outcome == "ok" and items and all(i["owner"]["channel"] == "ACME" for i in items),
            t + "partner: FindLeads returns only ACME's leads", text)
    _, outcome, text, *_ = client.request(a["acme"], "CreateLead", json.dumps(
        {"subject": "x", "owner": {"channel": "OTHER"}, "prospect": {"family_name": "Y"}}))
    c.check(outcome == "forbidden", t + "partner: creating a lead for another owner is forbidden", text)

    # one-way inbound (no reply_to): a call-centre file as one message, both records stored
    call = uuid.uuid4().hex[:6]
    report = (f'<CallCenterReport center="CC-Nord"><NewLead callId="A{call}"><Agent>Jo</Agent>'
              f'<Contact><LastName>Weber</LastName><Email>w-{call}@example.de</Email></Contact></NewLead>'
              f'<NewLead callId="B{call}"><Agent>Jo</Agent><Contact><LastName>Kurz</LastName></Contact></NewLead>'
              f'</CallCenterReport>')
    _, state, cond = client.send(a["callcenter"], "", report, reply=False)
    if direct:
        c.check(state == Delivery.ACCEPTED, t + "one-way batch message accepted after the commit", (state, cond))
    ok = False
    for _ in range(50):
        _, _, text, *_ = client.request(a["json"], "FindLeads", json.dumps({"ref": f"call-center:B{call}"}))
        if json.loads(text)["items"]:
            ok = True
            break
        time.sleep(0.1)
    c.check(ok, t + "one-way batch: its records are stored", text)
    _, state, cond = client.send(a["callcenter"], "", "<CallCenterReport><NewLead callId=", reply=False)
    if direct:
        c.check(state == Delivery.REJECTED and cond is not None, t + "one-way broken document: rejected", (state, cond))


DIRECT_CONFIG = """
connectors:
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    addresses:
      - {address: leads}
      - {address: acme, partner: ACME}
      - {address: sap.lead.create, mapping: sap-lead-create, reply_mapping: sap-lead-read}
      - {address: sap.lead.change, mapping: sap-lead-change, reply_mapping: sap-lead-read}
      - {address: sap.lead.read, mapping: sap-lead-read}
      - {address: sap.lead.find, mapping: sap-lead-find}
      - {address: callcenter, mapping: call-center-xml}
"""

ADDRESSES = {"json": "leads", "acme": "acme", "sap_create": "sap.lead.create", "sap_change": "sap.lead.change",
             "sap_read": "sap.lead.read", "sap_find": "sap.lead.find", "callcenter": "callcenter"}


def amqp_port(hub):
    """The listener's port of the hub's latest start (a restarted hub keeps its log)."""
    ports = [int(m.group(1)) for m in (re.search(r"info amqp: listening on amqp://[^ ]*:(\d+)", line)
                                       for line in hub.log) if m]
    if not ports:
        raise RuntimeError("no amqp listening line:\n" + "\n".join(hub.log))
    return ports[-1]


def pipelined_order(c, url):
    """AMQP links are ordered: creates, a find, a change and a read sent back to back
    on one link without waiting are answered as if run one after another."""
    client = Client(url)
    _, outcome, text, *_ = client.request("leads", "CreateLead", json.dumps(
        {"subject": "pipelined", "prospect": {"family_name": "Order", "email": "order@example.com"}}))
    lead_id = json.loads(text)["id"]
    campaign = "pipe-" + uuid.uuid4().hex[:8]
    link = client.senders["leads"].link  # the sender request() opened: one link, its order
    names = {}

    def send(name, subject, body, props=None):
        msg_id = str(uuid.uuid4())
        names[msg_id] = name
        link.send(Message(body=body, subject=subject, id=msg_id, properties=props or {}, reply_to=client.reply_to))

    for i in range(3):
        send(f"create {i}", "CreateLead", json.dumps({"subject": f"pipelined {i}", "campaign": campaign,
                                                      "prospect": {"family_name": f"Pipe{i}"}}))
    send("find", "FindLeads", json.dumps({"campaign": campaign}))
    send("change", "ChangeLead", json.dumps({"subject": "changed"}), {"id": lead_id, "version": "1"})
    send("read", "ReadLead", "", {"id": lead_id})
    replies = {}
    for _ in range(len(names)):
        m = client.receive()
        replies[names.get(str(m.correlation_id), "?")] = json.loads(m.body)
    found = replies.get("find", {}).get("items", [])
    c.check(len(found) == 3, "[direct] a find sent right after three creates on one link sees all three",
            json.dumps(replies)[:600])
    read = replies.get("read", {})
    c.check(read.get("version") == 2 and read.get("subject") == "changed",
            "[direct] a read sent right after a change on one link sees the change", json.dumps(read)[:300])
    _, outcome, text, *_ = client.request("leads", "ReadLead", json.dumps({"id": "0AM4ZPAM40000"}), {"id": lead_id})
    c.check(outcome == "invalid" and "differ" in (text or ""),
            "[direct] ReadLead naming two different ids (property and body) is refused, not half-read", text)
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"id": "0AM4ZPAM40000", "subject": "x"}),
                                          {"id": lead_id, "version": "2"})
    c.check(outcome == "invalid" and "property `id`" in (text or "") and "patch's id" in (text or ""),
            "[direct] ChangeLead whose patch names another id than its property is refused naming both", text)
    _, outcome, text, *_ = client.request("leads", "ChangeLead", json.dumps({"version": 1, "subject": "x"}),
                                          {"id": lead_id, "version": "2"})
    c.check(outcome == "invalid" and "patch's version (1)" in (text or ""),
            "[direct] ChangeLead whose patch names another version than its property is refused naming both", text)
    client.close()


def run_direct(c, leadhub):
    hub = Hub(leadhub, DIRECT_CONFIG, name="amqp-direct").start()
    try:
        url = f"amqp://127.0.0.1:{amqp_port(hub)}"
        client = Client(url)
        scenario(c, client, ADDRESSES, "direct", direct=True)
        pipelined_order(c, url)
        # a named reply address instead of a dynamic one
        named = Client(url, reply_address="replies-named")
        _, outcome, text, *_ = named.request("leads", "FindLeads", json.dumps({"limit": 1}))
        c.check(outcome == "ok", "[direct] a named reply address works too", text)
        named.close()
        client.close()
        wrong_protocol(c, hub)
    finally:
        code = hub.stop()
    c.check(code == 0, "[direct] SIGTERM: the hub stops cleanly (exit 0)", "\n".join(hub.log[-20:]))


def wrong_protocol(c, hub):
    """An AMQP 0-9-1 client (pika) pointed at the hub's AMQP 1.0 listener is refused, and
    the hub's log says what it was and where such clients belong; so does curl."""
    import pika  # python3-pika

    port = amqp_port(hub)
    try:
        pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port, connection_attempts=1))
        refused = False
    except Exception:  # pika's IncompatibleProtocolError, whichever subclass
        refused = True
    subprocess.run(["curl", "-s", "-m", "3", f"http://127.0.0.1:{port}/"], capture_output=True)
    deadline = time.time() + 10
    while time.time() < deadline and not any("an HTTP client on the AMQP port" in line for line in hub.log):
        time.sleep(0.05)
    c.check(refused and any("connection refused" in line and "an AMQP 0-9-1 client" in line and "RabbitMQ" in line
                            for line in hub.log),
            "[direct] a pika (AMQP 0-9-1) client is refused; the log names the protocol and where it belongs",
            "\n".join(hub.log[-5:]))
    c.check(any("an HTTP client on the AMQP port" in line for line in hub.log),
            "[direct] curl on the AMQP port: the log says it was HTTP", "\n".join(hub.log[-5:]))


BROKER_CONFIG = """
connectors:
  - name: amqp
    type: amqp
    mode: broker
    url: amqp://127.0.0.1:@PORT@
    reconnect_delay_ms: 100
    reconnect_max_delay_ms: 1000
    users:
      - {user: acme, partner: ACME}
    addresses:
      - {address: /queue/leads}
      - {address: /queue/acme, partner: ACME}
      - {address: /queue/classic.acme, operation: CreateLead, partner: ACME}
      - {address: /queue/sap.lead.create, mapping: sap-lead-create, reply_mapping: sap-lead-read}
      - {address: /queue/sap.lead.change, mapping: sap-lead-change, reply_mapping: sap-lead-read}
      - {address: /queue/sap.lead.read, mapping: sap-lead-read}
      - {address: /queue/sap.lead.find, mapping: sap-lead-find}
      - {address: /queue/callcenter, mapping: call-center-xml}
      - {address: /queue/classic.leads, operation: CreateLead}
      - {address: /queue/classic.read, operation: ReadLead}
      - {address: /queue/classic.change, operation: ChangeLead}
      - {address: /queue/classic.bare}
  - name: rabbit-tls
    type: amqp
    mode: broker
    url: amqps://localhost:@TLSPORT@
    tls_ca: @CERT@
    addresses: [{address: /queue/tls.leads}]
  - name: rabbit-untrusted
    type: amqp
    mode: broker
    url: amqps://localhost:@TLSPORT@
    reconnect_max_delay_ms: 1000
    addresses: [{address: /queue/untrusted}]
"""


def wait_ready(hub, timeout=30, connector="amqp"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(f"info {connector}: connected to" in line or f"info {connector}: reconnected to" in line
               for line in hub.log):
            return
        time.sleep(0.05)
    raise RuntimeError("hub did not connect to the broker:\n" + "\n".join(hub.log))


def run_broker(c, leadhub):
    base = os.path.join(os.getcwd(), "rabbitmq")
    port, tls_port = free_port(), free_port()
    script = os.path.join(REPO, "scripts", "rabbitmq.sh")
    cert, key = self_signed(tempfile.mkdtemp(prefix="leadhub-rabbit-tls-"))
    started = subprocess.run(["bash", script, "start", base, str(port), str(tls_port), cert, key],
                             capture_output=True, text=True)
    if started.returncode != 0:
        c.check(False, "[broker] RabbitMQ starts", started.stderr)
        return
    hub = None
    try:
        # Rejected messages are dead-lettered to <queue>.dead (a policy, as operators would set it).
        for q in ["leads", "sap.lead.create", "callcenter"]:
            subprocess.run(["bash", script, "ctl", base, "set_policy", f"dlx-{q}", f"^{re.escape(q)}$",
                            json.dumps({"dead-letter-exchange": "", "dead-letter-routing-key": q + ".dead"}),
                            "--apply-to", "queues"], check=True, capture_output=True)
        config = (BROKER_CONFIG.replace("@PORT@", str(port)).replace("@TLSPORT@", str(tls_port))
                  .replace("@CERT@", cert))
        hub = Hub(leadhub, config, name="amqp-broker").start()
        wait_ready(hub)
        wait_ready(hub, connector="rabbit-tls")
        url = f"amqp://127.0.0.1:{port}"
        client = Client(url, reply_address="/queue/replies-test")
        dead = client.conn.create_receiver("/queue/leads.dead", credit=10, options=[Durable()])
        a = {k: "/queue/" + v for k, v in ADDRESSES.items()}
        scenario(c, client, a, "broker", direct=False)
        m = dead.receive(timeout=30)
        dead.accept()
        # Only the dead-letter policy routes to leads.dead, and only rejected messages take it.
        c.check("not-an-email" in str(m.body),
                "[broker] the rejected message was dead-lettered to leads.dead", (m.body, m.annotations))
        broker_0_9_1(c, port)
        broker_0_9_1_partner(c, port, base, script)
        broker_tls(c, client, hub)
        broker_restart(c, client, base, port, script, hub)
        client.close()
    finally:
        code = hub.stop() if hub else 0
        subprocess.run(["bash", script, "stop", base], capture_output=True)
    c.check(code == 0, "[broker] SIGTERM: the hub stops cleanly (exit 0)", "\n".join(hub.log[-20:]) if hub else "")


def broker_0_9_1(c, port):
    """A partner on an AMQP 0-9-1 client (pika, as most RabbitMQ users have) sends to the
    queues the hub consumes. RabbitMQ gives the hub such a message with the routing key as
    subject, no headers, and the body as a data section; the replies must come back as
    plain JSON bytes, not encoded AMQP 1.0 sections."""
    import pika  # python3-pika

    conn = pika.BlockingConnection(pika.ConnectionParameters(host="127.0.0.1", port=port))
    ch = conn.channel()
    ch.queue_declare(queue="classic.replies", durable=True)

    def request(queue, body, message_id=None):
        corr = str(uuid.uuid4())
        ch.basic_publish(exchange="", routing_key=queue, body=body,
                         properties=pika.BasicProperties(reply_to="classic.replies", correlation_id=corr,
                                                         message_id=message_id, delivery_mode=2,
                                                         content_type="application/json"))
        deadline = time.time() + 30
        while time.time() < deadline:
            method, props, reply = ch.basic_get("classic.replies", auto_ack=True)
            if method is None:
                time.sleep(0.05)
                continue
            if props.correlation_id == corr:
                return props, reply
        return None, b""

    lead = {"subject": "Sent with pika", "prospect": {"family_name": "Groß", "email": "pika@example.com"}}
    body = json.dumps(lead, ensure_ascii=False).encode("utf-8")
    props, reply = request("classic.leads", body, message_id="pika-order-1")
    try:
        created = json.loads(reply)
    except ValueError:
        created = {}
    c.check(reply[:1] == b"{" and created.get("prospect", {}).get("family_name") == "Groß",
            "[broker 0-9-1] a create from pika is stored; the reply is plain JSON bytes", reply[:200])
    c.check(props is not None and props.content_type == "application/json",
            "[broker 0-9-1] the reply says application/json", props)
    _, again = request("classic.leads", body, message_id="pika-order-1")
    c.check(json.loads(again or b"{}").get("id") == created.get("id"),
            "[broker 0-9-1] a re-sent create (same message id) returns the same lead", again[:200])
    _, read = request("classic.read", json.dumps({"id": created.get("id", "")}).encode())
    c.check(json.loads(read or b"{}").get("id") == created.get("id"),
            "[broker 0-9-1] ReadLead by a body id, through an address whose operation is ReadLead", read[:200])
    # RabbitMQ drops the headers that would carry ChangeLead's id and version: the
    # patch names them itself.
    patch = {"id": created.get("id", ""), "version": 1, "qualification": "hot"}
    _, changed = request("classic.change", json.dumps(patch).encode())
    changed_lead = json.loads(changed or b"{}")
    c.check(changed_lead.get("version") == 2 and changed_lead.get("qualification") == "hot",
            "[broker 0-9-1] ChangeLead with id and version in the patch", changed[:300])
    _, stale = request("classic.change", json.dumps(patch).encode())
    c.check(json.loads(stale or b"{}").get("code") == "conflict",
            "[broker 0-9-1] the same patch again: conflict (version 1 is stale)", stale[:300])
    _, bad = request("classic.leads", b'{"subject": "x", "prospect": {"email": "not-an-email"}}')
    c.check(json.loads(bad or b"{}").get("code") == "invalid" and b"prospect.email" in bad,
            "[broker 0-9-1] invalid input: a plain JSON error naming the field", bad[:200])
    _, bare = request("classic.bare", body)
    c.check(b"'classic.bare' is not an operation" in bare and b"operation:" in bare,
            "[broker 0-9-1] an address without `operation:` refuses the routing-key subject, saying what to set",
            bare[:300])
    conn.close()


def broker_0_9_1_partner(c, port, base, script):
    """A partner on pika logged in as its own RabbitMQ user: RabbitMQ 3.10 checks the
    user_id it sets but hands it to the hub empty, so `users:` cannot scope it; a queue
    of its own (the address's `partner:`) does."""
    import pika  # python3-pika

    subprocess.run(["bash", script, "ctl", base, "add_user", "acme", "acme-secret"], check=True, capture_output=True)
    subprocess.run(["bash", script, "ctl", base, "set_permissions", "-p", "/", "acme", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    conn = pika.BlockingConnection(pika.ConnectionParameters(
        host="127.0.0.1", port=port, credentials=pika.PlainCredentials("acme", "acme-secret")))
    ch = conn.channel()
    ch.queue_declare(queue="acme.replies", durable=True)

    def create(queue, owner):
        corr = str(uuid.uuid4())
        lead = {"subject": "pika partner", "prospect": {"family_name": "P"}}
        if owner:
            lead["owner"] = {"channel": owner}
        ch.basic_publish(exchange="", routing_key=queue, body=json.dumps(lead),
                         properties=pika.BasicProperties(reply_to="acme.replies", correlation_id=corr,
                                                         user_id="acme", delivery_mode=2))
        deadline = time.time() + 30
        while time.time() < deadline:
            method, props, reply = ch.basic_get("acme.replies", auto_ack=True)
            if method is not None and props.correlation_id == corr:
                return json.loads(reply)
            time.sleep(0.05)
        return {}

    unscoped = create("classic.leads", "OTHER")
    c.check(unscoped.get("owner", {}).get("channel") == "OTHER",
            "[broker 0-9-1] user_id from pika does not reach the hub: `users:` leaves the message unscoped "
            "(docs/amqp.md says so)", unscoped)
    own = create("classic.acme", None)
    refused = create("classic.acme", "OTHER")
    c.check(own.get("owner", {}).get("channel") == "ACME" and refused.get("code") == "forbidden",
            "[broker 0-9-1] a partner queue (`partner: ACME`) scopes pika's messages", (own, refused))
    conn.close()


def broker_tls(c, client, hub):
    """The hub's TLS connection to the broker (verified against the self-signed CA)
    carries requests; a connector that trusts only the system's CAs is refused."""
    _, outcome, text, *_ = client.request("/queue/tls.leads", "CreateLead", json.dumps(
        {"subject": "via TLS", "prospect": {"family_name": "Tls"}}))
    c.check(outcome == "ok", "[broker] the hub consumes over TLS (broker certificate verified)", text)
    refused = [line for line in hub.log if "rabbit-untrusted" in line and "certificate verify failed" in line]
    c.check(bool(refused) and not any("info rabbit-untrusted: connected" in line for line in hub.log),
            "[broker] TLS to a broker whose certificate is not trusted: refused",
            "\n".join(line for line in hub.log if "rabbit-untrusted" in line)[-2000:])


def broker_restart(c, client, base, port, script, hub):
    """A stream of one-way creates with the broker restarted in the middle: every
    message stored exactly once (the message id is the idempotency key)."""
    tag = uuid.uuid4().hex[:8]
    n = 300
    for i in range(n):
        lead = {"subject": f"stream {i}", "campaign": tag, "prospect": {"family_name": f"S{i}"}}
        client.send("/queue/leads", "CreateLead", json.dumps(lead), msg_id=f"{tag}-{i}", reply=False)
    client.close()
    subprocess.run(["bash", script, "ctl", base, "stop_app"], check=True, capture_output=True)
    time.sleep(1)
    subprocess.run(["bash", script, "ctl", base, "start_app"], check=True, capture_output=True)
    lost = [line for line in hub.log if "broker connection lost" in line]
    c.check(bool(lost), "[broker] the hub saw the broker go away", "\n".join(hub.log[-10:]))
    deadline = time.time() + 60
    count = -1
    while time.time() < deadline:
        try:
            probe = Client(f"amqp://127.0.0.1:{port}", reply_address="/queue/replies-probe")
            _, _, text, *_ = probe.request("/queue/leads", "FindLeads", json.dumps({"campaign": tag, "limit": 1000}))
            probe.close()
            count = len(json.loads(text)["items"])
            if count >= n:
                break
        except Exception:  # the broker or the hub's link still coming back
            pass
        time.sleep(0.5)
    c.check(count == n, f"[broker] restart mid-stream: {n} creates, {count} leads stored (none lost, none twice)")
    c.check(any("reconnected to" in line for line in hub.log), "[broker] the hub reconnected",
            "\n".join(hub.log[-10:]))


SASL_CONFIG = """
connectors:
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    users:
      - {user: acme, partner: ACME, password_sha256: @ACME@}
      - {user: ops, password_sha256: @OPS@}
    addresses: [{address: leads}]
"""


def run_sasl(c, leadhub):
    """SASL PLAIN on the listener: a login acts for its partner, wrong passwords and
    anonymous clients are refused (with logins configured, only PLAIN is offered)."""
    config = SASL_CONFIG.replace("@ACME@", hashlib.sha256(b"acme-secret").hexdigest()).replace(
        "@OPS@", hashlib.sha256(b"ops-secret").hexdigest().upper())
    hub = Hub(leadhub, config, name="amqp-sasl").start()
    try:
        url = f"amqp://127.0.0.1:{amqp_port(hub)}"
        ops = Client(url, user="ops", password="ops-secret")
        _, outcome, text, *_ = ops.request("leads", "CreateLead", json.dumps(
            {"subject": "ops lead", "prospect": {"family_name": "Ops"}}))
        c.check(outcome == "ok" and json.loads(text).get("owner", {}).get("channel") != "ACME",
                "[sasl] PLAIN login ops (no partner): an unscoped create", text)
        ops_lead = json.loads(text)["id"]
        acme = Client(url, user="acme", password="acme-secret")
        _, outcome, text, *_ = acme.request("leads", "CreateLead", json.dumps(
            {"subject": "acme lead", "prospect": {"family_name": "Acme"}}))
        c.check(outcome == "ok" and json.loads(text)["owner"]["channel"] == "ACME",
                "[sasl] PLAIN login acme acts for partner ACME: its create is owned by ACME", text)
        _, outcome, text, *_ = acme.request("leads", "ReadLead", "", props={"id": ops_lead})
        c.check(outcome == "not_found", "[sasl] acme cannot read a lead of another owner", text)
        _, outcome, text, *_ = acme.request("leads", "FindLeads", "{}")
        items = json.loads(text)["items"]
        c.check(outcome == "ok" and items and all(i["owner"]["channel"] == "ACME" for i in items),
                "[sasl] acme's FindLeads returns only ACME's leads", text)
        _, outcome, text, *_ = ops.request("leads", "ReadLead", "", props={"id": ops_lead})
        c.check(outcome == "ok", "[sasl] ops (unscoped) reads its lead", text)
        # Message ids are unique per sender only: two logins that both send "order-1"
        # each get their own lead (the second got the first's reply, lead and all).
        _, outcome, text, *_ = ops.request("leads", "CreateLead", json.dumps(
            {"subject": "ops order 1", "prospect": {"family_name": "OpsOrder"}}), msg_id="order-1")
        ops_order = json.loads(text) if outcome == "ok" else {}
        _, outcome, text, *_ = acme.request("leads", "CreateLead", json.dumps(
            {"subject": "acme order 1", "prospect": {"family_name": "AcmeOrder"}}), msg_id="order-1")
        acme_order = json.loads(text) if outcome == "ok" else {}
        c.check(acme_order.get("subject") == "acme order 1" and acme_order.get("id") != ops_order.get("id")
                and acme_order.get("owner", {}).get("channel") == "ACME",
                "[sasl] the same message id from another login makes its own lead, not the first login's", text)
        _, outcome, text, *_ = acme.request("leads", "CreateLead", json.dumps(
            {"subject": "acme order 1", "prospect": {"family_name": "AcmeOrder"}}), msg_id="order-1")
        c.check(outcome == "ok" and json.loads(text).get("id") == acme_order.get("id"),
                "[sasl] ... while the same login's resend returns its lead again", text)
        acme.close()
        ops.close()
        for what, kw in [("a wrong password", {"user": "acme", "password": "guess"}),
                         ("an unknown user", {"user": "mallory", "password": "acme-secret"}),
                         ("an anonymous client", {})]:
            try:
                Client(url, **kw).close()
                refused, detail = False, "connected"
            except Exception as e:  # noqa: BLE001 - proton raises ConnectionException or a timeout
                refused, detail = True, repr(e)
            c.check(refused, f"[sasl] {what} is refused", detail)
            print("     " + detail[:200])
    finally:
        code = hub.stop()
    c.check(code == 0, "[sasl] the hub stops cleanly", "\n".join(hub.log[-20:]))


def self_signed(folder, name="localhost"):
    """A self-signed certificate for NAME (openssl CLI): (certificate, key) paths."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", key,
                    "-out", cert, "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
                   check=True, capture_output=True)
    os.chmod(key, 0o644)  # RabbitMQ runs as the same user, but keep it simple to read
    return cert, key


def client_tls(cert):
    domain = SSLDomain(SSLDomain.MODE_CLIENT)
    domain.set_trusted_ca_db(cert)
    domain.set_peer_authentication(SSLDomain.VERIFY_PEER_NAME)
    return {"ssl_domain": domain, "sni": "localhost"}


TLS_CONFIG = """
connectors:
  - name: amqp
    type: amqp
    listen: 127.0.0.1:0
    tls_certificate: @CERT@
    tls_private_key: @KEY@
    users:
      - {user: acme, partner: ACME, password_sha256: @ACME@}
    addresses: [{address: leads}]
"""


def run_tls(c, leadhub):
    """The listener with a self-signed certificate: a client that trusts it logs in with
    PLAIN over TLS; plain TCP and clients that do not trust the certificate are refused."""
    folder = tempfile.mkdtemp(prefix="leadhub-amqp-tls-")
    cert, key = self_signed(folder)
    config = (TLS_CONFIG.replace("@CERT@", cert).replace("@KEY@", key)
              .replace("@ACME@", hashlib.sha256(b"acme-secret").hexdigest()))
    hub = Hub(leadhub, config, name="amqp-tls").start()
    try:
        port = amqp_port(hub)
        acme = Client(f"amqps://127.0.0.1:{port}", user="acme", password="acme-secret", **client_tls(cert))
        _, outcome, text, *_ = acme.request("leads", "CreateLead", json.dumps(
            {"subject": "over TLS", "prospect": {"family_name": "Tls"}}))
        c.check(outcome == "ok" and json.loads(text)["owner"]["channel"] == "ACME",
                "[tls] PLAIN over TLS (certificate verified): create owned by ACME", text)
        acme.close()
        other, _ = self_signed(tempfile.mkdtemp(prefix="leadhub-amqp-tls-other-"))
        for what, url, kw in [("plain TCP", f"amqp://127.0.0.1:{port}", {}),
                              ("a client not trusting the certificate", f"amqps://127.0.0.1:{port}",
                               client_tls(other))]:
            try:
                Client(url, user="acme", password="acme-secret", **kw).close()
                refused, detail = False, "connected"
            except Exception as e:  # noqa: BLE001 - proton raises ConnectionException or a timeout
                refused, detail = True, repr(e)
            c.check(refused, f"[tls] {what} is refused", detail)
    finally:
        code = hub.stop()
    c.check(code == 0, "[tls] the hub stops cleanly", "\n".join(hub.log[-20:]))


def main():
    leadhub = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    c = Checks()
    if which in ("direct", "all"):
        run_direct(c, leadhub)
    if which in ("broker", "all"):
        run_broker(c, leadhub)
    if which in ("sasl", "all"):
        run_sasl(c, leadhub)
        run_tls(c, leadhub)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The SAP-style lead interface: schemas, fixtures and mappings, end to end.

Usage: sap_test.py PATH_TO_LEADHUB REPO_ROOT

  (a) every fixture in tests/fixtures/sap validates against schemas/sap/<root>.xsd with
      xmllint, and every *-invalid.xml fixture fails it;
  (b) `leadhub map` with sap-lead-create.yaml / sap-lead-change.yaml turns the good
      samples into the expected canonical commands and the bad ones into errors that
      name the source element and the canonical field;
  (c) on a temporary store: import the good create sample (3 leads, idempotent on
      resend), change one lead by its SAP ID with ChangeStateID 1 (it becomes
      qualified), and see the same change refused the second time (stale version);
  (d) `leadhub map` of the read and find queries gives the expected target / query.

Each check prints "ok" or "FAIL"; the exit code is 1 when any check failed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

if len(sys.argv) != 3:
    sys.exit("usage: sap_test.py PATH_TO_LEADHUB REPO_ROOT")

LEADHUB = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "sap")
SCHEMAS = os.path.join(ROOT, "schemas", "sap")
MAPPINGS = os.path.join(ROOT, "config", "mappings")
NS = "http://leadhub.example/sap/lead"
WORK = tempfile.mkdtemp(prefix="leadhub-sap-")
failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        if detail:
            print("     " + str(detail).replace("\n", "\n     "))
        failures.append(what)
    return cond


def fixture(name):
    return os.path.join(FIXTURES, name)


def mapping(name):
    return os.path.join(MAPPINGS, name + ".yaml")


def leadhub(*args, data=None):
    cmd = [LEADHUB, "--data", data or os.path.join(WORK, "unused")] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def run_map(mapping_name, fixture_name):
    """`leadhub map`: (exit code, records by location order, summary, stderr)."""
    p = leadhub("map", "--mapping", mapping(mapping_name), fixture(fixture_name))
    records, summary = [], None
    for line in p.stdout.splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        if "summary" in doc:
            summary = doc["summary"]
        else:
            records.append(doc)
    return p.returncode, records, summary, p.stderr


def errors_of(record):
    return [(e.get("source", ""), e.get("field", ""), e.get("reason", "")) for e in record.get("errors", [])]


def has_error(record, source, field):
    """An error naming this source element and this canonical field (field: prefix match,
    so "external_refs" matches "external_refs[0].id")."""
    return any(s == source and f.startswith(field) for s, f, _ in errors_of(record))


def get(doc, path):
    for part in path.split("."):
        if isinstance(doc, list):
            doc = doc[int(part)] if part.isdigit() and int(part) < len(doc) else None
        elif isinstance(doc, dict):
            doc = doc.get(part)
        else:
            return None
    return doc


def expect_fields(lead, expected, who):
    for path, want in expected.items():
        got = get(lead, path)
        check(got == want, f"{who}: {path} = {want!r}", f"got {got!r}")


# ---------------------------------------------------------------------------------
# (a) fixtures against their XSDs
# ---------------------------------------------------------------------------------
print("== (a) fixtures validate against schemas/sap/*.xsd")

MESSAGES = {
    # request type: the fixtures that must exist (good, semantically bad, schema-invalid)
    "LeadCreateRequest": ["good", "bad", "invalid"],
    "LeadChangeRequest": ["good", "bad", "invalid"],
    "LeadByIDQuery": ["good", "bad", "invalid"],
    "LeadSimpleByElementsQuery": ["good", "bad", "invalid"],
    # responses: at least the plain sample
    "LeadCreateConfirmation": [""],
    "LeadChangeConfirmation": [""],
    "LeadByIDResponse": [""],
    "LeadSimpleByElementsResponse": [""],
}
for message, kinds in MESSAGES.items():
    check(os.path.isfile(os.path.join(SCHEMAS, message + ".xsd")), f"schemas/sap/{message}.xsd exists")
    for kind in kinds:
        name = message + ("-" + kind if kind else "") + ".xml"
        check(os.path.isfile(fixture(name)), f"fixture {name} exists")

xmllint = shutil.which("xmllint")
if not check(xmllint is not None, "xmllint is installed (libxml2-utils)"):
    xmllint = "xmllint"


def xmllint_schema(xsd, xml_path):
    return subprocess.run([xmllint, "--noout", "--nonet", "--schema", xsd, xml_path],
                          capture_output=True, text=True, timeout=60)


for name in sorted(os.listdir(FIXTURES)):
    if not name.endswith(".xml"):
        continue
    path = fixture(name)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        check(False, f"{name}: well-formed XML", e)
        continue
    m = re.fullmatch(r"\{([^}]*)\}(.+)", root.tag)
    ns, local = (m.group(1), m.group(2)) if m else ("", root.tag)
    xsd = os.path.join(SCHEMAS, local + ".xsd")
    if not check(ns == NS and (name == local + ".xml" or name.startswith(local + "-")) and os.path.isfile(xsd),
                 f"{name}: root {local} in {NS}, file named after it, schemas/sap/{local}.xsd exists",
                 f"root {root.tag}"):
        continue
    p = xmllint_schema(xsd, path)
    if "-invalid" in name:
        check(p.returncode != 0 and "fails to validate" in p.stderr,
              f"{name}: is refused by {local}.xsd", p.stderr.strip())
    else:
        check(p.returncode == 0, f"{name}: validates against {local}.xsd", p.stderr.strip())

# Only the root element is qualified: the same message with a default namespace
# (which qualifies every child) is not valid.
with open(fixture("LeadCreateRequest-good.xml"), encoding="utf-8") as f:
    text = f.read()
default_ns = os.path.join(WORK, "default-namespace.xml")
with open(default_ns, "w", encoding="utf-8") as f:
    f.write(text.replace("xmlns:n0=", "xmlns=").replace("<n0:", "<").replace("</n0:", "</"))
p = xmllint_schema(os.path.join(SCHEMAS, "LeadCreateRequest.xsd"), default_ns)
check(p.returncode != 0, "a default namespace (qualified children) is refused by the schema", p.stderr.strip())

# ---------------------------------------------------------------------------------
# (b) mapping: create and change
# ---------------------------------------------------------------------------------
print("== (b) leadhub map: sap-lead-create / sap-lead-change")

rc, recs, summary, err = run_map("sap-lead-create", "LeadCreateRequest-good.xml")
check(rc == 0 and summary and summary["records"] == 3 and summary["ok"] == 3,
      "create good: 3 leads mapped, none failed", f"exit {rc}, summary {summary}, stderr {err}, records {recs}")
leads = [r.get("lead") or {} for r in recs] + [{}] * 3
check(all(r.get("operation") == "create" for r in recs), "create good: every record is a create")
expect_fields(leads[0], {
    "subject": "Wärmepumpe für Einfamilienhaus",
    "status": "open",                      # 01
    "priority": "high",                    # 2
    "source": "web_form",                  # 001
    "campaign": "SHK-2026-Q4",
    "external_refs": [{"system": "sap", "id": "LD-100001"}],
    "prospect.kind": "person",
    "prospect.given_name": "Anna",
    "prospect.family_name": "Müller",
    "prospect.email": "anna.mueller@example.com",
    "prospect.phone": "+49301234567",      # 030 1234567 in DE
    "prospect.address.street": "Schloßstraße 12",
    "prospect.address.country": "DE",
    "interests": [{"product": "WP-200", "quantity": 1}, {"product": "SERVICE-PLAN-5Y", "quantity": 1}],
    "expected_value": {"amount": "18900.00", "currency": "EUR"},
    "notes.0.text": "Rückruf erwünscht, am liebsten vormittags.",
}, "create Lead[1]")
check(get(leads[0], "qualification") is None, "create Lead[1]: no qualification (none sent)")
expect_fields(leads[1], {
    "status": "qualified",                 # 02 in_process, but a qualification (03) on an
    "qualification": "hot",                # open or in-process lead makes it qualified
    "priority": "immediate",               # 1
    "source": "trade_show",                # 005
    "external_refs": [{"system": "sap", "id": "LD-100002"}],
    "prospect.kind": "organization",
    "prospect.company": "Bäckerei Öztürk GmbH",
    "prospect.given_name": "Jürgen",
    "prospect.family_name": "Weiß",
    "prospect.phone": "+492219876543",     # 0221 / 98 76 54-3
    "prospect.address.city": "Köln",
    "interests": [{"product": "OFEN-X3", "quantity": 2}],   # 2.000 EA
    "expected_value.currency": "EUR",
}, "create Lead[2]")
check(get(leads[1], "expected_value.amount") in ("12500.5", "12500.50"), "create Lead[2]: amount 12500.5",
      get(leads[1], "expected_value.amount"))
expect_fields(leads[2], {
    "status": "qualified",                 # 03
    "qualification": "cold",               # 01
    "priority": "low",                     # 7
    "source": "partner",                   # no OriginTypeCode
    "external_refs": [{"system": "sap", "id": "LD-100003"}],
    "prospect.given_name": "Zoë",
    "prospect.family_name": "Grünwald-Österreicher",
    "prospect.phone": "+4315861234",       # 01 5861234 read in AT (CountryCode), not DE
    "prospect.address.country": "AT",
    "prospect.address.city": "Wien",
}, "create Lead[3]")
check(get(leads[2], "interests") is None, "create Lead[3]: no interests (no Item)")

rc, recs, summary, err = run_map("sap-lead-create", "LeadCreateRequest-bad.xml")
check(rc == 1 and summary and summary["records"] == 4 and summary["failed"] == 3,
      "create bad: 3 of 4 leads fail, exit 1", f"exit {rc}, summary {summary}, stderr {err}")
recs += [{}] * 4
check(has_error(recs[0], "LifeCycleStatusCode", "status") and "'99'" in json.dumps(recs[0], ensure_ascii=False),
      "create bad Lead[1]: unknown status code 99 -> LifeCycleStatusCode / status", recs[0])
check(has_error(recs[1], "EMail", "prospect.email"), "create bad Lead[2]: bad e-mail -> EMail / prospect.email", recs[1])
check(has_error(recs[2], "ContactLastName", "prospect.family_name"),
      "create bad Lead[3]: neither last name nor company -> ContactLastName / prospect.family_name", recs[2])
check("lead" in recs[3] and get(recs[3], "lead.prospect.company") == "Gärtnerei Blümlein KG"
      and get(recs[3], "lead.prospect.kind") == "organization",
      "create bad Lead[4]: a company without contact name is fine", recs[3])
check(all(len(r.get("errors", [])) <= 1 for r in recs[:3]), "create bad: one error per bad lead (no follow-on noise)",
      [errors_of(r) for r in recs[:3]])

rc, recs, summary, err = run_map("sap-lead-create", "LeadCreateRequest-invalid.xml")
recs += [{}] * 4
check(rc == 1 and summary and summary["failed"] == 4, "create invalid: the mapping refuses all 4 schema-invalid leads",
      f"exit {rc}, summary {summary}, {err}")
check(has_error(recs[0], "ID", "external_refs"), "create invalid Lead[1]: missing ID -> ID / external_refs.id", recs[0])
check(has_error(recs[1], "LifeCycleStatusCode", "status"), "create invalid Lead[2]: status OPEN -> LifeCycleStatusCode / status", recs[1])
check(has_error(recs[2], "Quantity", "interests"), "create invalid Lead[3]: quantity zwei -> Quantity / interests.quantity", recs[2])
check(has_error(recs[3], "ExpectedRevenueAmount/@currencyCode", "expected_value.currency"),
      "create invalid Lead[4]: no currencyCode -> @currencyCode / expected_value.currency", recs[3])

# Unknown OriginTypeCode (a customer Z-code): source partner, the code kept as an attribute.
with open(fixture("LeadCreateRequest-good.xml"), encoding="utf-8") as f:
    text = f.read()
zcode = os.path.join(WORK, "zcode.xml")
with open(zcode, "w", encoding="utf-8") as f:
    f.write(text.replace("<OriginTypeCode>001</OriginTypeCode>", "<OriginTypeCode>Z42</OriginTypeCode>"))
p = leadhub("map", "--mapping", mapping("sap-lead-create"), zcode)
first = json.loads(p.stdout.splitlines()[0]) if p.stdout else {}
check(get(first, "lead.source") == "partner" and get(first, "lead.attributes.sap_origin_type_code") == "Z42",
      "create: unknown OriginTypeCode Z42 -> source partner, attributes.sap_origin_type_code Z42", first)
second = json.loads(p.stdout.splitlines()[1]) if p.stdout else {}
check(get(second, "lead.attributes") is None, "create: a listed OriginTypeCode leaves no attribute", second)

rc, recs, summary, err = run_map("sap-lead-change", "LeadChangeRequest-good.xml")
r = recs[0] if recs else {}
check(rc == 0 and r.get("operation") == "change", "change good: one change, no errors", f"exit {rc} {recs} {err}")
check(r.get("target_ref") == {"system": "sap", "id": "LD-100001"}, "change good: target by sap:LD-100001", r)
check(r.get("expected_version") == 1, "change good: ChangeStateID 1 -> expected version 1", r)
check(r.get("patch") == {"qualification": "hot"}, "change good: the patch holds only QualificationLevelCode 03 -> hot", r)

rc, recs, summary, err = run_map("sap-lead-change", "LeadChangeRequest-objectid.xml")
recs += [{}] * 2
check(rc == 0, "change by ObjectID: both changes map", f"exit {rc} {recs} {err}")
check(recs[0].get("target_id") == "0AM50WQYR0000" and "target_ref" not in recs[0] and recs[0].get("expected_version") == 4,
      "change by ObjectID: target id, version 4", recs[0])
check(recs[0].get("patch") == {"priority": "immediate",
                               "prospect": {"address": {"street": "Leopoldstraße 7", "postal_code": "80802",
                                                        "city": "München", "country": "DE"},
                                            "phone": "+49891234567"},
                               "interests": [{"product": "WP-300", "quantity": 3}]},
      "change by ObjectID: exactly the fields sent (priority, address, phone, items)", recs[0].get("patch"))
check(recs[1].get("target_id") == "0AM50WQYR0001" and "target_ref" not in recs[1],
      "change by ObjectID: lower-case ObjectID read; ObjectID wins over ID", recs[1])
check(recs[1].get("patch") == {"status": "declined", "reason": "Bought elsewhere"},
      "change by ObjectID: 06 + ResultReasonCode 003 -> declined, reason", recs[1].get("patch"))

rc, recs, summary, err = run_map("sap-lead-change", "LeadChangeRequest-bad.xml")
recs += [{}] * 4
check(rc == 1 and summary and summary["failed"] == 4, "change bad: all 4 changes refused", f"exit {rc} {summary} {err}")
check(has_error(recs[0], "LifeCycleStatusCode", "status"), "change bad Lead[1]: status 99 -> LifeCycleStatusCode / status", recs[0])
check(has_error(recs[1], "EMail", "prospect.email"), "change bad Lead[2]: bad e-mail -> EMail / prospect.email", recs[1])
check(has_error(recs[2], "ChangeStateID", "target.version"),
      "change bad Lead[3]: SAP timestamp ChangeStateID -> ChangeStateID / target.version", recs[2])
check(has_error(recs[3], "ObjectID", "target.id"), "change bad Lead[4]: not a leadhub id -> ObjectID / target.id", recs[3])

rc, recs, summary, err = run_map("sap-lead-change", "LeadChangeRequest-invalid.xml")
recs += [{}] * 4
check(rc == 1 and summary and summary["failed"] == 4, "change invalid: the mapping refuses all 4 schema-invalid changes",
      f"exit {rc} {summary} {err}")
check(any(f == "target.id" for _, f, _ in errors_of(recs[0])), "change invalid Lead[1]: no ObjectID/ID -> target.id", recs[0])
check(has_error(recs[1], "ChangeStateID", "target.version"), "change invalid Lead[2]: no ChangeStateID -> target.version", recs[1])
check(has_error(recs[2], "PriorityCode", "priority"), "change invalid Lead[3]: priority 12 -> PriorityCode / priority", recs[2])
check(any(s == "Note" for s, _, _ in errors_of(recs[3])), "change invalid Lead[4]: a Note is refused, not dropped", recs[3])

# ---------------------------------------------------------------------------------
# (c) end to end on a temporary store
# ---------------------------------------------------------------------------------
print("== (c) import create, change by sap:ID, stale change refused")

DATA = os.path.join(WORK, "data")


def import_file(mapping_name, path):
    p = leadhub("import", "--mapping", mapping(mapping_name), path, data=DATA)
    try:
        return p.returncode, json.loads(p.stdout.strip().splitlines()[-1]), p.stderr
    except (ValueError, IndexError):
        return p.returncode, {}, p.stdout + p.stderr


def find_ref(ref):
    p = leadhub("lead", "find", "--ref", "sap:" + ref, data=DATA)
    try:
        items = json.loads(p.stdout)["items"]
    except (ValueError, KeyError):
        items = []
    check(p.returncode == 0 and len(items) == 1, f"lead find --ref sap:{ref} finds one lead", p.stdout + p.stderr)
    return items[0] if items else {}


rc, s, err = import_file("sap-lead-create", fixture("LeadCreateRequest-good.xml"))
check(rc == 0 and s.get("created") == 3 and s.get("rejected") == 0, "import create good: 3 leads created", f"{rc} {s} {err}")
rc, s, err = import_file("sap-lead-create", fixture("LeadCreateRequest-good.xml"))
check(rc == 0 and s.get("created") == 0 and s.get("duplicates") == 3,
      "import create good again: 3 duplicates, nothing new (sap:ID identifies the lead)", f"{rc} {s} {err}")

before = find_ref("LD-100001")
expect_fields(before, {"version": 1, "status": "open", "priority": "high", "source": "web_form",
                       "prospect.phone": "+49301234567"}, "stored LD-100001")
check(get(before, "notes.0.at") not in (None, "1970-01-01T00:00:00.000Z"), "stored LD-100001: the note got a time",
      get(before, "notes"))
lead2 = find_ref("LD-100002")
expect_fields(lead2, {"status": "qualified", "qualification": "hot"}, "stored LD-100002 (hot at creation)")
lead3 = find_ref("LD-100003")
expect_fields(lead3, {"status": "qualified", "source": "partner", "prospect.address.country": "AT"}, "stored LD-100003")

rc, s, err = import_file("sap-lead-create", fixture("LeadCreateRequest-bad.xml"))
reasons = " | ".join(e.get("reason", "") for e in s.get("errors", []))
check(rc == 1 and s.get("created") == 1 and s.get("rejected") == 3, "import create bad: 1 created, 3 rejected",
      f"{rc} {s} {err}")
for source, field in (("LifeCycleStatusCode", "status"), ("EMail", "prospect.email"),
                      ("ContactLastName", "prospect.family_name")):
    check(f"source '{source}' -> {field}" in reasons, f"import create bad: rejection names {source} -> {field}", reasons)

change = fixture("LeadChangeRequest-good.xml")
rc, s, err = import_file("sap-lead-change", change)
check(rc == 0 and s.get("changed") == 1 and s.get("rejected") == 0, "import change (sap:LD-100001, ChangeStateID 1): changed 1",
      f"{rc} {s} {err}")
after = find_ref("LD-100001")
expect_fields(after, {"version": 2, "qualification": "hot", "status": "qualified"}, "changed LD-100001")
for path in ("subject", "priority", "source", "campaign", "prospect", "interests", "expected_value", "notes",
             "external_refs", "created_at"):
    check(get(after, path) == get(before, path), f"changed LD-100001: {path} unchanged (not in the message)",
          f"{get(before, path)!r} -> {get(after, path)!r}")

rc, s, err = import_file("sap-lead-change", change)
reasons = " | ".join(e.get("reason", "") for e in s.get("errors", []))
check(rc == 1 and s.get("rejected") == 1 and not s.get("changed"),
      "the same change again is refused (stale ChangeStateID)", f"{rc} {s} {err}")
check("version 2, not 1" in reasons, "the refusal is a version conflict (at version 2, not 1)", reasons)
check(find_ref("LD-100001").get("version") == 2, "LD-100001 is still at version 2")

# ---------------------------------------------------------------------------------
# (d) map: read and find queries
# ---------------------------------------------------------------------------------
print("== (d) leadhub map: sap-lead-read / sap-lead-find")

rc, recs, summary, err = run_map("sap-lead-read", "LeadByIDQuery-good.xml")
r = recs[0] if recs else {}
check(rc == 0 and r.get("operation") == "read" and r.get("target_id") == "0AM50WQYR0000" and "target_ref" not in r,
      "read by ObjectID: target id 0AM50WQYR0000", f"{rc} {recs} {err}")
rc, recs, summary, err = run_map("sap-lead-read", "LeadByIDQuery-byid.xml")
r = recs[0] if recs else {}
check(rc == 0 and r.get("operation") == "read" and r.get("target_ref") == {"system": "sap", "id": "LD-100002"}
      and "target_id" not in r, "read by ID: target sap:LD-100002", f"{rc} {recs} {err}")
rc, recs, summary, err = run_map("sap-lead-read", "LeadByIDQuery-bad.xml")
r = recs[0] if recs else {}
check(rc == 1 and has_error(r, "ObjectID", "target.id"), "read bad: not a leadhub id -> ObjectID / target.id", f"{rc} {recs}")
rc, recs, summary, err = run_map("sap-lead-read", "LeadByIDQuery-invalid.xml")
r = recs[0] if recs else {}
check(rc == 1 and any(f == "target.id" for _, f, _ in errors_of(r)), "read invalid: no ObjectID or ID -> target.id",
      f"{rc} {recs}")

rc, recs, summary, err = run_map("sap-lead-find", "LeadSimpleByElementsQuery-good.xml")
r = recs[0] if recs else {}
check(rc == 0 and r.get("operation") == "find" and not r.get("errors"), "find good: one find, no errors", f"{rc} {recs} {err}")
q = r.get("query")
if check(isinstance(q, dict), "find good: map prints the query",
         f"record printed: {r}\n(app/cli_map.cpp write_record prints target/patch but no 'query' for a find)"):
    check(q.get("status") == "in_process", "find good: SelectionByLifeCycleStatusCode 02 -> status in_process", q)
    check((q.get("owner") or q.get("owner_channel")) == "dealer-berlin-north", "find good: owner dealer-berlin-north", q)
    check(q.get("changed_since") in ("2026-10-31T23:00:00.000Z", "2026-10-31T23:00:00Z"),
          "find good: changed_since 2026-11-01T00:00:00+01:00 -> 2026-10-31T23:00:00.000Z", q)
    check(str(q.get("limit")) == "50", "find good: limit 50", q)
    check(q.get("after") == "0AM50WQYR0000", "find good: after 0AM50WQYR0000", q)
rc, recs, summary, err = run_map("sap-lead-find", "LeadSimpleByElementsQuery-bad.xml")
r = recs[0] if recs else {}
check(rc == 1 and has_error(r, "LeadSimpleSelectionByElements/SelectionByLifeCycleStatusCode", "query.status"),
      "find bad: status 99 -> SelectionByLifeCycleStatusCode / query.status", f"{rc} {recs}")
check(has_error(r, "LeadSimpleSelectionByElements/SelectionByChangedSince", "query.changed_since"),
      "find bad: time without offset -> SelectionByChangedSince / query.changed_since", r)
rc, recs, summary, err = run_map("sap-lead-find", "LeadSimpleByElementsQuery-invalid.xml")
r = recs[0] if recs else {}
check(rc == 1 and has_error(r, "LeadSimpleSelectionByElements/SelectionByChangedSince", "query.changed_since")
      and has_error(r, "ProcessingConditions/MaximumNumberValue", "query.limit"),
      "find invalid: German date and negative page size are refused", f"{rc} {recs}")

shutil.rmtree(WORK, ignore_errors=True)
print()
if failures:
    print(f"{len(failures)} check(s) FAILED:")
    for f in failures:
        print("  - " + f)
    sys.exit(1)
print("all SAP mapping checks passed")

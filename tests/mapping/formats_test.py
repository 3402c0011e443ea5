#!/usr/bin/python3
"""Partner formats through their mappings, end to end.

Usage: formats_test.py PATH_TO_LEADHUB REPO_ROOT

For each format (web form, lettershop XML, call centre XML, TMF699 SalesLead JSON,
BIAN Lead/Opportunity JSON) this checks that
  1. the fixtures validate against the format's schema (XSD via `xmllint --noout
     --schema`, JSON Schema 2020-12 via python3-jsonschema), and the bad ones do not
     where the schema can tell;
  2. `leadhub map --mapping config/mappings/X.yaml FILE` gives the expected canonical
     values for the good samples and, for the bad ones, errors that name the record,
     the source field and the canonical field;
  3. `leadhub import --mapping ...` stores the creates, and later files change them:
     a call-centre qualification result qualifies a lettershop lead and appends a
     note, a TMF699 PATCH with state `rejected` declines a lead with its reason, a
     BIAN Update moves a lead on, and the lifecycle refuses an illegal transition.
Every check is printed; the exit code is 1 when any failed.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from jsonschema import Draft202012Validator

LEADHUB = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
WORK = tempfile.mkdtemp(prefix="leadhub-formats-")
DATA = os.path.join(WORK, "data")
FIX = os.path.join(ROOT, "tests", "fixtures")
failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what + ("" if cond or not detail else "\n       " + detail))
    if not cond:
        failures.append(what)
    return cond


def leadhub(*args, data=DATA):
    """Runs leadhub in the repository root (mapping paths are relative to it)."""
    p = subprocess.run([LEADHUB, "--data", data, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    return p


def dig(obj, path):
    """obj at a dotted path; list items by number: notes.0.text. KeyError when absent."""
    for part in path.split("."):
        if isinstance(obj, list):
            obj = obj[int(part)]
        else:
            obj = obj[part]
    return obj


ABSENT = object()


def expect_values(obj, expected, what):
    for path, want in expected.items():
        try:
            got = dig(obj, path)
        except (KeyError, IndexError, TypeError):
            got = ABSENT
        if want is ABSENT:
            check(got is ABSENT, f"{what}: {path} absent", f"got {got!r}")
        else:
            check(got == want, f"{what}: {path} == {want!r}", f"got {'(absent)' if got is ABSENT else repr(got)}")


# ---------------------------------------------------------------- schemas

def form_fields(path):
    """A urlencoded body as the schema sees it: name -> str, or list when repeated."""
    body = open(path, "rb").read().decode("ascii")
    fields = {}
    for name, value in urllib.parse.parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict"):
        if name in fields:
            fields[name] = (fields[name] if isinstance(fields[name], list) else [fields[name]]) + [value]
        else:
            fields[name] = value
    return fields


def schema_valid(kind, schema, path, item_def=None):
    """(valid, reason). For JSON arrays with item_def, also returns per-item validity."""
    if kind == "xsd":
        p = subprocess.run(["xmllint", "--noout", "--schema", schema, path], capture_output=True, text=True)
        return p.returncode == 0, p.stderr.strip().splitlines()[:3], None
    doc_schema = json.load(open(schema, encoding="utf-8"))
    Draft202012Validator.check_schema(doc_schema)
    validator = Draft202012Validator(doc_schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    if kind == "form":
        try:
            doc = form_fields(path)
        except UnicodeDecodeError as e:
            return False, [f"not UTF-8: {e}"], None
    else:
        doc = json.load(open(path, encoding="utf-8"))
    errors = [e.message[:160] for e in validator.iter_errors(doc)]
    items = None
    if item_def and isinstance(doc, list):
        item_validator = Draft202012Validator({"$defs": doc_schema["$defs"], "$ref": "#/$defs/" + item_def},
                                              format_checker=Draft202012Validator.FORMAT_CHECKER)
        items = [item_validator.is_valid(item) for item in doc]
    return not errors, errors, items


# ---------------------------------------------------------------- the formats
# For every fixture: whether the schema accepts it, and what `leadhub map` gives per
# record: {"record", "operation", and "lead" / "patch" / "target_id" / "target_ref" /
# "append_notes" expectations} or {"record", "errors": [(source, field, reason part)]}.
# source None: the error names no source (cross-field rules such as "prospect needs
# one of ...").

FORMATS = [
    {
        "name": "web-form",
        "mapping": "config/mappings/web-form.yaml",
        "schema": ("form", "schemas/web-form/form.schema.json", None),
        "fixtures": {
            "contact-full.txt": {"schema": True, "records": [{
                "record": "form", "operation": "create",
                "lead": {"source": "web_form", "subject": "Website enquiry: WP-200 Wärmepumpe",
                         "campaign": "SHK-2026-Q4", "prospect.kind": "person",
                         "prospect.given_name": "Jürgen", "prospect.family_name": "Müller-Lüdenscheidt",
                         "prospect.email": "juergen.mueller@example.de", "prospect.phone": "+49301234567",
                         "prospect.address.street": "Hauptstraße 5", "prospect.address.postal_code": "10115",
                         "prospect.address.city": "Berlin", "prospect.address.country": "DE",
                         "interests.0.product": "WP-200 Wärmepumpe", "interests.0.quantity": 2,
                         "consent.marketing": True, "consent.text": "Ich möchte Angebote per E-Mail erhalten.",
                         "notes.0.text": "Bitte um Rückruf, gerne vormittags.\r\nHaus Baujahr 1978.",
                         "notes.0.author": "Jürgen Müller-Lüdenscheidt",
                         "external_refs.0.system": "web-form", "external_refs.0.id": "f-3391",
                         "attributes.salutation": "Herr", "attributes.honeypot": ABSENT}}]},
            "contact-single-name.txt": {"schema": True, "records": [{
                "record": "form", "operation": "create",
                "lead": {"prospect.given_name": "Anna Maria", "prospect.family_name": "van der Berg",
                         "prospect.email": "anna.vdberg@example.nl", "prospect.phone": "+31205551234",
                         "prospect.address.country": "NL", "consent.marketing": True,
                         "interests.0.quantity": 3, "campaign": ABSENT}}]},
            "contact-company-hidden-checkbox.txt": {"schema": True, "records": [{
                "record": "form", "operation": "create",
                "lead": {"prospect.kind": "organization", "prospect.company": "Bäckerei Groß GmbH",
                         "prospect.given_name": "Anna-Lena", "prospect.family_name": "Groß",
                         "prospect.address.city": "Düsseldorf", "consent.marketing": True,
                         "subject": "Website enquiry", "notes": ABSENT}}]},
            "contact-minimal.txt": {"schema": True, "records": [{
                "record": "form", "operation": "create",
                "lead": {"prospect.email": "info@example.com", "consent.marketing": False,
                         "notes.0.text": "Was kostet das?", "interests": ABSENT, "external_refs": ABSENT}}]},
            # the honeypot is filled: the schema says spam, the mapping flags it for the connector
            "spam-honeypot.txt": {"schema": False, "records": [{
                "record": "form", "operation": "create",
                "lead": {"attributes.honeypot": "http://spam.example/offer"}}]},
            "bad-fields.txt": {"schema": False, "records": [{
                "record": "form", "errors": [
                    ("email", "prospect.email", "not an e-mail address"),
                    ("phone", "prospect.phone", "not a phone number"),
                    ("quantity", "interests.quantity", "not a whole number"),
                    ("newsletter+consent", "consent.marketing", "not a yes/no value"),
                    ("country", "prospect.address.country", "'Atlantis'")]}]},
            "bad-no-contact.txt": {"schema": False, "records": [{
                "record": "form", "errors": [(None, "prospect", "needs at least one of")]}]},
            "bad-latin1.txt": {"schema": False, "document_error": "form field first_name: not valid UTF-8", "records": []},
        },
    },
    {
        "name": "lettershop-xml",
        "mapping": "config/mappings/lettershop-xml.yaml",
        "schema": ("xsd", "schemas/lettershop/ruecklauf.xsd", None),
        "fixtures": {
            "ruecklauf.xml": {"schema": True, "records": [
                {"record": "/Ruecklauf/Antwort[1]", "operation": "create",
                 "lead": {"source": "lettershop", "campaign": "HERBST-26", "prospect.given_name": "Jürgen",
                          "prospect.family_name": "Müller", "prospect.address.street": "Hauptstraße 5",
                          "prospect.address.country": "DE", "prospect.phone": "+49301234567",
                          "prospect.email": "juergen.mueller@example.de", "consent.marketing": True,
                          "attributes.answer": "Ja, bitte Rückruf", "attributes.received_on": "2026-11-18",
                          "external_refs.0.id": "herbst-26:juergen.mueller@example.de"}},
                {"record": "/Ruecklauf/Antwort[2]", "operation": "create",
                 "lead": {"campaign": "HERBST-26", "prospect.kind": "organization",
                          "prospect.company": "Bäckerei Groß; Filiale Süd", "prospect.family_name": "Groß",
                          "prospect.address.city": "Düsseldorf", "interests.0.product": "WP-200",
                          "interests.0.quantity": 2, "interests.1.product": "SP-10", "interests.1.quantity": 1,
                          "consent.marketing": False,
                          "attributes.answer": "Interesse an Angebot, bitte \"dringend\" melden",
                          "external_refs.0.id": "herbst-26:anna@baeckerei-gross.de"}},
                {"record": "/Ruecklauf/Antwort[3]", "operation": "create",
                 "lead": {"prospect.address.country": "FR", "prospect.phone": "+33142603000",
                          "consent": ABSENT}}]},
            "ruecklauf-fehler.xml": {"schema": False, "records": [
                {"record": "/Ruecklauf/Antwort[1]", "errors": [("Nachname", "prospect.family_name", "required")]},
                {"record": "/Ruecklauf/Antwort[2]", "errors": [
                    ("Anschrift/Land", "prospect.address.country", "'Atlantis'"),
                    ("EMail", "prospect.email", "not an e-mail address"),
                    ("Werbeeinwilligung", "consent.marketing", "not a yes/no value"),
                    ("Eingangsdatum", "attributes.received_on", "not a date")]}]},
            # declared windows-1252: the reader converts it (typographic quotes, euro sign)
            "ruecklauf-windows-1252.xml": {"schema": True, "records": [
                {"record": "/Ruecklauf/Antwort", "operation": "create",
                 "lead": {"prospect.family_name": "Schäfer", "attributes.answer": "„Angebot“ bis 500 € bitte"}}]},
        },
    },
    {
        "name": "call-center",
        "mapping": "config/mappings/call-center-xml.yaml",
        "schema": ("xsd", "schemas/call-center/call-center.xsd", None),
        "fixtures": {
            "calls.xml": {"schema": True, "records": [
                {"record": "/CallCenterReport/NewLead[1]", "operation": "create",
                 "lead": {"source": "call_center", "subject": "Call centre lead C-1001",
                          "owner.channel": "dialog-direct-leipzig", "owner.assignee": "m.weber",
                          "prospect.family_name": "Krüger", "prospect.phone": "+493411234567",
                          "qualification": "hot", "follow_up": "2026-12-01",
                          "interests.0.product": "WP-200", "external_refs.0.system": "call-center",
                          "external_refs.0.id": "C-1001",
                          "notes.0.at": "2026-11-23T08:20:00.000Z", "notes.0.author": "m.weber",
                          "notes.1.author": "t.schulz", "attributes.last_call_at": "2026-11-23T08:15:00.000Z"}},
                {"record": "/CallCenterReport/NewLead[2]", "operation": "create",
                 "lead": {"prospect.kind": "organization", "prospect.company": "Yılmaz Haustechnik GmbH",
                          "prospect.given_name": "Ömer", "owner.assignee": "t.schulz", "qualification": ABSENT}},
                {"record": "/CallCenterReport/QualificationResult[1]", "operation": "change",
                 "target_ref": {"system": "lettershop", "id": "herbst-26:juergen.mueller@example.de"},
                 "patch": {"qualification": "warm", "follow_up": "2026-12-05", "source": ABSENT,
                           "owner": ABSENT, "prospect": ABSENT, "external_refs": ABSENT, "notes": ABSENT},
                 "append_notes": {"0.author": "m.weber", "0.at": "2026-11-23T10:35:00.000Z"}},
                {"record": "/CallCenterReport/QualificationResult[2]", "operation": "change",
                 "target_ref": {"system": "call-center", "id": "C-1002"},
                 "patch": {"status": "declined", "reason": "Only wants dealer prices, no end-customer project."}}]},
            "qualification-by-id.xml": {"schema": True, "records": [
                {"record": "/CallCenterReport/QualificationResult", "operation": "change",
                 "target_id": "0AM50WQYR0000",
                 "patch": {"qualification": "cold", "status": "in_process", "follow_up": "2027-01-15"},
                 "append_notes": {"0.at": "2026-11-24T08:04:00.000Z", "0.author": "m.weber"}}]},
            "calls-bad.xml": {"schema": False, "records": [
                {"record": "/CallCenterReport/QualificationResult[1]", "errors": [("LeadId", "target.id", "required")]},
                {"record": "/CallCenterReport/QualificationResult[2]", "errors": [("Qualification", "qualification", "'lauwarm'")]},
                {"record": "/CallCenterReport/QualificationResult[3]", "errors": [("Reason", "reason", "required")]},
                {"record": "/CallCenterReport/QualificationResult[4]", "errors": [
                    ("FollowUp", "follow_up", "not a date"), ("@time", "notes.at", "not a date")]},
                {"record": "/CallCenterReport/QualificationResult[5]", "errors": [("LeadId", "target.id", "not a leadhub id")]},
                {"record": "/CallCenterReport/NewLead[1]", "errors": [(None, "prospect", "needs at least one of")]},
                {"record": "/CallCenterReport/NewLead[2]", "errors": [
                    ("Contact/Email", "prospect.email", "not an e-mail address"),
                    ("Contact/Phone", "prospect.phone", "phone number")]}]},
        },
    },
    {
        "name": "tmf699-create",
        "mapping": "config/mappings/tmf699-create.yaml",
        "schema": ("json", "schemas/tmf699/SalesLead_Create.schema.json", "SalesLead_Create"),
        "dir": "tmf699",
        "fixtures": {
            "salesLead-create.json": {"schema": True, "records": [{
                "record": "/", "operation": "create",
                # acknowledged + a qualification: the lifecycle makes a qualified lead
                "lead": {"subject": "Heat pump for a family home", "status": "qualified", "priority": "high",
                         "qualification": "warm", "source": "partner", "campaign": "SHK-2026-Q4",
                         "prospect.kind": "person", "prospect.given_name": "Anna", "prospect.family_name": "Müller",
                         "prospect.email": "anna.mueller@example.com", "prospect.phone": "+491711234567",
                         "prospect.address.street": "Hauptstraße 1", "prospect.address.country": "DE",
                         "expected_value.amount": "12500.5", "expected_value.currency": "EUR",
                         "owner.assignee": "k.schmidt", "interests.0.product": "PO-WP200",
                         "external_refs.0.system": "partner-portal", "external_refs.0.id": "PP-2026-00042",
                         "notes.0.at": "2026-11-22T09:00:00.000Z", "notes.0.author": "partner portal",
                         "attributes.category": "Heating", "attributes.valid_until": "2027-02-28T23:59:59+01:00"}}]},
            "salesLeads-batch.json": {"schema": True, "records": [
                {"record": "/0", "operation": "create",
                 "lead": {"status": "in_process", "priority": "normal", "source": "trade_show",
                          "prospect.kind": "organization", "prospect.company": "Logistik Huber GmbH",
                          "prospect.email": "einkauf@logistik-huber.example", "prospect.phone": "+4315123456",
                          "prospect.address.city": "Wien", "prospect.address.country": "AT",
                          "attributes.address_line2": "3. Stock", "interests.0.product": "WB-22 wallbox",
                          "expected_value.amount": "48000", "owner": ABSENT}},
                {"record": "/1", "operation": "create",
                 "lead": {"status": "qualified", "qualification": "hot", "priority": "low", "source": "web_form",
                          "prospect.given_name": "Pierre", "prospect.family_name": "Dupont", "interests": ABSENT}}]},
            "salesLeads-create-bad.json": {"schema": False, "schema_items": [False, False, False], "records": [
                {"record": "/0", "errors": [("/status", "status", "'done'"),
                                            ("/estimatedRevenue/unit", "expected_value.currency", "currency")]},
                {"record": "/1", "errors": [("/statusChangeReason", "reason", "required"),
                                            ("/prospectContact/*/characteristic/emailAddress", "prospect.email", "not an e-mail")]},
                {"record": "/2", "errors": [("/rating", "qualification", "'lukewarm'"),
                                            ("/relatedParty/0/name", "prospect.company", "organization")]}]},
        },
    },
    {
        "name": "tmf699-patch",
        "mapping": "config/mappings/tmf699-patch.yaml",
        "schema": ("json", "schemas/tmf699/SalesLead_Update.schema.json", "SalesLead_Update"),
        "dir": "tmf699",
        "fixtures": {
            "salesLead-patch-rejected.json": {"schema": True, "records": [{
                "record": "/", "operation": "change",
                "target_ref": {"system": "partner-portal", "id": "PP-2026-00042"},
                "patch": {"status": "declined", "reason": "Customer chose a competitor's offer.",
                          "source": ABSENT, "external_refs": ABSENT, "notes": ABSENT},
                "append_notes": {"0.text": "Lost on price.", "0.at": "2026-11-25T15:45:00.000Z"}}]},
            "salesLead-patch-by-id.json": {"schema": True, "records": [{
                "record": "/", "operation": "change", "target_id": "0AM50WQYR0000",
                "patch": {"status": "in_process", "priority": "high", "expected_value.amount": "51000.75",
                          "owner.assignee": "j.berger", "prospect.company": "Logistik Huber GmbH"}}]},
            "salesLead-patch-bad.json": {"schema": False, "schema_items": [False, False, False], "records": [
                {"record": "/0", "errors": [("/id", "target.id", "required")]},
                {"record": "/1", "errors": [("/statusChangeReason", "reason", "required")]},
                {"record": "/2", "errors": [("/priority", "priority", "'urgent'"),
                                            ("/estimatedRevenue/value", "expected_value.amount", "not a decimal")]}]},
        },
    },
    {
        "name": "bian-initiate",
        "mapping": "config/mappings/bian-initiate.yaml",
        "schema": ("json", "schemas/bian/LeadOpportunityProcedure_Initiate.schema.json", "InitiateRequest"),
        "dir": "bian",
        "fixtures": {
            "initiate.json": {"schema": True, "records": [{
                "record": "/", "operation": "create",
                "lead": {"subject": "Bank lead: Mortgage, 10 years fixed", "status": "qualified", "source": "api",
                         "qualification": "warm", "priority": "high", "campaign": "MORTGAGE-AUTUMN-26",
                         "prospect.given_name": "Jürgen", "prospect.address.street": "Hauptstraße 5",
                         "prospect.address.region": "Berlin", "prospect.language": "de",
                         "expected_value.amount": "250000.00", "owner.channel": "BR-0815-Berlin-Mitte",
                         "owner.assignee": "j.meier", "consent.marketing": True,
                         "consent.at": "2026-11-23T09:15:00.000Z", "follow_up": "2026-12-01",
                         "interests.1.product": "INS-HOME", "external_refs.0.system": "bian",
                         "external_refs.0.id": "LOP-2026-000731", "attributes.lead_opportunity_source": "Branch",
                         "attributes.customer_reference": "CUST-100042"}}]},
            "initiate-batch.json": {"schema": True, "records": [
                {"record": "/0", "operation": "create",
                 "lead": {"status": "qualified", "qualification": "hot", "source": "web_form",
                          "prospect.kind": "organization", "prospect.company": "Bäckerei Groß GmbH",
                          "expected_value.amount": "80000"}},
                {"record": "/1", "operation": "create",
                 "lead": {"source": "trade_show", "consent.marketing": False, "prospect.phone": "+33142603000"}}]},
            "initiate-bad.json": {"schema": False, "schema_items": [False, False], "records": [
                {"record": "/0", "errors": [(None, "prospect", "needs at least one of")]},
                {"record": "/1", "errors": [
                    ("/LeadOpportunityProcedure/FollowUpDate", "follow_up", "not a date"),
                    ("/LeadOpportunityProcedure/Prospect/ContactPoint/PostalAddress/Country", "prospect.address.country", "'Atlantis'"),
                    ("/LeadOpportunityProcedure/EstimatedValue/Amount", "expected_value.amount", "not a decimal"),
                    ("/LeadOpportunityProcedure/Prospect/ContactPoint/EmailAddress", "prospect.email", "not an e-mail")]}]},
        },
    },
    {
        "name": "bian-update",
        "mapping": "config/mappings/bian-update.yaml",
        "schema": ("json", "schemas/bian/LeadOpportunityProcedure_Update.schema.json", "UpdateRequest"),
        "dir": "bian",
        "fixtures": {
            "update-qualify.json": {"schema": True, "records": [{
                "record": "/", "operation": "change", "target_id": "0AM50WQYR0000",
                "patch": {"status": "in_process", "owner.assignee": "a.wolff", "follow_up": "2026-12-03",
                          "source": ABSENT, "external_refs": ABSENT},
                "append_notes": {"0.author": "a.wolff"}}]},
            "update-by-reference.json": {"schema": True, "records": [{
                "record": "/", "operation": "change", "target_ref": {"system": "bian", "id": "LOP-2026-000731"},
                "patch": {"status": "declined", "reason": "Financing through another bank."}}]},
            "update-bad.json": {"schema": False, "schema_items": [False, False, False], "records": [
                {"record": "/0", "errors": [("/LeadOpportunityProcedureInstanceReference", "target.id", "required")]},
                {"record": "/1", "errors": [("/LeadOpportunityProcedure/StatusReason", "reason", "required")]},
                {"record": "/2", "errors": [("/LeadOpportunityProcedure/LeadOpportunityRating", "qualification", "'Lukewarm'"),
                                            ("/NoteDateTime", "notes[0].at", "RFC 3339")]}]},
        },
    },
]


def run_map(mapping, path):
    p = leadhub("map", "--mapping", mapping, path)
    lines = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    if not lines or "summary" not in lines[-1]:
        return p, [], {}
    return p, lines[:-1], lines[-1]["summary"]


def check_record(what, got, want):
    check(got.get("record") == want["record"], f"{what}: record is {want['record']}", f"got {got.get('record')!r}")
    if "errors" in want:
        errors = got.get("errors") or []
        check(bool(errors), f"{what}: fails", json.dumps(got, ensure_ascii=False)[:300])
        for source, field, reason in want["errors"]:
            hit = [e for e in errors
                   if (source is None or source == e.get("source")
                       or source in e.get("source", "").split("+"))  # or one of several joined sources
                   and (field is None or e.get("field") == field)
                   and reason in e.get("reason", "")]
            label = f"{what}: error source={source or '-'} field={field or '-'} reason~{reason!r}"
            check(bool(hit), label, "errors: " + json.dumps(errors, ensure_ascii=False)[:400])
        return
    check("errors" not in got, f"{what}: maps without errors",
          json.dumps(got.get("errors"), ensure_ascii=False)[:400])
    check(got.get("operation") == want["operation"], f"{what}: operation {want['operation']}",
          f"got {got.get('operation')!r}")
    if "lead" in want:
        expect_values(got.get("lead", {}), want["lead"], what)
    if "patch" in want:
        expect_values(got.get("patch", {}), want["patch"], what + " patch")
    if "target_id" in want:
        check(got.get("target_id") == want["target_id"], f"{what}: target id {want['target_id']}",
              f"got {got.get('target_id')!r}")
    if "target_ref" in want:
        check(got.get("target_ref") == want["target_ref"], f"{what}: target ref {want['target_ref']}",
              f"got {got.get('target_ref')!r}")
    if "append_notes" in want:
        expect_values(got.get("append_notes", []), want["append_notes"], what + " appended notes")


def test_format(fmt):
    kind, schema, item_def = fmt["schema"]
    schema_path = os.path.join(ROOT, schema)
    folder = os.path.join(FIX, fmt.get("dir", fmt["name"]))
    print(f"\n== {fmt['name']} ({fmt['mapping']}, {schema})")
    for name, spec in fmt["fixtures"].items():
        path = os.path.join(folder, name)
        valid, reasons, items = schema_valid(kind, schema_path, path, item_def)
        check(valid == spec["schema"], f"{name}: schema {'accepts' if spec['schema'] else 'refuses'} it",
              "; ".join(reasons) if reasons else "")
        if "schema_items" in spec:
            check(items == spec["schema_items"], f"{name}: schema verdict per item {spec['schema_items']}",
                  f"got {items}")
        p, records, summary = run_map(fmt["mapping"], path)
        if not check(bool(summary), f"{name}: leadhub map prints a summary", p.stderr.strip()[:300]):
            continue
        if "document_error" in spec:
            check(spec["document_error"] in summary.get("document_error", ""),
                  f"{name}: document refused: {spec['document_error']}", json.dumps(summary))
        failed_expected = sum(1 for r in spec["records"] if "errors" in r)
        check(summary.get("records") == len(spec["records"]) and summary.get("failed") == failed_expected,
              f"{name}: {len(spec['records'])} records, {failed_expected} failed", json.dumps(summary))
        want_rc = 0 if failed_expected == 0 and "document_error" not in spec else 1
        check(p.returncode == want_rc, f"{name}: map exit code {want_rc}", f"got {p.returncode}")
        for i, want in enumerate(spec["records"]):
            if i < len(records):
                check_record(f"{name} {want['record']}", records[i], want)
            else:
                check(False, f"{name}: record {want['record']} mapped", "missing from the output")


# ---------------------------------------------------------------- end to end

def import_file(mapping, path, **want):
    p = leadhub("import", "--mapping", mapping, path)
    try:
        summary = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        check(False, f"import {os.path.basename(path)}: prints a summary", p.stdout[-300:] + p.stderr[-300:])
        return {}
    got = {k: summary.get(k, 0) for k in want}
    check(got == want, f"import {os.path.basename(path)} with {os.path.basename(mapping)}: {want}",
          json.dumps(summary, ensure_ascii=False)[:600])
    return summary


def lead_by_ref(system, ref_id, data=DATA):
    p = leadhub("lead", "find", "--ref", f"{system}:{ref_id}", data=data)
    try:
        items = json.loads(p.stdout)["items"]
    except (ValueError, KeyError):
        items = []
    check(len(items) == 1, f"lead with reference {system}:{ref_id} is stored", p.stdout[:200] + p.stderr[:200])
    return items[0] if items else {}


def with_id(fixture, lead_id):
    """A copy of a fixture with the placeholder id replaced by a stored lead's id."""
    text = open(fixture, encoding="utf-8").read()
    assert "0AM50WQYR0000" in text
    out = os.path.join(WORK, "id-" + os.path.basename(fixture))
    with open(out, "w", encoding="utf-8") as f:
        f.write(text.replace("0AM50WQYR0000", lead_id))
    return out


def write(name, text):
    out = os.path.join(WORK, name)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    return out


def test_end_to_end():
    print("\n== end to end: leadhub import --mapping ...")
    f = lambda *p: os.path.join(FIX, *p)
    wf, lx, cc = "config/mappings/web-form.yaml", "config/mappings/lettershop-xml.yaml", "config/mappings/call-center-xml.yaml"
    tc, tp = "config/mappings/tmf699-create.yaml", "config/mappings/tmf699-patch.yaml"
    bi, bu = "config/mappings/bian-initiate.yaml", "config/mappings/bian-update.yaml"

    # creates
    import_file(wf, f("web-form", "contact-full.txt"), created=1, duplicates=0, rejected=0)
    import_file(wf, f("web-form", "contact-full.txt"), created=0, duplicates=1, rejected=0)  # re-sent post
    import_file(lx, f("lettershop-xml", "ruecklauf.xml"), created=3, rejected=0)
    # the same responses as CSV: same external references, so stored once
    import_file("config/mappings/lettershop-csv.yaml", f("lettershop", "responses.csv"), created=0, duplicates=3, rejected=2)
    import_file(lx, f("lettershop-xml", "ruecklauf-fehler.xml"), created=0, rejected=2)

    # the lettershop renamed its phone column: the import says so once, instead of
    # storing every lead without a phone and saying nothing
    renamed = write("renamed.csv", "Anrede;Vorname;Nachname;Firma;Strasse;PLZ;Ort;Land;Tel;E-Mail;Aktionscode;Antwort\n"
                    "Herr;Kai;Renner;;Weg 1;10115;Berlin;DE;030 1234567;kai.renner@example.de;HERBST-26;ja\n")
    summary = import_file("config/mappings/lettershop-csv.yaml", renamed, created=1, rejected=0)
    check(summary.get("warnings") == ["prospect.phone: the file's header has no column 'Telefon'; empty in every record"],
          "import names a mapped column the file's header lacks", summary)

    # call centre: two new leads, a lettershop lead qualified, a call-centre lead declined
    import_file(cc, f("call-center", "calls.xml"), created=2, changed=2, rejected=0)
    lead = lead_by_ref("lettershop", "herbst-26:juergen.mueller@example.de")
    expect_values(lead, {"status": "qualified", "qualification": "warm", "follow_up": "2026-12-05", "version": 2,
                         "source": "lettershop", "notes.0.author": "m.weber", "notes.0.at": "2026-11-23T10:35:00.000Z",
                         "attributes.answer": "Ja, bitte Rückruf", "attributes.last_call_id": "C-2001"},
                  "lettershop lead after the call")
    lead = lead_by_ref("call-center", "C-1001")
    expect_values(lead, {"status": "qualified", "qualification": "hot", "source": "call_center",
                         "owner.channel": "dialog-direct-leipzig", "owner.assignee": "m.weber", "notes.1.author": "t.schulz"},
                  "call-centre lead C-1001 (created qualified)")
    lead = lead_by_ref("call-center", "C-1002")
    expect_values(lead, {"status": "declined", "reason": "Only wants dealer prices, no end-customer project.",
                         "notes.0.text": "Installer, asks for dealer conditions.", "notes.1.text": "Call-back declined."},
                  "call-centre lead C-1002 declined, its note added to the one it had")

    # a qualification result by the hub's id: the web-form lead keeps its message and gets the call note
    web = lead_by_ref("web-form", "f-3391")
    if web:
        import_file(cc, with_id(f("call-center", "qualification-by-id.xml"), web["id"]), changed=1, rejected=0)
        lead = lead_by_ref("web-form", "f-3391")
        expect_values(lead, {"status": "in_process", "qualification": "cold", "follow_up": "2027-01-15",
                             "notes.0.text": "Bitte um Rückruf, gerne vormittags.\r\nHaus Baujahr 1978.",
                             "notes.1.text": "Interested, but not before spring.", "notes.1.author": "m.weber",
                             "notes.2": ABSENT, "source": "web_form", "owner": ABSENT},
                      "web-form lead after the call (status sent, so in_process; notes appended)")
    import_file(cc, f("call-center", "calls-bad.xml"), created=0, changed=0, rejected=7)
    unknown = write("unknown-ref.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<CallCenterReport center="x">'
                    '<QualificationResult callId="C-9"><ExternalRef system="lettershop">nobody</ExternalRef>'
                    '<Agent>m.weber</Agent><Qualification>hot</Qualification></QualificationResult></CallCenterReport>\n')
    summary = import_file(cc, unknown, changed=0, rejected=1)
    check("no lead with external reference lettershop:nobody" in json.dumps(summary),
          "a change for an unknown reference is rejected naming it", json.dumps(summary)[:300])

    # TMF699: create, then a PATCH with state rejected declines the lead with its reason
    import_file(tc, f("tmf699", "salesLead-create.json"), created=1, rejected=0)
    import_file(tc, f("tmf699", "salesLeads-batch.json"), created=2, rejected=0)
    import_file(tc, f("tmf699", "salesLeads-create-bad.json"), created=0, rejected=3)
    import_file(tp, f("tmf699", "salesLead-patch-rejected.json"), changed=1, rejected=0)
    lead = lead_by_ref("partner-portal", "PP-2026-00042")
    expect_values(lead, {"status": "declined", "reason": "Customer chose a competitor's offer.", "version": 2,
                         "notes.0.text": "Customer prefers calls after 5 pm.", "notes.1.text": "Lost on price.",
                         "qualification": "warm", "external_refs.0.id": "PP-2026-00042"},
                  "TMF699 lead after PATCH rejected")
    huber = lead_by_ref("partner-portal", "PP-2026-00043")
    if huber:
        import_file(tp, with_id(f("tmf699", "salesLead-patch-by-id.json"), huber["id"]), changed=1, rejected=0)
        lead = lead_by_ref("partner-portal", "PP-2026-00043")
        expect_values(lead, {"status": "in_process", "priority": "high", "expected_value.amount": "51000.75",
                             "owner.assignee": "j.berger", "prospect.email": "einkauf@logistik-huber.example",
                             "interests.0.product": "WB-22 wallbox"},
                      "TMF699 lead after PATCH by id (other members kept)")
    # pending (qualified) -> acknowledged (open) is not a legal transition
    illegal = write("tmf-illegal.json", json.dumps({"externalReference": [
        {"externalReferenceType": "partner-portal", "name": "PP-2026-00044"}], "status": "acknowledged"}))
    summary = import_file(tp, illegal, changed=0, rejected=1)
    check("qualified" in json.dumps(summary) and "open" in json.dumps(summary),
          "the illegal transition is rejected naming both states", json.dumps(summary)[:300])
    check(lead_by_ref("partner-portal", "PP-2026-00044").get("status") == "qualified", "the refused lead stays qualified")

    # BIAN: Initiate creates, Update by instance reference, then Update by the bank's reference
    import_file(bi, f("bian", "initiate.json"), created=1, rejected=0)
    import_file(bi, f("bian", "initiate-batch.json"), created=2, rejected=0)
    import_file(bi, f("bian", "initiate-bad.json"), created=0, rejected=2)
    bank = lead_by_ref("bian", "LOP-2026-000731")
    if bank:
        import_file(bu, with_id(f("bian", "update-qualify.json"), bank["id"]), changed=1, rejected=0)
        lead = lead_by_ref("bian", "LOP-2026-000731")
        expect_values(lead, {"status": "in_process", "owner.assignee": "a.wolff", "follow_up": "2026-12-03",
                             "notes.1.author": "a.wolff", "qualification": "warm"},
                      "BIAN lead after Update by instance reference")
    import_file(bu, f("bian", "update-by-reference.json"), changed=1, rejected=0)
    lead = lead_by_ref("bian", "LOP-2026-000731")
    expect_values(lead, {"status": "declined", "reason": "Financing through another bank.",
                         "notes.2.text": "Customer called, closing the case.", "notes.3": ABSENT},
                  "BIAN lead after Update by the bank's reference")
    import_file(bu, f("bian", "update-bad.json"), changed=0, rejected=3)

    p = leadhub("export")
    leads = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    # 1 web form + 3 lettershop + 2 call centre + 3 TMF699 + 3 BIAN
    check(len(leads) == 13, "13 leads stored in all (with the renamed-column file's)", f"got {len(leads)}")
    check(all(lead.get("source") in ("web_form", "lettershop", "call_center", "partner", "trade_show", "api")
              for lead in leads), "every stored lead has a canonical source")


def refs_of(data):
    p = leadhub("export", data=data)
    return sorted(ref["id"] for line in p.stdout.splitlines() if line.strip()
                  for ref in json.loads(line).get("external_refs", []))


def test_lettershop_keys():
    """What identifies a lettershop response: campaign + e-mail, else + phone, else +
    postal code and name, from the stored (normalised) values, never the code alone."""
    print("\n== lettershop reference keys")
    f = lambda *p: os.path.join(FIX, *p)
    lc, lx = "config/mappings/lettershop-csv.yaml", "config/mappings/lettershop-xml.yaml"
    data = os.path.join(WORK, "data-keys")

    def imp(mapping, path, **want):
        p = leadhub("import", "--mapping", mapping, path, data=data)
        summary = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}
        got = {k: summary.get(k, 0) for k in want}
        check(got == want, f"import {os.path.basename(path)}: {want}", json.dumps(summary)[:400] + p.stderr[-200:])
        return summary

    # three people without an e-mail in one campaign are three leads, not one and two duplicates
    imp(lc, f("lettershop", "no-email.csv"), created=3, duplicates=0, rejected=0)
    imp(lc, f("lettershop", "no-email.csv"), created=0, duplicates=3, rejected=0)  # the file sent again
    imp(lx, f("lettershop-xml", "ruecklauf-ohne-email.xml"), created=3, duplicates=0, rejected=0)
    refs = refs_of(data)
    check(len(refs) == 6 and len(set(refs)) == 6, "six leads with six distinct references", repr(refs))
    check("herbst-26:+49301234567" in refs, "no e-mail: code + phone (E.164)", repr(refs))
    check("fruehjahr-27:22222:klein:karl" in refs_of(data), "no e-mail, no phone: code + postal code + name",
          repr(refs_of(data)))
    # the same person with the e-mail and code spelt four ways is one lead
    summary = imp(lc, f("lettershop", "same-person-spelt-4-ways.csv"), created=2, duplicates=3, rejected=0)
    check("herbst-26:hans@example.de" in refs_of(data), "the key holds the normalised e-mail", repr(refs_of(data)))
    # the summary names each duplicate record and the lead it is a duplicate of
    hans = lead_by_ref("lettershop", "herbst-26:hans@example.de", data=data).get("id")
    check(summary.get("duplicate_records") == [{"record": f"line {n}", "line": n, "lead_id": hans} for n in (3, 4, 6)],
          "duplicate_records: lines 3, 4 and 6, each with the stored lead's id", json.dumps(summary)[:600])
    check(summary.get("errors") == [], "errors stays an (empty) list", json.dumps(summary)[:300])


def test_tmf699_contacts():
    """Every prospectContact medium is read, and a single one sent as an object."""
    print("\n== TMF699 prospectContact")
    tc = "config/mappings/tmf699-create.yaml"
    _, records, _ = run_map(tc, os.path.join(FIX, "tmf699", "salesLead-5-contacts.json"))
    check(len(records) == 1, "one record mapped", repr(records)[:300])
    if records:
        expect_values(records[0], {"lead.prospect.email": "anna@example.de", "lead.prospect.phone": "+49301234567",
                                   "lead.prospect.address.city": "Berlin"}, "the e-mail of the fifth medium")
    single = write("tmf-object-contact.json", json.dumps({"name": "one medium", "status": "acknowledged",
        "prospectContact": {"mediumType": "email", "characteristic": {"emailAddress": "e@example.de"}},
        "relatedParty": [{"name": "Anna Muster", "role": "prospect", "@referredType": "Individual"}]}))
    _, records, _ = run_map(tc, single)
    check(len(records) == 1 and dig(records[0], "lead.prospect.email") == "e@example.de",
          "a prospectContact object instead of an array is read", repr(records)[:300])


def test_spreadsheet_damage():
    """A lettershop file as Excel and copy-paste leave it, imported: each value stored
    as meant, or its record refused naming the column and why; nothing stored wrong."""
    print("\n== spreadsheet damage (leadhub import --mapping lettershop-csv)")
    data = os.path.join(WORK, "data-damage")
    header = "Anrede;Vorname;Nachname;Firma;Strasse;PLZ;Ort;Land;Telefon;E-Mail;Aktionscode;Antwort"
    rows = [
        # number cells dropped the '+' (read as national it is +49 4917612345678) and
        # the leading zero of the postal code
        "Frau;Eva;Kurz;;Weg 2;1067;Dresden;DE;4917612345678;eva@example.de;XL-1;ja",
        # ="..." and a leading apostrophe mark text cells; they are no part of the value
        'Herr;Udo;Lang;;Weg 3;="01067";Dresden;DE;="0351 1234567";udo@example.de;XL-1;ja',
        "Herr;Tim;Apo;;Weg 4;'01067;Dresden;DE;'+49 351 7654321;tim@example.de;XL-1;ja",
        # no-break, zero-width and soft-hyphen characters from a web page or Word
        "Herr;Hans\u00a0;M\u00fcller\u200b;;Weg\u00a01;10115;Berlin;DE;;\u00a0hans\u200b@example.de;XL-1;ja",
        # Excel's scientific notation: the number's digits are lost
        "Herr;Sci;Note;;Weg 5;10115;Berlin;DE;4.91761234567E+11;sci@example.de;XL-1;ja",
        # UTF-8 read as Windows-1252 and saved again
        "Herr;J\u00c3\u00bcrgen;Moji;;Weg 6;10115;Berlin;DE;;moji@example.de;XL-1;ja",
    ]
    path = write("spreadsheet-damage.csv", header + "\r\n" + "\r\n".join(rows) + "\r\n")
    p = leadhub("import", "--mapping", "config/mappings/lettershop-csv.yaml", path, data=data)
    summary = json.loads(p.stdout.strip().splitlines()[-1]) if p.stdout.strip() else {}
    check(summary.get("created") == 4 and summary.get("rejected") == 2, "4 created, 2 rejected",
          json.dumps(summary, ensure_ascii=False)[:600] + p.stderr[-300:])
    errors = {e.get("record"): json.dumps(e, ensure_ascii=False) for e in summary.get("errors", [])}
    check("scientific notation" in errors.get("line 6", "") and "Telefon" in errors.get("line 6", ""),
          "line 6: the phone in scientific notation is refused naming Telefon", repr(errors)[:600])
    check("it would read 'J\u00fcrgen'" in errors.get("line 7", "") and "Vorname" in errors.get("line 7", ""),
          "line 7: the Mojibake is refused naming Vorname and what it would read", repr(errors)[:600])

    def stored(email):
        found = leadhub("lead", "find", "--email", email, data=data)
        items = json.loads(found.stdout).get("items", []) if found.stdout.strip() else []
        check(len(items) == 1, f"{email} is stored", found.stdout[:200] + found.stderr[:200])
        return items[0].get("prospect", {}) if items else {}

    eva = stored("eva@example.de")
    check(eva.get("phone") == "+4917612345678", "4917612345678 is +49 176 12345678", json.dumps(eva))
    check(eva.get("address", {}).get("postal_code") == "01067", "postal code 1067 in DE is 01067", json.dumps(eva))
    udo = stored("udo@example.de")
    check(udo.get("address", {}).get("postal_code") == "01067" and udo.get("phone") == "+493511234567",
          '="01067" and ="0351 1234567" are read without their marks', json.dumps(udo))
    tim = stored("tim@example.de")
    check(tim.get("address", {}).get("postal_code") == "01067" and tim.get("phone") == "+493517654321",
          "'01067 and '+49 ... are read without the apostrophe", json.dumps(tim))
    hans = stored("hans@example.de")
    check(hans.get("given_name") == "Hans" and hans.get("family_name") == "M\u00fcller"
          and hans.get("address", {}).get("street") == "Weg 1",
          "no-break and zero-width spaces are blanks or nothing", json.dumps(hans, ensure_ascii=False))

    # a JSON record naming a member twice: refused, not the first one read silently
    twice = os.path.join(WORK, "tmf-member-twice.json")
    with open(twice, "w", encoding="utf-8") as f:
        f.write('[{"name": "first", "name": "second", "relatedParty": [{"name": "Anna Muster"}]},'
                ' {"name": "ok", "relatedParty": [{"name": "Berta Muster"}]}]')
    _, records, summary = run_map("config/mappings/tmf699-create.yaml", twice)
    check(len(records) == 2 and "appears twice" in json.dumps(records[0]) and records[0]["errors"][0].get("source") == "/name"
          and "lead" in records[1], "a member named twice refuses its record, naming it", repr(records)[:400])


# A new partner's format written from docs/mappings.md alone (the walk of
# /work/wt/walk2-findings.md): a call-centre CSV and a namespaced XML, and the
# mistakes a mapping's author makes, each refused at load with its line and key.
CALL_CSV_MAPPING = """name: call-csv
format: csv
csv: {delimiter: ";", encoding: utf-8}
fields:
  source: {value: call_center}
  subject: {value: Telefonaktion}
  prospect.family_name: {from: Nachname, required: true}
  prospect.phone: {from: Telefon, transforms: [{phone: DE}]}
  follow_up: {from: Rückruf, transforms: [{date: "%d.%m.%Y"}]}
  qualification: {from: Qualifizierung, transforms: [trim, {map: {values: {heiß: hot, warm: warm, kalt: cold}, ignore_case: true}}]}
  attributes.private: {value: "yes", when: {field: Firma, present: false}}
groups:
  notes:
    when: {field: Bemerkung, present: true}
    fields:
      author: Agent
      text: Bemerkung
"""
CALL_CSV = ("Nachname;Firma;Telefon;Rückruf;Qualifizierung;Agent;Bemerkung\n"
            "Müller;ACME GmbH;030 1234567;14.12.2026;Heiß;mkr;Will ein Angebot\n"
            "Schulz;;0171 2345678;;kalt;mkr;\n")
PARTNER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<p:Leads xmlns:p="urn:partner:leads" xmlns:c="urn:partner:contact">
  <p:Lead><p:Subject>Stapler</p:Subject><p:Person><c:Mail>huber@example.com</c:Mail></p:Person></p:Lead>
</p:Leads>
"""


def test_new_partner_mapping():
    print("\n== a new partner's mapping from the docs, and its author's mistakes")
    csv = write("call.csv", CALL_CSV)
    p = leadhub("map", "--mapping", write("call-csv.yaml", CALL_CSV_MAPPING), csv)
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    if check(p.returncode == 0 and len(lines) == 3, "the call-centre CSV maps", p.stdout + p.stderr):
        first, second = lines[0]["lead"], lines[1]["lead"]
        expect_values(first, {"prospect.phone": "+49301234567", "follow_up": "2026-12-14", "qualification": "hot",
                              "notes.0.text": "Will ein Angebot", "notes.0.author": "mkr"}, "call.csv line 2")
        check("private" not in first.get("attributes", {}), "present: false does not hold for a record with a company")
        check(second.get("attributes", {}).get("private") == "yes", "present: false holds for a record without one",
              json.dumps(second))
        check("notes" not in second, "a group whose when does not hold gives no item (empty Bemerkung)",
              json.dumps(second))

    def refused(what, mapping_text, position, reason, document=csv):
        p = leadhub("map", "--mapping", write("broken.yaml", mapping_text), document)
        check(p.returncode == 3 and f"broken.yaml:{position}: " in p.stderr and reason in p.stderr,
              f"{what}: refused at {position} with '{reason}'", p.stderr + p.stdout[:300])

    refused("a target given twice", CALL_CSV_MAPPING.replace("  subject:", "  source: {value: web_form}\n  subject:"),
            "6:3", "'source' is given twice in this block (also at line 5)")
    refused("a non-boolean required", CALL_CSV_MAPPING.replace("required: true", "required: ja bitte"),
            "7:52", "prospect.family_name: required: expected true or false, not 'ja bitte'")
    refused("a typo in a date format", CALL_CSV_MAPPING.replace("%d.%m.%Y", "%d.%m.%J"),
            "9:44", "'%J' in \"%d.%m.%J\" is no date directive")
    xml = write("partner.xml", PARTNER_XML)
    xml_mapping = "format: xml\nrecords: /p:Leads/p:Lead\nfields:\n  subject: p:Subject\n  prospect.email: p:Person/c:Mail\n"
    refused("prefixed element names", xml_mapping, "2:10", "write '/Leads/Lead'", xml)
    p = leadhub("map", "--mapping", write("partner-xml.yaml", without_prefixes(xml_mapping)), xml)
    check(p.returncode == 0 and '"email":"huber@example.com"' in p.stdout and '"subject":"Stapler"' in p.stdout,
          "the namespaced XML maps with unprefixed names", p.stdout + p.stderr)


def without_prefixes(mapping_text):
    return mapping_text.replace("p:", "").replace("c:", "")


def main():
    try:
        for tool in ("xmllint",):
            if shutil.which(tool) is None:
                check(False, f"{tool} is installed")
        for fmt in FORMATS:
            test_format(fmt)
        test_end_to_end()
        test_lettershop_keys()
        test_tmf699_contacts()
        test_spreadsheet_damage()
        test_new_partner_mapping()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    print(f"\n{len(failures)} failed" if failures else "\nall checks passed")
    for f in failures:
        print("  FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

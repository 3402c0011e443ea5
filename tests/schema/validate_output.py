#!/usr/bin/python3
"""Proves that what leadhub writes validates against schemas/*.schema.json.

    validate_output.py LEADHUB_BINARY SCHEMA_DIR

Runs the CLI against a fresh temporary data folder: creates a business partner and
several varied leads (minimal, every field set, qualified, declined, reopened),
then validates
  * every document `lead create`, `lead change` and `lead get` print,
  * every line of `export` (NDJSON)               -> lead.schema.json
  * every entry of `lead audit ID`                 -> audit-entry.schema.json
    (and each changed entry's old/new against the lead member's own subschema)
  * the output of `partner create`                -> business-partner.schema.json
with Draft202012Validator and format checking on. It also checks the schemas
themselves (meta-schema, shared $defs identical across files) and NEGATIVE cases:
documents that break the contract (unknown member, bad status, bad id, number
amount, ...) must NOT validate, so a schema that accepts anything fails the test.

A second run imports one lead per ISO country code (cycling through every
currency and every status, source, priority, qualification and kind the schemas
list): the hub must accept and write back every listed code, and refuse values
outside the lists. Probes then send edge inputs that once slipped past the hub's
own contract (empty or multi-line acting user, timestamps that an offset pushes
out of years 1-9999, notes without a time): each must be refused or written
within the contract.

Uses the Debian package python3-jsonschema (4.x). Run it with /usr/bin/python3.
Exit 0 when everything holds, 1 on any failure (each failure is printed).
"""

import copy
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError:  # pragma: no cover
    print("FAIL: python3-jsonschema is not installed (apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(1)


# ---- bookkeeping ------------------------------------------------------------------

class Report:
    def __init__(self):
        self.checks = 0
        self.failures = []

    def ok(self, what):
        self.checks += 1
        print(f"  ok   {what}")

    def fail(self, what, detail=""):
        self.checks += 1
        self.failures.append(what)
        print(f"  FAIL {what}")
        for line in str(detail).splitlines():
            print(f"       {line}")


R = Report()


def section(title):
    print(f"\n== {title}")


# ---- schemas and validation -------------------------------------------------------

def format_checker():
    """FormatChecker with date-time made real: jsonschema only checks it when the
    optional rfc3339-validator package is present, which Debian 12 lacks."""
    checker = FormatChecker()

    def is_date_time(value):
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
            return False
        try:
            datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
        except ValueError:
            return False
        return True

    checker.checks("date-time")(is_date_time)
    return checker


FORMATS = format_checker()


def load_schema(schema_dir, name):
    path = os.path.join(schema_dir, name)
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    return schema


def validator_for(schema):
    return Draft202012Validator(schema, format_checker=FORMATS)


def errors_of(validator, doc):
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}" for e in errs]


def expect_valid(validator, doc, what):
    errs = errors_of(validator, doc)
    if errs:
        R.fail(f"{what} validates", "\n".join(errs[:20]) + f"\ndocument: {json.dumps(doc, ensure_ascii=False)[:2000]}")
    else:
        R.ok(f"{what} validates")


def expect_invalid(validator, doc, what):
    if validator.is_valid(doc):
        R.fail(f"{what} is rejected", f"the schema accepted: {json.dumps(doc, ensure_ascii=False)[:1000]}")
    else:
        R.ok(f"{what} is rejected")


# ---- the CLI ----------------------------------------------------------------------

class Hub:
    def __init__(self, binary, data):
        self.binary = binary
        self.data = data

    def run(self, *args, stdin=None, expect_ok=True):
        cmd = [self.binary, "--data", self.data, *args]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=60)
        if expect_ok and proc.returncode != 0:
            raise HubError(f"`{' '.join(cmd[1:])}` exited {proc.returncode}\nstderr: {proc.stderr.strip()}\n"
                           f"stdout: {proc.stdout.strip()[:500]}\nstdin: {(stdin or '')[:500]}")
        return proc

    def json(self, *args, doc=None):
        stdin = json.dumps(doc, ensure_ascii=False) if doc is not None else None
        args = list(args) + (["-"] if doc is not None else [])
        proc = self.run(*args, stdin=stdin)
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError as e:
            raise HubError(f"`{' '.join(args)}` did not print one JSON document: {e}\nstdout: {proc.stdout[:1000]}")


class HubError(Exception):
    pass


# ---- input documents --------------------------------------------------------------

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def partner_input():
    return {
        "kind": "account",
        "company": "Müller Haustechnik GmbH",
        "given_name": "Anna",
        "family_name": "Müller",
        "email": "info@mueller-haustechnik.example",
        "phone": "0049 (30) 123-4567",
        "address": {"street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "region": "Berlin",
                    "country": "de"},
        "external_refs": [{"system": "sap", "id": "ACC-100042"}, {"system": "crm", "id": "A/42"}],
    }


def minimal_lead():
    return {"prospect": {"email": "minimal@example.com"}}


def brief_example_lead():
    return {"subject": "Demo", "source": "web_form",
            "prospect": {"given_name": "Anna", "family_name": "Müller", "email": "anna@example.com",
                         "phone": "+49 30 1234567", "address": {"country": "de"}}}


def full_lead(partner_id):
    return {
        "subject": "  Heat pump for a family home  ",
        "status": "in_process",
        "priority": "high",
        "score": 87,
        "source": "trade_show",
        "campaign": "SHK-2026-Q4",
        "external_refs": [{"system": "lettershop-acme", "id": "LS-7781"}, {"system": "web", "id": "f-3391"}],
        "prospect": {
            "kind": "organization",
            "partner_id": partner_id,
            "company": "Müller Haustechnik GmbH",
            "given_name": "Jürgen",
            "family_name": "Müller-Lüdenscheidt",
            "email": "Juergen.Mueller@Example.COM",
            "phone": "+49 (171) 123-45.67",
            "language": "de-DE",
            "address": {"street": "Hauptstraße 1\u00a0a", "postal_code": "10115", "city": "Berlin",
                        "region": "Berlin", "country": " de "},
        },
        "interests": [{"product": "WP-200", "quantity": 2}, {"product": "Wartungsvertrag"}],
        "expected_value": {"amount": "1250.00", "currency": "eur"},
        "owner": {"channel": "dealer-berlin-north", "assignee": "k.schmidt"},
        "consent": {"marketing": True, "at": "2026-11-20T09:15:00+01:00",
                    "text": "Ich willige ein, dass ...\nWiderruf jederzeit möglich."},
        "notes": [
            {"at": "2026-11-21T10:00:00Z", "author": "k.schmidt", "text": "Called back.\n\tWants an offer by December."},
            {"at": "2026-11-22T19:40:13.123456Z", "text": "Second note, no author. \"Quotes\" and \\ backslash."},
        ],
        "attachments": [
            {"name": "floor-plan.pdf", "media_type": "application/pdf", "size": 482133, "sha256": SHA.upper(),
             "uri": "https://files.example.com/leads/floor-plan.pdf"},
            {"name": "photo.jpg", "size": 0},
        ],
        "follow_up": "2026-12-01",
        "opportunity_ref": "OPP-2026-0042",
        "attributes": {"heating.current": "gas", "house_year": "1978", "form-remark": "line 1\nline 2",
                       "empty": ""},
    }


def organization_lead():
    return {"subject": "Office building", "source": "partner", "priority": "immediate",
            "prospect": {"kind": "organization", "company": "ACME Facility Services SE", "phone": "+441632960961",
                         "address": {"city": "London", "postal_code": "SW1A 1AA", "country": "GB"}},
            "expected_value": {"amount": 99999.5, "currency": "GBP"},
            "interests": [{"product": "HVAC-XL", "quantity": 1000000}]}


# ---- the checks -------------------------------------------------------------------

def check_schemas(schemas):
    section("schemas")
    for name, schema in schemas.items():
        try:
            Draft202012Validator.check_schema(schema)
            R.ok(f"{name} is a valid draft 2020-12 schema")
        except jsonschema.exceptions.SchemaError as e:
            R.fail(f"{name} is a valid draft 2020-12 schema", e)
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            R.fail(f"{name} declares draft 2020-12 in $schema", schema.get("$schema"))
        if schema.get("$id") != f"https://leadhub.example/schemas/{name}":
            R.fail(f"{name} has $id https://leadhub.example/schemas/{name}", schema.get("$id"))
        missing = []

        def walk(node, path):
            if isinstance(node, dict):
                props = node.get("properties")
                if isinstance(props, dict):
                    for key, sub in props.items():
                        if path.endswith("/if") or "/if/" in path or "/then" in path:
                            continue
                        if isinstance(sub, dict) and "description" not in sub:
                            missing.append(f"{path}/properties/{key}")
                for key, sub in node.items():
                    walk(sub, f"{path}/{key}")
            elif isinstance(node, list):
                for i, sub in enumerate(node):
                    walk(sub, f"{path}/{i}")

        walk(schema, "#")
        if missing:
            R.fail(f"{name}: every property has a description", "\n".join(missing))
        else:
            R.ok(f"{name}: every property has a description")

    lead_defs = schemas["lead.schema.json"]["$defs"]
    partner_defs = schemas["business-partner.schema.json"]["$defs"]
    for key in sorted(set(lead_defs) & set(partner_defs)):
        if lead_defs[key] != partner_defs[key]:
            R.fail(f"$defs/{key} is the same in lead and business-partner schemas")
    R.ok("shared $defs (" + ", ".join(sorted(set(lead_defs) & set(partner_defs))) + ") identical in both schemas")
    for key, sub in schemas["audit-entry.schema.json"]["$defs"].items():
        if sub != lead_defs.get(key):
            R.fail(f"$defs/{key} is the same in audit-entry and lead schemas")


def member_validator(lead_schema, member):
    """A validator for one top-level lead member (resolves the lead's $defs)."""
    sub = copy.deepcopy(lead_schema["properties"][member])
    sub["$defs"] = lead_schema["$defs"]
    return validator_for(sub)


def check_lead(lead_v, doc, what, seen):
    expect_valid(lead_v, doc, what)
    seen.update(doc.keys())
    for key in ("prospect", "expected_value", "consent", "owner"):
        if isinstance(doc.get(key), dict):
            seen.update(f"{key}.{k}" for k in doc[key])
    if isinstance(doc.get("prospect", {}).get("address"), dict):
        seen.update(f"prospect.address.{k}" for k in doc["prospect"]["address"])


def check_partner(partner_v, doc, what):
    expect_valid(partner_v, doc, what)


def check_audit(audit_v, lead_schema, entries, lead, what):
    if not isinstance(entries, list) or not entries:
        R.fail(f"{what}: a non-empty JSON array", json.dumps(entries)[:500])
        return
    bad = []
    for i, entry in enumerate(entries):
        errs = errors_of(audit_v, entry)
        if errs:
            bad.append(f"[{i}] {json.dumps(entry, ensure_ascii=False)[:300]}\n   " + "\n   ".join(errs))
            continue
        if entry.get("action") == "changed":
            mv = member_validator(lead_schema, entry["field"])
            for side in ("old", "new"):
                if entry[side] is not None:
                    e2 = errors_of(mv, entry[side])
                    if e2:
                        bad.append(f"[{i}].{side} ({entry['field']}) does not match the lead member's schema: " +
                                   "; ".join(e2))
    if bad:
        R.fail(f"{what}: {len(entries)} audit entries validate", "\n".join(bad))
    else:
        R.ok(f"{what}: {len(entries)} audit entries validate (old/new against the lead member schemas)")
    if entries[0].get("action") != "created" or entries[0].get("version") != 1:
        R.fail(f"{what}: the first entry is the creation (version 1)", json.dumps(entries[0]))
    last = max((e.get("version", 0) for e in entries), default=0)
    if last != lead.get("version"):
        R.fail(f"{what}: the newest entry has the lead's version {lead.get('version')}", f"newest: {last}")


def run_cli(binary, schemas):
    lead_v = validator_for(schemas["lead.schema.json"])
    partner_v = validator_for(schemas["business-partner.schema.json"])
    audit_v = validator_for(schemas["audit-entry.schema.json"])
    lead_schema = schemas["lead.schema.json"]
    seen = set()

    with tempfile.TemporaryDirectory(prefix="leadhub-schema-") as data:
        hub = Hub(binary, data)

        section("business partner (partner create)")
        partner = hub.json("partner", "create", doc=partner_input())
        check_partner(partner_v, partner, "partner create output (account, every field)")
        contact = hub.json("partner", "create", doc={"family_name": "Schmidt"})
        check_partner(partner_v, contact, "partner create output (minimal contact)")
        if partner.get("phone") != "+49301234567" or partner.get("address", {}).get("country") != "DE":
            R.fail("partner phone/country are normalized", json.dumps(partner, ensure_ascii=False))

        section("leads (lead create / change / get)")
        created = {}
        created["minimal"] = hub.json("lead", "create", doc=minimal_lead())
        created["brief example"] = hub.json("lead", "create", doc=brief_example_lead())
        created["full"] = hub.json("lead", "create", doc=full_lead(partner["id"]))
        created["organization"] = hub.json("lead", "create", doc=organization_lead())
        created["to qualify"] = hub.json("lead", "create", doc={
            "subject": "Will be qualified", "source": "call_center",
            "prospect": {"family_name": "Öztürk", "phone": "+905321234567"}})
        created["to decline"] = hub.json("lead", "create", doc={
            "subject": "Will be declined", "source": "lettershop", "campaign": "LS-2026-11",
            "prospect": {"company": "Nope Ltd"}})
        created["closed at creation"] = hub.json("lead", "create", doc={
            "status": "closed", "reason": "Test record", "source": "import",
            "prospect": {"email": "closed@example.org"}})
        for name, doc in created.items():
            check_lead(lead_v, doc, f"lead create output ({name})", seen)

        full = created["full"]
        if full.get("expected_value") != {"amount": "1250.00", "currency": "EUR"}:
            R.fail("full lead: expected_value written as decimal string and upper-case currency",
                   json.dumps(full.get("expected_value")))
        if created["organization"].get("expected_value", {}).get("amount") != "99999.5":
            R.fail("a number amount on input is written as a decimal string",
                   json.dumps(created["organization"].get("expected_value")))

        changes = []
        lead = created["to qualify"]
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={"qualification": "hot"})
        changes.append(("qualification hot (-> qualified)", lead))
        if lead.get("status") != "qualified":
            R.fail("setting a qualification makes an open lead qualified", json.dumps(lead))
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={
            "owner": {"channel": "inside-sales"}, "score": 55, "follow_up": "2027-01-15",
            "notes": [{"at": "2026-11-23T08:00:00Z", "author": "bot", "text": "auto-qualified"}]})
        changes.append(("owner/score/follow_up/notes", lead))
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={
            "status": "accepted", "score": None, "follow_up": None})
        changes.append(("accepted, score and follow_up removed", lead))
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={
            "status": "converted", "opportunity_ref": "OPP-2026-0099"})
        changes.append(("converted", lead))
        if lead.get("status") != "converted":
            R.fail("an accepted lead can be converted", json.dumps(lead))
        created["to qualify"] = lead

        lead = created["to decline"]
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={
            "status": "declined", "reason": "No budget this year.\nAsk again in Q3."})
        changes.append(("declined with reason", lead))
        if lead.get("status") != "declined" or "reason" not in lead:
            R.fail("declined lead keeps status and reason", json.dumps(lead))
        created["to decline"] = lead

        lead = created["closed at creation"]
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={"status": "open"})
        changes.append(("reopened (reason shed)", lead))
        if "reason" in lead:
            R.fail("a reopened lead sheds its old reason", json.dumps(lead))
        created["closed at creation"] = lead

        lead = created["full"]
        lead = hub.json("lead", "change", lead["id"], "--if-version", str(lead["version"]), doc={
            "prospect": {"address": {"region": None}, "language": "en-GB"},
            "attributes": {"empty": None, "new.key": "value"},
            "external_refs": [{"system": "web", "id": "f-3391"}],
            "duplicate_of": created["minimal"]["id"]})
        changes.append(("full: nested merge patch", lead))
        created["full"] = lead
        for name, doc in changes:
            check_lead(lead_v, doc, f"lead change output ({name})", seen)

        for name, doc in created.items():
            got = hub.json("lead", "get", doc["id"])
            check_lead(lead_v, got, f"lead get ({name})", seen)
            if got != doc:
                R.fail(f"lead get ({name}) equals the last create/change output",
                       f"get:    {json.dumps(got, ensure_ascii=False)}\nbefore: {json.dumps(doc, ensure_ascii=False)}")

        for what, doc in (("account", partner), ("contact", contact)):
            got = hub.json("partner", "get", doc["id"])
            check_partner(partner_v, got, f"partner get ({what})")
            if got != doc:
                R.fail(f"partner get ({what}) equals the create output", json.dumps(got, ensure_ascii=False))

        found = hub.json("lead", "find", "--limit", "3")
        pages = [found]
        while found.get("next"):
            found = hub.json("lead", "find", "--limit", "3", "--after", found["next"])
            pages.append(found)
        items = [item for page in pages for item in page.get("items", [])]
        bad = [f"{item.get('id')}: " + "; ".join(errors_of(lead_v, item)) for item in items
               if errors_of(lead_v, item)]
        shape_ok = all(isinstance(p, dict) and set(p) == {"items", "next"} and
                       (p["next"] is None or re.fullmatch(r"[0-9A-F][0-9A-HJKMNP-TV-Z]{12}", p["next"]))
                       for p in pages)
        if bad or not shape_ok:
            R.fail(f"lead find: {len(items)} items in {len(pages)} pages validate",
                   "\n".join(bad) or json.dumps(pages)[:1000])
        else:
            R.ok(f"lead find: {len(items)} items in {len(pages)} pages validate ({{items, next}} pages)")
        if len(items) != len(created):
            R.fail(f"lead find pages through all {len(created)} leads", f"got {len(items)}")

        section("export (NDJSON)")
        proc = hub.run("export")
        lines = [l for l in proc.stdout.split("\n") if l.strip()]
        if proc.stdout and not proc.stdout.endswith("\n"):
            R.fail("export ends with a newline")
        exported = {}
        bad = []
        for n, text in enumerate(lines, 1):
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as e:
                bad.append(f"line {n}: not JSON ({e}): {text[:200]}")
                continue
            errs = errors_of(lead_v, doc)
            if errs:
                bad.append(f"line {n} ({doc.get('id')}): " + "; ".join(errs))
            exported[doc.get("id")] = doc
            seen.update(doc.keys())
        if bad:
            R.fail(f"export: {len(lines)} lines validate against lead.schema.json", "\n".join(bad))
        else:
            R.ok(f"export: {len(lines)} lines validate against lead.schema.json")
        if len(lines) != len(created) or set(exported) != {d["id"] for d in created.values()}:
            R.fail(f"export holds exactly the {len(created)} leads created", f"{len(lines)} lines: {sorted(exported)}")
        else:
            R.ok(f"export holds exactly the {len(created)} leads created")
        for name, doc in created.items():
            if exported.get(doc["id"]) != doc:
                R.fail(f"export line of '{name}' equals lead get",
                       f"export: {json.dumps(exported.get(doc['id']), ensure_ascii=False)}")
        ids = [json.loads(l)["id"] for l in lines]
        if ids != sorted(ids):
            R.fail("export is in id (creation) order", ids)

        section("audit trail (lead audit)")
        for name, doc in created.items():
            entries = hub.json("lead", "audit", doc["id"])
            check_audit(audit_v, lead_schema, entries, doc, f"lead audit ({name})")

        section("coverage")
        every = set(lead_schema["properties"])
        missing = sorted(every - seen)
        if missing:
            R.fail("every lead member appeared in some validated output", "never seen: " + ", ".join(missing))
        else:
            R.ok(f"every one of the {len(every)} lead members appeared in validated output")

        section("the hub refuses what the schema forbids (sanity of the pairing)")
        for what, bad_doc in [
            ("unknown member", {"prospect": {"email": "x@example.com"}, "colour": "red"}),
            ("bad status", {"status": "won", "prospect": {"email": "x@example.com"}}),
            ("declined without reason", {"status": "declined", "prospect": {"email": "x@example.com"}}),
            ("prospect without email/phone/family_name/company", {"prospect": {"given_name": "Anna"}}),
        ]:
            proc = hub.run("lead", "create", "-", stdin=json.dumps(bad_doc), expect_ok=False)
            if proc.returncode == 0:
                R.fail(f"lead create refuses a lead with {what}", proc.stdout[:500])
            else:
                R.ok(f"lead create refuses a lead with {what} (exit {proc.returncode})")
        return created, partner


# ---- code lists: schema enums and the hub's code lists agree ------------------------

def code_lists(binary, schemas):
    """Imports one lead per country code (cycling through every currency, status,
    source, priority, qualification and prospect kind the schema lists): the hub
    must accept them all and write them back unchanged, so no enum in the schema is
    wider than the hub's list. Values outside the enums must be refused."""
    section("code lists: every value the schemas list is accepted and written by the hub")
    lead_schema = schemas["lead.schema.json"]
    lead_v = validator_for(lead_schema)
    partner_v = validator_for(schemas["business-partner.schema.json"])
    audit_v = validator_for(schemas["audit-entry.schema.json"])
    defs, props = lead_schema["$defs"], lead_schema["properties"]
    lists = {
        "country": defs["country"]["enum"],
        "currency": defs["currency"]["enum"],
        "status": [v for v in props["status"]["enum"] if v != "converted"],  # reached only by a change
        "source": props["source"]["enum"],
        "priority": props["priority"]["enum"],
        "qualification": props["qualification"]["enum"],
        "kind": props["prospect"]["properties"]["kind"]["enum"],
    }
    n = max(len(v) for v in lists.values())
    docs = []
    for i in range(n):
        pick = {k: v[i % len(v)] for k, v in lists.items()}
        doc = {"subject": f"code list {i}", "status": pick["status"], "priority": pick["priority"],
               "source": pick["source"], "external_refs": [{"system": "codes", "id": str(i)}],
               "prospect": {"kind": pick["kind"], "company": f"Company {i}", "email": f"c{i}@example.com",
                            "address": {"country": pick["country"]}},
               "expected_value": {"amount": f"{i}.{i % 100:02d}", "currency": pick["currency"]}}
        if pick["status"] not in ("open", "in_process"):  # a qualification would promote these to qualified
            doc["qualification"] = pick["qualification"]
        if pick["status"] in ("declined", "closed"):
            doc["reason"] = "code list test"
        docs.append(doc)

    with tempfile.TemporaryDirectory(prefix="leadhub-codes-") as data:
        hub = Hub(binary, data)
        ndjson = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs)
        proc = hub.run("import", "-", stdin=ndjson, expect_ok=False)
        try:
            summary = json.loads(proc.stdout)
        except json.JSONDecodeError:
            summary = {}
        if proc.returncode != 0 or summary.get("created") != n or summary.get("rejected") != 0:
            R.fail(f"import of {n} leads using every listed code is accepted",
                   f"exit {proc.returncode}; summary: {proc.stdout[:2000]}; stderr: {proc.stderr[:500]}")
            return
        R.ok(f"import of {n} leads using every listed code is accepted")

        proc = hub.run("export")
        exported = [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]
        bad = [f"{d.get('id')}: " + "; ".join(errors_of(lead_v, d)) for d in exported if errors_of(lead_v, d)]
        if bad or len(exported) != n:
            R.fail(f"export of the {n} imported leads validates", "\n".join(bad[:20]) + f"\n{len(exported)} lines")
        else:
            R.ok(f"export of the {n} imported leads validates")
        written = {
            "country": {d["prospect"]["address"]["country"] for d in exported},
            "currency": {d["expected_value"]["currency"] for d in exported},
            "status": {d["status"] for d in exported},
            "source": {d["source"] for d in exported},
            "priority": {d["priority"] for d in exported},
            "qualification": {d["qualification"] for d in exported if "qualification" in d},
            "kind": {d["prospect"]["kind"] for d in exported},
        }
        for key, values in lists.items():
            missing = sorted(set(values) - written[key])
            if missing:
                R.fail(f"every {key} in the schema is written back by the hub", ", ".join(missing))
            else:
                R.ok(f"all {len(values)} {key} values in the schema are accepted and written by the hub")
        entries = hub.json("lead", "audit", exported[0]["id"])
        check_audit(audit_v, lead_schema, entries, exported[0], "lead audit of an imported lead")

        for kind in schemas["business-partner.schema.json"]["properties"]["kind"]["enum"]:
            doc = hub.json("partner", "create", doc={"kind": kind, "company": f"{kind} Ltd"})
            if doc.get("kind") != kind:
                R.fail(f"partner kind {kind} is written back", json.dumps(doc))
            check_partner(partner_v, doc, f"partner create output (kind {kind})")

        section("code lists: values outside the schema's lists are refused by the hub")
        base = {"prospect": {"email": "x@example.com"}}
        outside = [
            ("country XX", {"prospect": {"email": "x@example.com", "address": {"country": "XX"}}}),
            ("currency XYZ", dict(base, expected_value={"amount": "1.00", "currency": "XYZ"})),
            ("status won", dict(base, status="won")),
            ("status converted at creation", dict(base, status="converted")),
            ("source fax", dict(base, source="fax")),
            ("priority urgent", dict(base, priority="urgent")),
            ("qualification lukewarm", dict(base, qualification="lukewarm")),
            ("prospect kind company", {"prospect": {"email": "x@example.com", "kind": "company"}}),
            ("amount 1,5", dict(base, expected_value={"amount": "1,5", "currency": "EUR"})),
            ("phone 12345", {"prospect": {"phone": "12345"}}),
            ("unknown member", dict(base, colour="red")),
            ("attribute name with a space", dict(base, attributes={"a b": "c"})),
        ]
        ndjson = "".join(json.dumps(d) + "\n" for _, d in outside)
        proc = hub.run("import", "-", stdin=ndjson, expect_ok=False)
        try:
            summary = json.loads(proc.stdout)
        except json.JSONDecodeError:
            summary = {}
        rejected_lines = {e.get("line") for e in summary.get("errors", [])}
        for n_line, (what, _) in enumerate(outside, 1):
            if n_line in rejected_lines:
                R.ok(f"the hub refuses {what}")
            else:
                R.fail(f"the hub refuses {what}", f"import summary: {proc.stdout[:1000]}")


# ---- probes of edge inputs that once broke the contract ---------------------------

def probe_known_bugs(binary, schemas):
    """Inputs the hub accepts but then writes (or can no longer read) against its own
    contract. Each probe passes when the hub either refuses the input or writes a
    record that validates and can still be changed."""
    section("probes of known contract breaks")
    lead_v = validator_for(schemas["lead.schema.json"])
    audit_v = validator_for(schemas["audit-entry.schema.json"])
    base = {"prospect": {"email": "probe@example.com"}}
    probes = [
        ("empty --user", ["--user", ""], base),
        ("--user with a line break", ["--user", "bad\nuser"], base),
        ("consent.at in year 0000 with a +01:00 offset (UTC year -1)", [],
         dict(base, consent={"at": "0000-01-01T00:30:00+01:00"})),
        ("note at 9999-12-31T23:59:59-01:00 (UTC year 10000)", [],
         dict(base, notes=[{"at": "9999-12-31T23:59:59-01:00", "text": "x"}])),
        ("note without at (written as the Unix epoch)", [], dict(base, notes=[{"text": "x"}])),
        ("follow_up 0000-01-01 (no such year in most date libraries)", [], dict(base, follow_up="0000-01-01")),
    ]
    with tempfile.TemporaryDirectory(prefix="leadhub-probe-") as data:
        hub = Hub(binary, data)
        for what, options, doc in probes:
            proc = hub.run(*options, "lead", "create", "-", stdin=json.dumps(doc), expect_ok=False)
            if proc.returncode != 0:
                R.ok(f"probe {what}: refused (exit {proc.returncode})")
                continue
            lead = json.loads(proc.stdout)
            problems = errors_of(lead_v, lead)
            if any(n.get("at") == "1970-01-01T00:00:00.000Z" for n in lead.get("notes", [])):
                problems.append("notes/0/at: written as 1970-01-01T00:00:00.000Z")
            entries = json.loads(hub.run("lead", "audit", lead["id"]).stdout)
            problems += [f"audit: {e}" for entry in entries for e in errors_of(audit_v, entry)]
            change = hub.run(*options, "lead", "change", lead["id"], "--if-version", "1", "-",
                             stdin=json.dumps({"priority": "high"}), expect_ok=False)
            if change.returncode != 0:
                problems.append(f"the stored lead can no longer be changed: exit {change.returncode}: "
                                f"{change.stderr.strip()}")
            if problems:
                R.fail(f"probe {what}", "\n".join(problems) + f"\nwritten: {proc.stdout.strip()}")
            else:
                R.ok(f"probe {what}: written within the contract")


# ---- negative cases: the schemas must reject broken documents ---------------------

def contact_with_given_name_only(doc):
    for key in ("company", "family_name", "email"):
        doc.pop(key, None)
    doc["kind"] = "contact"
    doc["given_name"] = "Anna"


# Hand-written documents in the writer's encoding (core/json/record_json.cpp,
# core/store/audit_json.cpp): they check the schemas without the CLI, and are the
# baseline of the negative cases when the CLI could not run.
REFERENCE_LEAD = {
    "id": "0F3KXW2R1C000", "version": 3, "subject": "Heat pump for a family home", "status": "declined",
    "qualification": "warm", "priority": "high", "score": 87, "source": "trade_show", "campaign": "SHK-2026-Q4",
    "external_refs": [{"system": "sap", "id": "4711"}],
    "prospect": {"kind": "person", "partner_id": "0F3KXW2R00001", "company": "Müller GmbH", "given_name": "Anna",
                 "family_name": "Müller", "email": "anna@example.com", "phone": "+49301234567", "language": "de",
                 "address": {"street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "region": "Berlin",
                             "country": "DE"}},
    "interests": [{"product": "WP-200", "quantity": 1}],
    "expected_value": {"amount": "1250.00", "currency": "EUR"},
    "owner": {"channel": "dealer-north", "assignee": "k.schmidt"},
    "consent": {"marketing": True, "at": "2026-11-20T08:15:00.000Z", "text": "Ja.\nWiderruf jederzeit."},
    "notes": [{"at": "2026-11-21T10:00:00.000Z", "author": "k.schmidt", "text": "Called back.\n\tOffer by Dec."}],
    "attachments": [{"name": "plan.pdf", "media_type": "application/pdf", "size": 482133, "sha256": SHA,
                     "uri": "https://files.example.com/plan.pdf"}],
    "follow_up": "2026-12-01", "reason": "No budget.", "opportunity_ref": "OPP-42", "duplicate_of": "0F3KXW2R1B000",
    "attributes": {"heating.current": "gas", "empty": ""},
    "created_at": "2026-11-22T19:40:13.123Z", "created_by": "system", "changed_at": "2026-11-23T08:00:00.000Z",
    "changed_by": "k.schmidt", "status_changed_at": "2026-11-23T08:00:00.000Z",
}
REFERENCE_MINIMAL_LEAD = {
    "id": "0F3KXW2R1D000", "version": 1, "status": "open", "priority": "normal", "source": "api",
    "prospect": {"email": "x@example.com"}, "created_at": "2026-11-22T19:40:13.123Z", "created_by": "system",
    "changed_at": "2026-11-22T19:40:13.123Z", "changed_by": "system", "status_changed_at": "2026-11-22T19:40:13.123Z",
}
REFERENCE_PARTNER = {
    "id": "0F3KXW2R00001", "version": 1, "kind": "account", "company": "Müller GmbH", "given_name": "Anna",
    "family_name": "Müller", "email": "info@mueller.example", "phone": "+49301234567",
    "address": {"street": "Hauptstraße 1", "postal_code": "10115", "city": "Berlin", "country": "DE"},
    "external_refs": [{"system": "sap", "id": "ACC-1"}], "created_at": "2026-11-22T19:40:13.123Z",
    "created_by": "system", "changed_at": "2026-11-22T19:40:13.123Z", "changed_by": "system",
}


def reference_documents(schemas):
    section("hand-written reference documents (writer encoding)")
    lead_v = validator_for(schemas["lead.schema.json"])
    partner_v = validator_for(schemas["business-partner.schema.json"])
    expect_valid(lead_v, REFERENCE_LEAD, "reference lead (every member)")
    expect_valid(lead_v, REFERENCE_MINIMAL_LEAD, "reference lead (minimal)")
    expect_valid(partner_v, REFERENCE_PARTNER, "reference partner")
    expect_valid(partner_v, {k: v for k, v in REFERENCE_PARTNER.items()
                             if k in ("id", "version", "kind", "family_name", "created_at", "created_by",
                                      "changed_at", "changed_by")} | {"kind": "contact"},
                 "reference partner (minimal contact)")


def negative_cases(schemas, lead, partner):
    section("negative cases: broken documents must NOT validate")
    lead_v = validator_for(schemas["lead.schema.json"])
    partner_v = validator_for(schemas["business-partner.schema.json"])
    audit_v = validator_for(schemas["audit-entry.schema.json"])
    expect_valid(lead_v, lead, "baseline lead")
    expect_valid(partner_v, partner, "baseline partner")

    def mutated(base, fn):
        doc = copy.deepcopy(base)
        fn(doc)
        return doc

    def setp(path, value):
        def fn(doc):
            node = doc
            *parents, last = path
            for p in parents:
                node = node[p]
            node[last] = value
        return fn

    def delp(path):
        def fn(doc):
            node = doc
            *parents, last = path
            for p in parents:
                node = node[p]
            del node[last]
        return fn

    lead_cases = [
        ("unknown top-level member", setp(["colour"], "red")),
        ("unknown member in prospect", setp(["prospect", "mobile"], "+4917112345678")),
        ("unknown member in address", setp(["prospect", "address", "house_no"], "1")),
        ("unknown member in a note", setp(["notes", 0, "pinned"], True)),
        ("bad status", setp(["status"], "won")),
        ("status in upper case", setp(["status"], "OPEN")),
        ("bad priority", setp(["priority"], "urgent")),
        ("bad source", setp(["source"], "fax")),
        ("bad qualification", setp(["qualification"], "lukewarm")),
        ("missing id", delp(["id"])),
        ("missing created_at", delp(["created_at"])),
        ("missing prospect", delp(["prospect"])),
        ("id with a forbidden letter (U)", setp(["id"], "0F3KXW2R1CU00")),
        ("id in lower case", lambda d: d.__setitem__("id", d["id"].lower())),
        ("id of 12 characters", lambda d: d.__setitem__("id", d["id"][:12])),
        ("version 0", setp(["version"], 0)),
        ("version as a string", setp(["version"], "1")),
        ("score 101", setp(["score"], 101)),
        ("score 50.5", setp(["score"], 50.5)),
        ("timestamp without milliseconds", setp(["created_at"], "2026-11-22T19:40:13Z")),
        ("timestamp with an offset", setp(["changed_at"], "2026-11-22T19:40:13.123+01:00")),
        ("timestamp on 31 February", setp(["status_changed_at"], "2026-02-31T10:00:00.000Z")),
        ("follow_up with a time", setp(["follow_up"], "2026-12-01T10:00:00Z")),
        ("follow_up on 30 February", setp(["follow_up"], "2026-02-30")),
        ("amount as a JSON number", setp(["expected_value", "amount"], 1250.0)),
        ("amount with a comma", setp(["expected_value", "amount"], "1250,00")),
        ("amount with 5 fraction digits", setp(["expected_value", "amount"], "1.00001")),
        ("amount with an exponent", setp(["expected_value", "amount"], "1e3")),
        ("expected_value without currency", delp(["expected_value", "currency"])),
        ("currency in lower case", setp(["expected_value", "currency"], "eur")),
        ("unknown currency", setp(["expected_value", "currency"], "XYZ")),
        ("country in lower case", setp(["prospect", "address", "country"], "de")),
        ("unassigned country code", setp(["prospect", "address", "country"], "XX")),
        ("phone with spaces", setp(["prospect", "phone"], "+49 30 1234567")),
        ("phone without +", setp(["prospect", "phone"], "0301234567")),
        ("e-mail without @", setp(["prospect", "email"], "anna.example.com")),
        ("e-mail without a dot in the domain", setp(["prospect", "email"], "anna@localhost")),
        ("language with an underscore", setp(["prospect", "language"], "en_GB")),
        ("organization without company", lambda d: (d["prospect"].__setitem__("kind", "organization"),
                                                    d["prospect"].pop("company", None))),
        ("prospect with only a given name", setp(["prospect"], {"given_name": "Anna"})),
        ("sha256 in upper case", setp(["attachments", 0, "sha256"], SHA.upper())),
        ("sha256 too short", setp(["attachments", 0, "sha256"], SHA[:63])),
        ("attachment without size", delp(["attachments", 0, "size"])),
        ("negative attachment size", setp(["attachments", 0, "size"], -1)),
        ("interest quantity 0", setp(["interests", 0, "quantity"], 0)),
        ("interest quantity above 1000000", setp(["interests", 0, "quantity"], 1000001)),
        ("note without text", delp(["notes", 0, "text"])),
        ("empty subject (the writer omits empty members)", setp(["subject"], "")),
        ("null subject (the writer never writes null)", setp(["subject"], None)),
        ("subject of 256 characters", setp(["subject"], "x" * 256)),
        ("subject with a line break", setp(["subject"], "two\nlines")),
        ("note with a NUL character", setp(["notes", 0, "text"], "a\u0000b")),
        ("attribute with a bad name", setp(["attributes", "bad name"], "x")),
        ("attribute with a number value", setp(["attributes", "n"], 5)),
        ("65 attributes", setp(["attributes"], {f"k{i}": "v" for i in range(65)})),
        ("21 external refs", setp(["external_refs"], [{"system": f"s{i}", "id": "1"} for i in range(21)])),
        ("external ref without id", setp(["external_refs"], [{"system": "sap"}])),
        ("declined without reason", lambda d: (d.__setitem__("status", "declined"), d.pop("reason", None))),
        ("closed without reason", lambda d: (d.__setitem__("status", "closed"), d.pop("reason", None))),
        ("empty owner object", setp(["owner"], {})),
        ("consent.marketing as a string", setp(["consent", "marketing"], "yes")),
        ("duplicate_of not an id", setp(["duplicate_of"], "lead-42")),
        ("a JSON array instead of an object", lambda d: None),
    ]
    for what, fn in lead_cases:
        doc = [lead] if what.startswith("a JSON array") else mutated(lead, fn)
        expect_invalid(lead_v, doc, f"lead: {what}")

    partner_cases = [
        ("unknown member", setp(["vat_id"], "DE123")),
        ("bad kind", setp(["kind"], "person")),
        ("account without company", lambda d: (d.__setitem__("kind", "account"), d.pop("company", None))),
        ("contact with only a given name", contact_with_given_name_only),
        ("missing version", delp(["version"])),
        ("country in lower case", setp(["address", "country"], "de")),
        ("phone with punctuation", setp(["phone"], "+49 (30) 123")),
        ("a lead member (status)", setp(["status"], "open")),
    ]
    for what, fn in partner_cases:
        expect_invalid(partner_v, mutated(partner, fn), f"partner: {what}")

    created = {"at": "2026-11-22T19:40:13.123Z", "user": "system", "connector": "cli", "action": "created",
               "version": 1}
    changed = {"at": "2026-11-22T19:41:00.000Z", "user": "system", "connector": "cli", "action": "changed",
               "version": 2, "field": "status", "old": "open", "new": "in_process"}
    expect_valid(audit_v, created, "baseline audit entry (created)")
    expect_valid(audit_v, changed, "baseline audit entry (changed)")
    expect_valid(audit_v, dict(changed, field="score", old=None, new=80), "audit entry with old null")
    audit_cases = [
        (created, "unknown member", setp(["ip"], "127.0.0.1")),
        (created, "bad action", setp(["action"], "deleted")),
        (created, "created with a field", lambda d: d.update(field="status", old=None, new="open")),
        (created, "created at version 2", setp(["version"], 2)),
        (changed, "changed without field", lambda d: [d.pop(k) for k in ("field", "old", "new")]),
        (changed, "changed without new", delp(["new"])),
        (changed, "field that is not a lead member", setp(["field"], "colour")),
        (changed, "bookkeeping field version", setp(["field"], "version")),
        (changed, "missing user", delp(["user"])),
        (changed, "empty user", setp(["user"], "")),
        (changed, "user with a line break", setp(["user"], "a\nb")),
        (changed, "bad timestamp", setp(["at"], "yesterday")),
    ]
    for base, what, fn in audit_cases:
        expect_invalid(audit_v, mutated(base, fn), f"audit entry: {what}")


def main(argv):
    flags = [a for a in argv[1:] if a.startswith("--")]
    positional = [a for a in argv[1:] if not a.startswith("--")]
    if len(positional) != 2 or flags:
        print(__doc__, file=sys.stderr)
        return 2
    binary, schema_dir = positional
    print(f"leadhub schema validation (jsonschema {getattr(jsonschema, '__version__', '?')})")
    print(f"  binary:  {binary}\n  schemas: {schema_dir}")
    names = ["lead.schema.json", "business-partner.schema.json", "audit-entry.schema.json"]
    try:
        schemas = {n: load_schema(schema_dir, n) for n in names}
    except (OSError, json.JSONDecodeError) as e:
        print(f"FAIL: cannot load the schemas: {e}", file=sys.stderr)
        return 1
    check_schemas(schemas)
    reference_documents(schemas)
    created, partner = None, None
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        R.fail("the leadhub binary exists", f"{binary} is not an executable file")
    else:
        try:
            created, partner = run_cli(binary, schemas)
            code_lists(binary, schemas)
            probe_known_bugs(binary, schemas)
        except (HubError, subprocess.TimeoutExpired, OSError) as e:
            R.fail("running the CLI", e)
    if created is not None and "reason" not in created["full"]:
        # The negative cases want every member: the hub's full lead plus a reason.
        base = dict(created["full"], reason="No budget.", status="declined")
        negative_cases(schemas, base, partner)
    else:
        negative_cases(schemas, REFERENCE_LEAD, REFERENCE_PARTNER)

    print()
    if R.failures:
        print(f"FAILED: {len(R.failures)} of {R.checks} checks failed:", file=sys.stderr)
        for f in R.failures:
            print(f"  - {f}", file=sys.stderr)
        return 1
    print(f"PASSED: all {R.checks} checks hold")
    return 0


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    sys.exit(main(sys.argv))

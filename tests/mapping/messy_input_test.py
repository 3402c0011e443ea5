#!/usr/bin/python3
"""Messy partner files, each through the real CLI and the real HTTP import.

Usage: messy_input_test.py PATH_TO_LEADHUB REPO_ROOT

Every file in tests/fixtures/messy/ (spreadsheet exports, XML that pugixml would
take but XML forbids, JSON that other languages write, canonical NDJSON that is
not NDJSON, web-form posts) is imported twice: with `leadhub import` into a store
of its own, and with POST /api/v1/imports to `leadhub serve` over loopback. Both
summaries must agree, and each must say what the case expects: the leads stored as
meant, or the record or document refused naming its line (or element) and the
reason. The leads are read back from the store. Web-form posts go to POST
/forms/contact and through `leadhub map --mapping web-form`.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "http"))
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
FIX = os.path.join(ROOT, "tests", "fixtures", "messy")
WORK = tempfile.mkdtemp(prefix="leadhub-messy-")

CONFIG = """
mappings: @REPO@/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    forms:
      - name: contact
        rate_limit_per_minute: 1000
        duplicate_window_seconds: 0
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="messy").start()


def fixture(name):
    with open(os.path.join(FIX, name), "rb") as f:
        return f.read()


def cli(*args, data):
    return subprocess.run([LEADHUB, "--data", data, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def comparable(summary):
    """What both ways of importing must say alike (not the time, not the lead ids)."""
    return {k: summary.get(k) for k in ("records", "created", "duplicates", "rejected", "errors", "warnings")}


def import_both(name, mapping):
    """(summary, data folder) of `leadhub import`; checks that the HTTP import says the same."""
    data = os.path.join(WORK, name + ".data")
    args = ["import", os.path.join(FIX, name)] + (["--mapping", mapping] if mapping else [])
    p = cli(*args, data=data)
    try:
        summary = json.loads(p.stdout)
    except json.JSONDecodeError:
        c.check(False, f"{name}: `leadhub import` prints a summary", p.stdout + p.stderr)
        return {}, data
    c.check(p.returncode == (1 if summary["rejected"] else 0), f"{name}: exit code {p.returncode} fits the summary")
    path = "/api/v1/imports" + ("?mapping=" + mapping if mapping else "")
    st, _, text, answer = hub.request("POST", path, fixture(name), {"Content-Type": "application/octet-stream"})
    c.check(st == 200 and answer is not None and comparable(answer) == comparable(summary),
            f"{name}: POST {path} answers what the CLI printed", f"{st} {text}\nCLI: {p.stdout}")
    return summary, data


def stored(data, email=None, family=None):
    """The leads of a CLI store with this e-mail (or, when None, all, by family name)."""
    p = cli("export", data=data)
    leads = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    if email is not None:
        leads = [lead for lead in leads if lead["prospect"].get("email") == email]
    if family is not None:
        leads = [lead for lead in leads if lead["prospect"].get("family_name") == family]
    return leads


def over_http(email):
    st, _, _, page = hub.request("GET", "/api/v1/leads?email=" + urllib.parse.quote(email))
    return page["items"] if st == 200 else []


def one(leads, what):
    c.check(len(leads) == 1, f"{what}: stored once", leads)
    return leads[0] if leads else {"prospect": {"address": {}}, "attributes": {}}


def place(name, needle):
    """'line L, column C' of the first `needle` (bytes) in a UTF-8 fixture, columns in characters."""
    raw = fixture(name)
    at = raw.index(needle)
    line_start = raw.rfind(b"\n", 0, at) + 1
    line, column = raw.count(b"\n", 0, at) + 1, len(raw[line_start:at].decode("utf-8", "replace")) + 1
    return f"line {line}, column {column}"


def reasons(summary):
    return [(e["record"], e["reason"]) for e in summary.get("errors", [])]


def document_error(summary, name, *parts):
    errors = summary.get("errors", [])
    reason = errors[0]["reason"] if len(errors) == 1 and errors[0]["record"] == "document" else None
    c.check(reason is not None and all(part in reason for part in parts) and summary.get("created") == 0,
            f"{name}: the document is refused, saying {parts}", summary)


# ---- CSV: spreadsheet exports --------------------------------------------------------------------
s, data = import_both("excel-sep-crlf.csv", "lettershop-csv")
c.check((s.get("created"), s.get("rejected")) == (2, 0), "Excel: sep=; line, CRLF, no line end at the end: 2 leads", s)
obrien = one(stored(data, "anna.obrien@example.de"), "Excel row 3")
c.check(obrien["prospect"]["family_name"] == "O\u2019Brien" and obrien["prospect"]["given_name"] == 'Anna "Anni"',
        "a typographic apostrophe (Windows-1252 0x92) is kept, a quote inside an unquoted field is text", obrien)
c.check(obrien["prospect"]["address"]["postal_code"] == "01067", "1067 in DE gets its leading zero back", obrien)
c.check(one(over_http("anna.obrien@example.de"), "Excel row 3 over HTTP")["prospect"]["family_name"] == "O\u2019Brien",
        "... the same over HTTP")

s, data = import_both("libreoffice-quoted-lf.csv", "lettershop-csv")
c.check((s.get("created"), s.get("rejected")) == (2, 0), "LibreOffice: every field quoted, LF: 2 leads", s)
maxi = one(stored(data, "max@example.de"), "LibreOffice row 2")
c.check(maxi["prospect"]["family_name"] == 'Max "Maxi" Muster', "doubled quotes in a quoted field", maxi)
zoe = one(stored(data, "zoe@example.fr"), "LibreOffice row 3")
c.check(zoe["prospect"]["given_name"] == "Zo\u00eb" and zoe["prospect"]["family_name"] == "\u0141ukasiewicz"
        and zoe["attributes"].get("answer") == "Oui, merci",
        "a blank between delimiter and quote; UTF-8 under the ISO-8859-1 mapping", zoe)

s, data = import_both("mac-cr.csv", "lettershop-csv")
c.check((s.get("records"), s.get("created"), s.get("rejected")) == (3, 2, 1), "old Mac CR line ends: 3 records", s)
c.check(reasons(s) == [("line 4", "13 fields but the header has 12 (a delimiter inside an unquoted field?)")],
        "the broken row after a two-line quoted field is named by its own line (4)", s)
paul = one(stored(data, "paul@example.ch"), "Mac row 2")
c.check(paul["attributes"].get("answer") == "Erste Zeile zweite Zeile", "a CR inside quotes is a line break", paul)

s, data = import_both("joined-exports.csv", "lettershop-csv")
c.check((s.get("records"), s.get("created"), s.get("rejected")) == (2, 2, 0),
        "two exports joined: the second header is no record", s)
c.check(s.get("warnings") == ["line 3 repeats the header (files joined into one?): skipped"],
        "... and the warnings say where it was skipped", s)
lena = one(stored(data, "lena@example.de"), "joined exports, second part")
c.check(lena["prospect"]["family_name"] == "M\u00fcller" and one(stored(data, "karl@example.de"), "first part")
        ["prospect"]["address"]["city"] == "K\u00f6ln",
        "the first part in Windows-1252, the second in UTF-8 with its byte order mark: both read", lena)
p = cli("map", "--mapping", "lettershop-csv", os.path.join(FIX, "joined-exports.csv"), data=data)
summary = json.loads(p.stdout.splitlines()[-1])["summary"] if p.stdout else {}
c.check(summary.get("records") == 2 and summary.get("warnings") == s.get("warnings"), "`leadhub map` says the same", p)

s, data = import_both("joined-exports-reordered.csv", "lettershop-csv")
c.check((s.get("records"), s.get("created"), s.get("rejected")) == (2, 2, 0),
        "two exports joined, the second in another column order: 2 leads", s)
c.check(s.get("warnings") == ["line 3 repeats the header with its columns in another order (files joined into one?): "
                              "skipped, and the rows after it are read in its order"], "... and the warnings say so", s)
lea = one(stored(data, "lea@example.de"), "joined exports, reordered second part")
c.check((lea["prospect"]["given_name"], lea["prospect"]["family_name"], lea["attributes"].get("answer")) ==
        ("Lea", "Schmidt", "Nein"), "the second part's fields are read by its own header", lea)

s, data = import_both("placeholders.csv", "lettershop-csv")
c.check((s.get("created"), s.get("rejected")) == (2, 1), "NULL, N/A, - are no values: 2 leads, 1 refused", s)
c.check(reasons(s) == [("line 4", "source 'Nachname' -> prospect.family_name: required, but the value is 'N/A', "
                                   "which stands for none")], "a required N/A is named as such", s)
fritz = one(stored(data, "fritz@example.de"), "placeholders row 2")
c.check("company" not in fritz["prospect"] and fritz["prospect"].get("kind") == "person"
        and "phone" not in fritz["prospect"] and "answer" not in fritz["attributes"],
        "company '-', phone 'N/A', answer 'NULL': empty (a person, not an organization named '-')", fritz)
greta = one(stored(data, family="Null"), "placeholders row 3")
c.check("email" not in greta["prospect"] and "company" not in greta["prospect"]
        and greta["prospect"].get("phone") == "+49307654321", "'Null' as a name stays; e-mail 'null' is none", greta)

s, data = import_both("whitespace-only.csv", "lettershop-csv")
c.check((s.get("records"), s.get("rejected"), s.get("warnings")) == (0, 0, ["the file holds no records"]),
        "a file of blanks and line ends: nothing, with a warning", s)

# ---- XML --------------------------------------------------------------------------------------------
for name in ("namespace-cdata-references.xml", "utf16le-bom.xml"):
    s, data = import_both(name, "lettershop-xml")
    c.check((s.get("records"), s.get("created"), s.get("rejected")) == (3, 2, 1), f"{name}: 3 records, 2 leads", s)
    c.check([r for r, _ in reasons(s)] == ["/Ruecklauf/Antwort[3]"] and "required" in reasons(s)[0][1],
            f"{name}: the empty <Antwort/> is refused by its path", s)
    leads = stored(data)
    first = [x for x in leads if x["prospect"].get("given_name") == "J\u00fcrgen & S\u00f6hne"]
    c.check(len(first) == 1 and first[0]["prospect"]["family_name"] == "M\u00fcller & Co",
            f"{name}: default namespace, CDATA, &#252; and &amp; read", leads)
    second = [x for x in leads if x["prospect"].get("family_name") == "Schmidt -Weber"]
    c.check(len(second) == 1 and second[0]["prospect"]["email"].startswith("anna")
            and second[0]["attributes"].get("answer") == "Zeile 1 Zeile 2",
            f"{name}: values over several lines are trimmed and collapsed", leads)
    if second:
        c.check(second[0].get("consent", {}).get("marketing") is True
                and second[0]["attributes"].get("received_on") == "2026-11-18"
                and second[0].get("interests") == [{"product": "WP-200", "quantity": 2}],
                f"{name}: a yes/no, a date and a number with line breaks and blanks around them", second[0])

s, _ = import_both("html-entity.xml", "lettershop-xml")
document_error(s, "html-entity.xml", "line 4, column 15: not well-formed XML: the entity reference &uuml; is not "
               "defined", "in HTML it is '\u00fc'")
s, _ = import_both("declared-utf8-is-latin1.xml", "lettershop-xml")
document_error(s, "declared-utf8-is-latin1.xml", place("declared-utf8-is-latin1.xml", b"\xfc") + ": byte 0xFC is not UTF-8, which the declaration "
               'encoding="UTF-8" says the document is', 'declare encoding="ISO-8859-1"')
s, data = import_both("windows-1252-declared.xml", "lettershop-xml")
c.check(s.get("created") == 2 and len(stored(data, family="Schmidt")) == 1
        and stored(data, family="Schmidt")[0]["prospect"]["given_name"] == "Zo\u00eb \u201eZo\u201c",
        "windows-1252 as declared: ë and typographic quotes read", s)
s, _ = import_both("billion-laughs.xml", "lettershop-xml")
document_error(s, "billion-laughs.xml", "line 2, column 1: a DOCTYPE declaring entities (which could expand to "
               "gigabytes) is not accepted")
s, _ = import_both("xxe.xml", "lettershop-xml")
document_error(s, "xxe.xml", "line 2, column 1: a DOCTYPE declaring an external entity (which could read files or "
               "URLs) is not accepted")
s, data = import_both("attributes-not-elements.xml", "lettershop-xml")
c.check("prospect.phone: <Antwort> has no element <Telefon> but an attribute Telefon (the mapping reads the element; "
        "@Telefon reads the attribute); not read from records like it" in s.get("warnings", []),
        "a value sent as an attribute instead of an element is named under warnings", s)
c.check(reasons(s) == [("/Ruecklauf/Antwort[2]", "source 'Nachname' -> prospect.family_name: required, but "
                        "<Antwort> has no element <Nachname> but an attribute Nachname (the mapping reads the "
                        "element; @Nachname reads the attribute)")], "... and a required one refuses its record", s)

# ---- JSON through a mapping --------------------------------------------------------------------------
s, _ = import_both("tmf699-one-per-line.ndjson", "tmf699-create")
document_error(s, "tmf699-one-per-line.ndjson", "line 2, column 1", "a second JSON document starts here",
               "NDJSON", "jq -s . FILE")
s, _ = import_both("tmf699-comments.json", "tmf699-create")
document_error(s, "tmf699-comments.json", place("tmf699-comments.json", b"//"), "found a comment (JSON has no comments; remove it)")
s, _ = import_both("tmf699-nan.json", "tmf699-create")
document_error(s, "tmf699-nan.json", place("tmf699-nan.json", b"NaN"), "NaN is no JSON number")
s, _ = import_both("tmf699-lone-surrogate.json", "tmf699-create")
document_error(s, "tmf699-lone-surrogate.json", place("tmf699-lone-surrogate.json", b"\\ud83d"),
               "\\uD83D is half of a UTF-16 surrogate pair without its other half")
s, data = import_both("tmf699-numbers.json", "tmf699-create")
numbers = one(stored(data, "numbers@example.de"), "tmf699 with numbers")
c.check(numbers["prospect"].get("phone") == "+4917612345678"
        and numbers["prospect"]["address"].get("postal_code") == "01067",
        "a phone and a postCode sent as JSON numbers: +49..., 01067 (DE)", numbers)

# ---- canonical import (no mapping): what is not NDJSON ------------------------------------------------
s, _ = import_both("lead-pretty.json", None)
document_error(s, "lead-pretty.json", "line 1: a JSON object that goes on over the next lines", "jq -c . FILE")
s, _ = import_both("excel-sep-crlf.csv", None)
document_error(s, "a CSV without --mapping", "line 1: 'sep=;' is no JSON object", "--mapping NAME")
s, _ = import_both("html-entity.xml", None)
document_error(s, "an XML without --mapping", "line 1: the file is XML", "--mapping NAME")
s, data = import_both("leads-bom-each-line.ndjson", None)
c.check((s.get("created"), s.get("rejected")) == (2, 0) and len(stored(data, "bom2@example.de")) == 1,
        "NDJSON joined from files with byte order marks, CRLF, a blank line: 2 leads", s)

# ---- web forms ------------------------------------------------------------------------------------
body = fixture("form-hidden-field-twice.txt")
st, _, _, answer = hub.request("POST", "/forms/contact", body, {"Content-Type": "application/x-www-form-urlencoded"})
c.check(st == 201, "a form with a hidden field twice and '-' / 'N/A' in optional fields -> 201", answer)
lead = over_http("twice@example.de")
lead = lead[0] if lead else {"prospect": {}}
c.check(lead.get("campaign") == "herbst-26" and "phone" not in lead["prospect"] and "company" not in lead["prospect"]
        and lead["prospect"].get("kind") == "person", "campaign 'herbst-26' once; '-' and 'N/A' are no values", lead)
p = cli("map", "--mapping", "web-form", os.path.join(FIX, "form-hidden-field-twice.txt"), data=WORK + "/map.data")
mapped = json.loads(p.stdout.splitlines()[0]) if p.stdout else {}
c.check(mapped.get("lead", {}).get("campaign") == "herbst-26", "`leadhub map --mapping web-form` reads it alike", p)
boundary = "----messy3"
file_part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nfile@example.de\r\n"
             f"--{boundary}\r\nContent-Disposition: form-data; name=\"message\"; filename*=UTF-8''Lebenslauf%20%C3%BC.txt"
             f"\r\nContent-Type: text/plain\r\n\r\nthe file's text\r\n--{boundary}--\r\n")
st, _, _, answer = hub.request("POST", "/forms/contact", file_part.encode(),
                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})
c.check(st == 400 and any(e["field"] == "message" and "file uploads" in e["reason"] for e in answer.get("errors", [])),
        "a file part named only by filename*= (RFC 5987) is a file upload, refused naming the field", answer)
c.check(over_http("file@example.de") == [], "... and its text did not become the lead's message")

hub.stop()
code = c.done()
if code == 0:
    shutil.rmtree(WORK, ignore_errors=True)
sys.exit(code)

#!/usr/bin/env python3
"""End-to-end test of the `leadhub` command-line tool on real LMDB folders.

Usage: cli_e2e.py PATH_TO_LEADHUB
Each check runs the binary as a user would and looks at exit code, stdout and stderr.
"""
import gzip
import json
from datetime import datetime, timedelta, timezone
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LEADHUB = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="leadhub-cli-")
DATA = os.path.join(WORK, "data")
failures = []


def run(*args, stdin=None, data=DATA, expect=0):
    cmd = [LEADHUB]
    if data:
        cmd += ["--data", data]
    cmd += list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=120)
    if expect is not None and p.returncode != expect:
        failures.append(f"{' '.join(args)}: exit {p.returncode}, expected {expect}\nstderr: {p.stderr}")
    return p


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def create(doc, *extra, expect=0):
    p = run("lead", "create", "--json", json.dumps(doc), *extra, expect=expect)
    return json.loads(p.stdout) if p.returncode == 0 else p


LEAD = {
    "subject": "Forklift \"X\" request",
    "source": "web_form",
    "campaign": "tv-2026",
    "prospect": {"given_name": "Anna", "family_name": "Müller", "email": "Anna.Mueller@Example.COM",
                 "phone": "+49 (30) 123-4567", "address": {"city": "Berlin", "country": "de"}},
    "interests": [{"product": "forklift", "quantity": 2}],
    "expected_value": {"amount": "12500.00", "currency": "eur"},
    "notes": [{"at": "2026-11-01T10:00:00+01:00", "author": "web", "text": "line1\nline2\t\"quoted\""}],
}

# --- create / get round trip ------------------------------------------------------
lead = create(LEAD)
check(lead["version"] == 1 and lead["status"] == "open", "create stores version 1, status open")
check(lead["prospect"]["phone"] == "+49301234567", "phone punctuation normalized to E.164")
check(lead["prospect"]["address"]["country"] == "DE", "country upper-cased")
check(lead["expected_value"]["currency"] == "EUR", "currency upper-cased")
check(lead["notes"][0]["at"] == "2026-11-01T09:00:00.000Z", "note time converted to UTC")
got = json.loads(run("lead", "get", lead["id"]).stdout)
check(got == lead, "lead get returns exactly what create printed")

# --- find ---------------------------------------------------------------------------
found = json.loads(run("lead", "find", "--email", "anna.mueller@example.com").stdout)
check([x["id"] for x in found["items"]] == [lead["id"]] and found["next"] is None, "find by e-mail ignores case")
ids = [create({"prospect": {"family_name": f"P{i}", "email": f"p{i}@example.org"}, "campaign": "paging"})["id"]
       for i in range(7)]
seen, after = [], None
while True:
    args = ["lead", "find", "--campaign", "paging", "--limit", "3"] + (["--after", after] if after else [])
    page = json.loads(run(*args).stdout)
    seen += [x["id"] for x in page["items"]]
    after = page["next"]
    if not after:
        break
check(seen == ids, "paging by cursor returns each lead once, in id order")
check(json.loads(run("lead", "find", "--status", "open", "--campaign", "tv-2026").stdout)["items"][0]["id"] == lead["id"],
      "find with two filters (AND)")
p = run("lead", "find", "--limit", "0", expect=3)
check("limit" in p.stderr, "limit 0 refused naming the field")
# --changed-since takes a date as the report's --since does (midnight UTC)
today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
check(len(json.loads(run("lead", "find", "--campaign", "paging", "--changed-since", today).stdout)["items"]) == 7
      and json.loads(run("lead", "find", "--changed-since", tomorrow).stdout)["items"] == [],
      "--changed-since a date: the leads changed since its midnight UTC")
p = run("lead", "find", "--status", "open", "--status", "qualified", expect=2)
check("option --status given twice" in p.stderr, "an option given twice is a usage error, not the last one winning")
p = run("report", "--campaign", "paging", "--campaign", "tv-2026", expect=2)
check("option --campaign given twice" in p.stderr, "... in report too")
p = run("lead", "find", "--changed-since", "yesterday", expect=3)
check("--changed-since: expected an RFC 3339 time such as 2026-11-01T00:00:00Z or a date" in p.stderr,
      "a bad --changed-since names the option and both forms")

# --- change: versions, lifecycle, lock ----------------------------------------------
lid = lead["id"]
p = run("lead", "change", lid, "--json", '{"status":"qualified"}', expect=2)
check("--if-version" in p.stderr, "change without --if-version is refused")
changed = json.loads(run("lead", "change", lid, "--if-version", "1", "--json", '{"qualification":"hot"}').stdout)
check(changed["status"] == "qualified" and changed["version"] == 2, "qualification makes an open lead qualified")
p = run("lead", "change", lid, "--if-version", "1", "--json", '{"priority":"high"}', expect=5)
check("version 2, not 1" in p.stderr, "stale version refused as a conflict")
p = run("lead", "change", lid, "--if-version", "2", "--json", '{"status":"open"}', expect=5)
check("from qualified to open" in p.stderr, "illegal transition names from and to")
p = run("lead", "change", lid, "--if-version", "2", "--json", '{"status":"declined"}', expect=3)
check("reason: required" in p.stderr, "declined needs a reason")
p = run("lead", "change", lid, "--if-version", "2", "--json", '{"prospect":{"email":"not-mail"}}', expect=3)
check("prospect.email: not an e-mail address" in p.stderr, "validation names the field path")
conv = json.loads(run("lead", "change", lid, "--if-version", "2", "--json", '{"status":"converted"}').stdout)
check(conv["status"] == "converted", "qualified lead converts")
p = run("lead", "change", lid, "--force", "--json", '{"subject":"late edit"}', expect=6)
check("converted" in p.stderr, "converted lead is locked")
audit = json.loads(run("lead", "audit", lid).stdout)
fields = [(e["action"], e.get("field")) for e in audit]
check(fields[0] == ("created", None) and ("changed", "qualification") in fields and ("changed", "status") in fields,
      "audit trail has created + per-field changes")
check(all(e["connector"] == "cli" for e in audit), "audit records the connector")
run("lead", "get", "0000000000001", expect=4)
run("lead", "get", "not-an-id", expect=3)

# --- invalid input --------------------------------------------------------------------
p = create({"prospect": {"email": "x@example.com"}, "status": "nope", "colour": "red"}, expect=3)
check("status: 'nope' is not one of" in p.stderr and "colour: unknown field" in p.stderr,
      "unknown fields and bad enums reported together")
p = create({"prospect": {}}, expect=3)
check("prospect: needs at least one of" in p.stderr, "a lead needs some way to reach the prospect")
p = run("lead", "create", "--json", "{not json", expect=3)
check("not valid JSON" in p.stderr, "malformed JSON reported")

# --- idempotency and external references --------------------------------------------
a = create({"prospect": {"family_name": "Idem"}}, "--idempotency-key", "k-1")
b = create({"prospect": {"family_name": "Idem"}}, "--idempotency-key", "k-1")
check(a["id"] == b["id"], "same idempotency key returns the same lead")
r1 = create({"prospect": {"family_name": "Ref"}, "external_refs": [{"system": "sap", "id": "4711"}]})
r2 = create({"prospect": {"family_name": "Ref again"}, "external_refs": [{"system": "sap", "id": "4711"}]})
check(r1["id"] == r2["id"], "same external reference returns the stored lead")

# --- partners -------------------------------------------------------------------------
partner = json.loads(run("partner", "create", "--json", json.dumps(
    {"kind": "account", "company": "ACME GmbH", "email": "info@acme.example",
     "external_refs": [{"system": "sap", "id": "BP-1"}]})).stdout)
check(partner["kind"] == "account" and partner["version"] == 1, "partner created")
check(json.loads(run("partner", "get", partner["id"]).stdout) == partner, "partner get round trip")
linked = create({"prospect": {"company": "ACME GmbH", "partner_id": partner["id"]}})
check(linked["prospect"]["partner_id"] == partner["id"], "lead linked to an existing partner")
p = create({"prospect": {"company": "X", "partner_id": "0AM4ZPAM40000"}}, expect=3)
check("prospect.partner_id: no business partner" in p.stderr, "unknown partner id refused")
p = run("partner", "create", "--json", '{"kind":"account"}', expect=3)
check("company: required for an account" in p.stderr, "account needs a company")

# --- import / export --------------------------------------------------------------------
ndjson = os.path.join(WORK, "leads.ndjson")
with open(ndjson, "w", encoding="utf-8") as f:
    for i in range(2500):
        f.write(json.dumps({"source": "import", "campaign": "bulk",
                            "prospect": {"family_name": f"Bulk{i}", "email": f"bulk{i}@example.net"},
                            "external_refs": [{"system": "file", "id": str(i)}]}) + "\n")
    f.write("\n")                                   # line 2501: blank, skipped
    f.write("{broken json\n")                       # line 2502
    f.write(json.dumps({"prospect": {"email": "no-at-sign"}}) + "\n")  # line 2503
p = run("import", ndjson, expect=1)
summary = json.loads(p.stdout)
check(summary["created"] == 2500 and summary["rejected"] == 2 and summary["duplicates"] == 0, "import summary counts")
check([e["line"] for e in summary["errors"]] == [2502, 2503], "rejected lines carry their line numbers")
check("prospect.email" in summary["errors"][1]["reason"], "rejection reason names the field")
mixed = os.path.join(WORK, "mixed.ndjson")
with open(mixed, "w", encoding="utf-8") as f:
    f.write(json.dumps({"prospect": {"email": "first-bad-at-store"}}) + "\n")  # line 1: refused by the store
    f.write(json.dumps({"prospect": {"family_name": "Fine"}}) + "\n")
    f.write("{not json\n")                                                  # line 3: refused by the reader
p = run("import", mixed, expect=1)
check([e["line"] for e in json.loads(p.stdout)["errors"]] == [1, 3],
      "import errors are listed in file order, whichever stage refused them")
# A syntax error on line 3: the summary names the line, the reason the column in it
# (in characters: "ü" is one) and its byte in the line, not "line 1" of the record.
syntax = os.path.join(WORK, "syntax.ndjson")
with open(syntax, "w", encoding="utf-8") as f:
    f.write(json.dumps({"prospect": {"family_name": "Eins"}}) + "\n")
    f.write(json.dumps({"prospect": {"family_name": "Zwei"}}) + "\n")
    f.write('{"prospect": {"family_name": "M\u00fcller",}}\n')                  # line 3: a trailing comma
errors = json.loads(run("import", syntax, expect=1).stdout)["errors"]
check(len(errors) == 1 and errors[0]["record"] == "line 3" and errors[0]["line"] == 3
      and errors[0]["reason"] == "(document): not valid JSON: column 38 (byte 38 of the line): "
                                 "a comma before '}' (trailing comma)",
      f"an NDJSON syntax error names its column in the file's line: {errors}")
again = json.loads(run("import", ndjson, expect=1).stdout)
check(again["created"] == 0 and again["duplicates"] == 2500, "re-import creates nothing (external refs)")
check(summary["records"] == 2502, "blank lines are not counted as records")

# A file as Windows tools write it: a UTF-8 byte order mark, CRLF line ends, blank
# lines with spaces, no newline at the end.
windows = os.path.join(WORK, "windows.ndjson")
with open(windows, "wb") as f:
    f.write(b"\xef\xbb\xbf" + json.dumps({"prospect": {"family_name": "M\u00fcller"}}).encode() + b"\r\n\r\n   \r\n")
    f.write(json.dumps({"prospect": {"family_name": "Zwei"}}).encode() + b"\r\n")
    f.write(json.dumps({"prospect": {"family_name": "Drei"}}).encode())
win = json.loads(run("import", windows).stdout)
check(win["records"] == 3 and win["created"] == 3 and win["rejected"] == 0, f"BOM, CRLF and blank lines import cleanly: {win}")
# One JSON array instead of one lead per line (what `jq -s` and many exports write),
# pretty-printed: streamed element by element, rejections name the element's line.
array = os.path.join(WORK, "array.json")
with open(array, "w", encoding="utf-8") as f:
    json.dump([{"prospect": {"family_name": "Arr1"}}, {"prospect": {"family_name": "Arr2", "email": "nope"}},
               {"subject": "brackets ]} and \"quotes\" in a string", "prospect": {"family_name": "Arr3"}}], f, indent=2)
arr = json.loads(run("import", array, expect=1).stdout)
check(arr["records"] == 3 and arr["created"] == 2 and arr["rejected"] == 1, f"a JSON array imports element by element: {arr}")
bad_line = 1 + 1 + len(json.dumps({"prospect": {"family_name": "Arr1"}}, indent=2).splitlines())
check(arr["errors"][0]["record"] == f"line {bad_line} (element 2)" and "prospect.email" in arr["errors"][0]["reason"],
      f"an array element's rejection names its line and place: {arr['errors']}")
with open(array, "w", encoding="utf-8") as f:
    f.write('[{"prospect":{"family_name":"Arr4"}}\n {"prospect":{"family_name":"Arr5"}}]\n')
arr = json.loads(run("import", array, expect=1).stdout)
check(arr["created"] == 1 and arr["errors"][0]["reason"] == "line 2, column 2 (byte 38 of the file): "
                                                             "expected ',' or ']' after the array's element, found '{'",
      f"a broken array stops with its place in the file, after storing what came before: {arr}")


def import_errors(name, content, expect=1):
    """The errors of importing `content` (bytes) from a fresh file into a fresh store."""
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(content)
    data = tempfile.mkdtemp(prefix="positions-", dir=WORK)
    return json.loads(run("import", path, data=data, expect=expect).stdout)["errors"]


# A syntax error inside an array's element is named in the file (line, column in
# characters, byte from the file's first), not in the element's own text, which
# starts in the middle of the file's line 2.
errors = import_errors("element-syntax.json", b'[{"subject":"x","prospect":{"email":"a@b.de"}},\n'
                       b' {"subject": "y", "prospect": {"email": "c@d.de"}, oops}]')
check(len(errors) == 1 and errors[0]["record"] == "line 2 (element 2)" and errors[0]["line"] == 2
      and errors[0]["reason"] == "(document): not valid JSON: line 2, column 52 (byte 99 of the file): "
                                 "expected a member name in double quotes, found 'o'",
      f"an array element's syntax error names its line, column and byte in the file: {errors}")
# An element that spans lines, its error on a later one; "ü" is one column, two bytes.
errors = import_errors("element-lines.json", '[\n  {"prospect": {"family_name": "M\u00fcller"}},\n  {"prospect":\n'
                       '    {"family_name": "M\u00fcller",}}\n]\n'.encode())
check(len(errors) == 1 and errors[0]["record"] == "line 3 (element 2)"
      and errors[0]["reason"] == "(document): not valid JSON: line 4, column 29 (byte 90 of the file): "
                                 "a comma before '}' (trailing comma)",
      f"an error on an element's later line names that line: {errors}")
# A byte order mark is bytes of the file, but no column.
errors = import_errors("element-bom.json", b'\xef\xbb\xbf[{"prospect": {"family_name": x}}]')
check(len(errors) == 1 and errors[0]["reason"] == "(document): not valid JSON: line 1, column 31 (byte 33 of the file): "
                                                  "expected a value, found 'x'",
      f"after a byte order mark, columns are characters and bytes the file's: {errors}")
# A validation error names the element's line, and the field.
errors = import_errors("element-invalid.json", b'[{"prospect": {"family_name": "Ok"}},\n\n  {"prospect": {"email": "nope"}}]')
check(len(errors) == 1 and errors[0]["record"] == "line 3 (element 2)" and "prospect.email" in errors[0]["reason"],
      f"an array element's validation error names its line and the field: {errors}")
# The array's own structure: each error names line and column in the file.
for name, content, reason in (
        ("trailing.json", b'[{"prospect": {"family_name": "T"}}]\n  x\n',
         "line 2, column 3 (byte 39 of the file): text after the array's closing ']': 'x'"),
        ("unterminated.json", b'[{"prospect": {"family_name": "U"}},\n {"prospect": {"family_name": "V"}',
         "line 2, column 2 (byte 38 of the file): the element starting here is not closed (the file ends inside it)"),
        ("unclosed.json", b'[{"prospect": {"family_name": "W"}}\n',
         "line 2, column 1 (byte 36 of the file): the array is not closed (no ']' at the end)")):
    errors = import_errors(name, content)
    check(len(errors) == 1 and errors[0]["record"] == "document" and errors[0]["reason"] == reason,
          f"a broken array ({name}) names line and column: {errors}")
# An NDJSON file's first line after a byte order mark and blanks: its column and
# byte are the file's (the reader had skipped them before it knew the format).
errors = import_errors("bom-blanks.ndjson", b'\xef\xbb\xbf  {"subject": "y", oops}\n')
check(len(errors) == 1 and errors[0]["reason"] == "(document): not valid JSON: column 20 (byte 22 of the line): "
                                                  "expected a member name in double quotes, found 'o'",
      f"the first NDJSON line keeps its byte order mark and blanks in its place: {errors}")
# UTF-16 is converted to UTF-8 as it is read: its lines and characters are the
# file's, its bytes not, so the place names no byte ("\U0001F600" is one column).
bad16 = '{"prospect": {"family_name": "x"}}\n{"subject": "\u00fc\U0001F600", oops}\n'
errors = import_errors("syntax16.ndjson", b"\xff\xfe" + bad16.encode("utf-16-le"))
check(len(errors) == 1 and errors[0]["record"] == "line 2" and errors[0]["reason"] ==
      "(document): not valid JSON: column 19: expected a member name in double quotes, found 'o'",
      f"a UTF-16 NDJSON syntax error names its column, no byte: {errors}")
bad16 = '[{"prospect": {"family_name": "x"}},\n {"subject": "\u00fc", oops}]'
errors = import_errors("syntax16.json", b"\xfe\xff" + bad16.encode("utf-16-be"))
check(len(errors) == 1 and errors[0]["record"] == "line 2 (element 2)" and errors[0]["reason"] ==
      "(document): not valid JSON: line 2, column 19: expected a member name in double quotes, found 'o'",
      f"a UTF-16 array's syntax error names line and column, no byte: {errors}")
errors = import_errors("broken16.json", b"\xff\xfe" + '[{"prospect": {"family_name": "x"}} {}]'.encode("utf-16-le"))
check(len(errors) == 1 and errors[0]["reason"] ==
      "line 1, column 37: expected ',' or ']' after the array's element, found '{'",
      f"a broken UTF-16 array names line and column, no byte: {errors}")
# UTF-16 with its byte order mark (PowerShell's `>`): decoded, NDJSON and arrays alike.
for name, encoding, bom, text in (
        ("utf16le.ndjson", "utf-16-le", b"\xff\xfe",
         json.dumps({"prospect": {"family_name": "Utf16-M\u00fcller"}}, ensure_ascii=False) + "\r\n"
         + json.dumps({"prospect": {"family_name": "Utf16-\U0001F600"}}, ensure_ascii=False) + "\r\n"),
        ("utf16be.json", "utf-16-be", b"\xfe\xff",
         json.dumps([{"prospect": {"family_name": "Utf16-BE1"}}, {"prospect": {"family_name": "Utf16-BE2"}}]))):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(bom + text.encode(encoding))
    got = json.loads(run("import", path).stdout)
    check(got["records"] == 2 and got["created"] == 2 and got["rejected"] == 0, f"UTF-16 {name} is decoded: {got}")
names = [json.loads(line)["prospect"].get("family_name") for line in run("export").stdout.splitlines()]
check("Utf16-M\u00fcller" in names and "Utf16-\U0001F600" in names and "Utf16-BE2" in names,
      "UTF-16 leads are stored with their letters")
# A directory is no file: the same exit code as a missing one; an empty file (or
# one holding only a byte order mark) imports nothing, with a warning.
lettershop = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config", "mappings",
                          "lettershop-csv.yaml")
for args in (["import", WORK], ["import", "--mapping", lettershop, WORK], ["map", "--mapping", lettershop, WORK]):
    p = run(*args, expect=3)
    check(f"cannot read {WORK}: is a directory" in p.stderr and p.stdout == "", f"{args[0]} of a directory: {p.stderr}")
run("import", os.path.join(WORK, "missing.ndjson"), expect=3)
for name, content in (("empty.ndjson", b""), ("bom.ndjson", b"\xef\xbb\xbf"), ("utf16bom.ndjson", b"\xff\xfe"),
                      ("empty.csv", b""), ("bom.csv", b"\xef\xbb\xbf")):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(content)
    args = ["import", "--mapping", lettershop, path] if name.endswith(".csv") else ["import", path]
    got = json.loads(run(*args).stdout)
    check(got["records"] == 0 and "the file holds no records" in got.get("warnings", []),
          f"{name}: exit 0 and a warning that the file holds no records: {got}")
    if name.endswith(".csv"):  # the dry run says it too
        got = json.loads(run("map", "--mapping", lettershop, path).stdout.splitlines()[-1])["summary"]
        check(got["records"] == 0 and "the file holds no records" in got.get("warnings", []),
              f"map {name}: a warning that the file holds no records: {got}")
# A workbook or an archive picked instead of the CSV export: named, exit 1, nothing stored
xlsx = os.path.join(WORK, "responses.xlsx")
with open(xlsx, "wb") as f:
    f.write(b"PK\x03\x04\x14\x00\x06\x00" + bytes(200))
p = run("import", "--mapping", lettershop, xlsx, expect=1)
got = json.loads(p.stdout)
check(got["created"] == 0 and "an Excel .xlsx or LibreOffice .ods workbook" in got["errors"][0]["reason"],
      f"import of an .xlsx through a CSV mapping names the workbook: {got}")
# gzip files: recognised by their first two bytes (not the name), decoded as they are
# read; rejections name the lines of the decoded text. Each into a fresh store.
with open(ndjson, "rb") as f:
    plain_ndjson = f.read()
for name in ("leads.ndjson.gz", "leads-gzipped.ndjson"):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(gzip.compress(plain_ndjson))
    got = json.loads(run("import", path, data=tempfile.mkdtemp(prefix="gz-", dir=WORK), expect=1).stdout)
    check(got["created"] == 2500 and [e["line"] for e in got["errors"]] == [2502, 2503],
          f"a gzip NDJSON file ({name}) imports like the plain one, rejections on decoded lines: "
          f"{ {k: got[k] for k in ('created', 'rejected')} } {got['errors']}")
responses = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "lettershop", "responses.csv")
with open(responses, "rb") as f:
    plain_csv = f.read()
responses_gz = os.path.join(WORK, "responses.csv.gz")
with open(responses_gz, "wb") as f:
    f.write(gzip.compress(plain_csv))
plain = json.loads(run("import", "--mapping", lettershop, responses, data=tempfile.mkdtemp(prefix="gz-", dir=WORK),
                       expect=None).stdout)
got = json.loads(run("import", "--mapping", lettershop, responses_gz, data=tempfile.mkdtemp(prefix="gz-", dir=WORK),
                     expect=None).stdout)
same = ("records", "created", "duplicates", "rejected", "errors")
check(plain["created"] > 0 and {k: got.get(k) for k in same} == {k: plain.get(k) for k in same},
      f"a gzip partner CSV through --mapping imports like the plain file: {got}")
mapped = run("map", "--mapping", lettershop, responses_gz, expect=None).stdout.splitlines()
check(mapped == run("map", "--mapping", lettershop, responses, expect=None).stdout.splitlines(),
      "map (the dry run) reads the gzip CSV like the plain one")
packed = gzip.compress(plain_ndjson)
for name, content, reason in (
        ("cut.ndjson.gz", packed[:len(packed) // 2], "gzip data ends before the compressed stream does"),
        ("corrupt.ndjson.gz", packed[:20] + bytes(200) + packed[220:], "gzip data is corrupt: ")):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(content)
    p = run("import", path, data=tempfile.mkdtemp(prefix="gz-", dir=WORK), expect=1)
    got = json.loads(p.stdout)
    document = [e for e in got["errors"] if e["record"] == "document"]
    check(document and document[0]["reason"].startswith(reason) and f"leadhub: import: {path}: {reason}" in p.stderr,
          f"a damaged gzip file ({name}) fails naming the file and the reason: {document} / {p.stderr.strip()}")
exported = run("export").stdout.splitlines()
stats = json.loads(run("stats").stdout)
check(len(exported) == stats["leads"], "export writes every lead")
check(stats["leads_by_status"]["converted"] == 1, "stats count leads by status")

# --- backup -----------------------------------------------------------------------------
backup = os.path.join(WORK, "backup")
run("backup", backup)
check(json.loads(run("lead", "get", lid, data=backup).stdout)["status"] == "converted", "backup opens and holds the data")
run("backup", backup, expect=3)

# --- config -------------------------------------------------------------------------------
cfg = os.path.join(WORK, "bad.yaml")
with open(cfg, "w") as f:
    f.write("data: x\nstore:\n  max_batch: 10\n  colour: blue\n")
p = run("--config", cfg, "stats", data=None, expect=2)
check(f"{cfg}:4:3: unknown key 'colour' (expected one of: map_size_mb, max_batch, partition)" in p.stderr,
      "config errors give file:line:column and the keys allowed there")
good = os.path.join(WORK, "good.yaml")
with open(good, "w") as f:
    f.write(f"data: {os.path.join(WORK, 'cfgdata')}\nstore:\n  map_size_mb: 64\n")
run("--config", good, "lead", "create", "--json", '{"prospect":{"family_name":"Cfg"}}', data=None)
check(os.path.exists(os.path.join(WORK, "cfgdata", "data.mdb")), "config data folder used")

# --- help and serve ------------------------------------------------------------------------
for sub in (["--help"], ["lead", "--help"], ["partner", "--help"], ["import", "--help"], ["export", "--help"],
            ["backup", "--help"], ["stats", "--help"], ["serve", "--help"]):
    run(*sub, data=None)
run("frobnicate", expect=2)
# A command that needs a config section the config lacks: a config error (exit 2)
# that names the section, not invalid input (3).
for sub, needs in ((["score", "rebuild"], "processing:"), (["reindex"], "processing:"),
                   (["aging", "run"], "processing: aging:"),
                   (["lead", "duplicates", "--json", json.dumps(LEAD)], "processing:")):
    p = run(*sub, expect=2)
    check(p.stderr.startswith("leadhub: config: no `" + needs + "`"),
          "%s without processing: config error naming `%s` (%s)" % (" ".join(sub[:2]), needs, p.stderr.strip()))
top_help = run("--help", data=None).stdout
lead_subcommands = set(re.findall(r"leadhub lead (\w+)", run("lead", "--help", data=None).stdout))
listed = re.search(r"lead ([\w|]+)", top_help)
missing = lead_subcommands - set(listed.group(1).split("|") if listed else [])
check(not missing, "leadhub --help lists every lead subcommand (missing: %s)" % sorted(missing))
srv = subprocess.Popen([LEADHUB, "--data", DATA, "serve"], stderr=subprocess.PIPE, text=True)
# SIGTERM once it says it is ready: a signal during start-up (before serve blocks it
# for its own sigwait) ends the process the default way, as for any program.
ready_deadline = time.time() + 60
for line in srv.stderr:
    if "leadhub: ready" in line or time.time() > ready_deadline:
        break
srv.send_signal(signal.SIGTERM)
try:
    rc = srv.wait(timeout=10)
except subprocess.TimeoutExpired:
    srv.kill()
    rc = -1
check(rc == 0, "serve exits 0 on SIGTERM")

# A listen port another program holds (a system RabbitMQ on 5672, a web server on
# 8080): serve stops with exit 7, naming the connector, the port and what to do.
with socket.socket() as taken:
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    busy = os.path.join(WORK, "busy.yaml")
    with open(busy, "w") as f:
        f.write(f"connectors:\n  - {{name: web, type: http, listen: '127.0.0.1:{port}'}}\n")
    p = run("--config", busy, "serve", expect=7)
    check(f"connector web: cannot listen on 127.0.0.1:{port}" in p.stderr and "another program listens there" in p.stderr
          and "`listen:`" in p.stderr, "serve on a taken port: exit 7 naming connector, port and remedy (%s)"
          % p.stderr.strip()[-300:])

shutil.rmtree(WORK, ignore_errors=True)
if failures:
    print(f"\n{len(failures)} failure(s):")
    for f in failures:
        print(" -", f)
    sys.exit(1)
print("\nall CLI checks passed")

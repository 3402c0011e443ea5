#!/usr/bin/python3
"""The hub generates SAP-style responses from its outbound mappings, valid per the XSDs.

Usage: sap_outbound_test.py LEADHUB_BINARY REPO_ROOT
Imports the good LeadCreateRequest sample, then renders a LeadSimpleByElementsResponse
(`lead find --as sap-lead-find`) and a LeadByIDResponse (`lead get --as sap-lead-read`),
validates both with xmllint against schemas/sap/, and checks the code lists run in reverse.
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

LEADHUB, ROOT = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def hub(data, *args):
    p = subprocess.run([LEADHUB, "--data", data, *args], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"leadhub {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def xsd_valid(xml_text, xsd):
    with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False, encoding="utf-8") as f:
        f.write(xml_text)
    p = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(ROOT, "schemas/sap", xsd), f.name],
                       capture_output=True, text=True)
    os.unlink(f.name)
    return p.returncode == 0, p.stderr.strip()


with tempfile.TemporaryDirectory(prefix="leadhub-sap-out-") as data:
    mappings = os.path.join(ROOT, "config/mappings")
    hub(data, "import", "--mapping", os.path.join(mappings, "sap-lead-create.yaml"),
        os.path.join(ROOT, "tests/fixtures/sap/LeadCreateRequest-good.xml"))

    page = hub(data, "lead", "find", "--limit", "2", "--as", os.path.join(mappings, "sap-lead-find.yaml"))
    ok, err = xsd_valid(page, "LeadSimpleByElementsResponse.xsd")
    check(ok, "find page validates against LeadSimpleByElementsResponse.xsd " + err)
    doc = ET.fromstring(page)
    leads = doc.findall("Lead")
    check(len(leads) == 2, "find page holds 2 leads")
    check(doc.findtext("ProcessingConditions/ReturnedQueryHitsNumberValue") == "2", "hit count 2")
    check(doc.findtext("ProcessingConditions/MoreHitsAvailableIndicator") == "true", "more hits available (3 stored)")
    check(doc.findtext("ProcessingConditions/LastReturnedObjectID") == leads[-1].findtext("ObjectID"),
          "LastReturnedObjectID is the last lead's id")

    stored = {x["external_refs"][0]["id"]: x for x in json.loads(hub(data, "lead", "find"))["items"]}
    second = stored["LD-100002"]
    reply = hub(data, "lead", "get", second["id"], "--as", os.path.join(mappings, "sap-lead-read.yaml"))
    ok, err = xsd_valid(reply, "LeadByIDResponse.xsd")
    check(ok, "read reply validates against LeadByIDResponse.xsd " + err)
    lead = ET.fromstring(reply).find("Lead")
    check(lead.findtext("ObjectID") == second["id"] and lead.findtext("ID") == "LD-100002", "ids round-trip")
    check(lead.findtext("LifeCycleStatusCode") == "03", "status qualified -> 03")
    check(lead.findtext("QualificationLevelCode") == "03", "qualification hot -> 03")
    check(lead.findtext("PriorityCode") == "1", "priority immediate -> 1")
    check(lead.findtext("OriginTypeCode") == "005", "source trade_show -> 005")
    check(lead.findtext("ChangeStateID") == str(second["version"]), "ChangeStateID is the version")

    # The XSD check can fail: a reply without its required ObjectID must not validate.
    broken = reply.replace("<ObjectID>" + second["id"] + "</ObjectID>", "")
    ok, _ = xsd_valid(broken, "LeadByIDResponse.xsd")
    check(not ok, "a reply missing ObjectID is refused by the XSD")

if failures:
    print(f"\n{len(failures)} failure(s)")
    sys.exit(1)
print("\nall SAP outbound checks passed")

#!/usr/bin/env python3
"""A real browser fills in and sends the shipped contact form.

Headless Chromium (Debian's chromium package) loads config/forms/contact.html
from the hub, types into the fields, ticks the newsletter box, waits past the
form's minimum fill time, clicks Send, follows the 303 to the thanks page; the
lead must then be in the store with the typed values and the consent. Chromium
is driven over the DevTools protocol (python3-websocket).

Usage: browser_form_test.py PATH_TO_LEADHUB
"""
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = sys.argv[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

CONFIG = """
mappings: @REPO@/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    forms:
      - name: contact
        page: @REPO@/config/forms/contact.html
        min_fill_seconds: 1
        campaign: browser-test
"""


class Page:
    """One Chromium tab over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30)
        self.ids = itertools.count(1)
        self.events = []

    def call(self, method, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[: i + 1]
                    return e
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        raise RuntimeError(f"no {name} within {timeout} s")

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def click(self, selector):
        # Scrolled into view first: a mouse event only hits what is on screen.
        box = self.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                      f" e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();"
                      f" return [r.x + r.width / 2, r.y + r.height / 2]; }})()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def type_into(self, selector, text):
        self.js(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)


def start_chromium(profile):
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    deadline = time.time() + 30
    for line in proc.stderr:
        m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
        if m:
            return proc, int(m.group(1))
        if time.time() > deadline:
            break
    proc.kill()
    raise RuntimeError("chromium did not start its DevTools endpoint")


c = Checks()
hub = Hub(LEADHUB, CONFIG, name="browser").start()
profile = tempfile.mkdtemp(prefix="leadhub-chromium-")
chrome, devtools = start_chromium(profile)
try:
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=10))
    page = Page(next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"])
    page.call("Page.enable")
    base = f"http://127.0.0.1:{hub.port()}"
    page.call("Page.navigate", url=base + "/forms/contact")
    page.wait_event("Page.loadEventFired")
    c.check(page.js("document.title") == "Contact us", "Chromium loads the form page from the hub")
    token = page.js("document.querySelector('[name=_ts]').value")
    c.check(bool(re.fullmatch(r"\d+\.[0-9a-f]{32}", token or "")), "the page carries a signed token", token)

    page.type_into("[name=first_name]", "Jürgen")
    page.type_into("[name=last_name]", "Großmann")
    page.type_into("[name=company]", "Großmann & Söhne GmbH")
    page.type_into("[name=email]", "j.grossmann@example.de")
    page.type_into("[name=phone]", "030 123 456 78")
    page.type_into("[name=country]", "Germany")
    page.type_into("[name=message]", "Bitte rufen Sie mich an.\nAb 9 Uhr.")
    page.click("[name=newsletter]")
    c.check(page.js("document.querySelector('[name=newsletter]').checked") is True, "the newsletter box is ticked")
    time.sleep(1.3)  # past min_fill_seconds
    page.click("button[type=submit]")
    page.wait_event("Page.loadEventFired")
    c.check(page.js("location.pathname") == "/forms/contact/thanks", "after Send the browser is on the thanks page",
            page.js("location.href"))
    c.check("Thank you" in (page.js("document.body.innerText") or ""), "the thanks page is shown")

    st, _, _, found = hub.request("GET", "/api/v1/leads?email=j.grossmann%40example.de")
    items = found["items"] if st == 200 else []
    c.check(len(items) == 1, "exactly one lead stored for the post", found)
    if items:
        lead = items[0]
        c.check(lead["prospect"]["given_name"] == "Jürgen" and lead["prospect"]["family_name"] == "Großmann",
                "typed names arrive as UTF-8", lead["prospect"])
        c.check(lead["prospect"]["company"] == "Großmann & Söhne GmbH" and lead["prospect"]["kind"] == "organization",
                "company and kind", lead["prospect"])
        c.check(lead["prospect"]["phone"] == "+493012345678" and lead["prospect"]["address"]["country"] == "DE",
                "phone to E.164, country to ISO code", lead["prospect"])
        c.check(lead["notes"][0]["text"].replace("\r\n", "\n") == "Bitte rufen Sie mich an.\nAb 9 Uhr.",
                "the message is a note", lead.get("notes"))
        c.check(lead["consent"]["marketing"] is True and "offers" in lead["consent"]["text"] and lead["consent"]["at"],
                "consent with its text and time", lead["consent"])
        c.check(lead["source"] == "web_form" and lead["campaign"] == "browser-test", "source and campaign")

    # The browser sends it again (reload of the POST is what users do): same lead.
    page.call("Page.navigate", url=base + "/forms/contact")
    page.wait_event("Page.loadEventFired")
    page.type_into("[name=last_name]", "Großmann")
    page.type_into("[name=email]", "J.Grossmann@example.de")
    time.sleep(1.1)
    page.click("button[type=submit]")
    page.wait_event("Page.loadEventFired")
    st, _, _, found = hub.request("GET", "/api/v1/leads?email=j.grossmann%40example.de")
    c.check(page.js("location.pathname") == "/forms/contact/thanks" and len(found["items"]) == 1,
            "a second send with the same e-mail lands on thanks and stores nothing new", found)

    # A bot that fills the hidden honeypot field ends on the error page.
    page.call("Page.navigate", url=base + "/forms/contact")
    page.wait_event("Page.loadEventFired")
    page.js("document.querySelector('[name=website]').value = 'http://spam.example'")
    page.type_into("[name=last_name]", "Bot")
    page.type_into("[name=email]", "bot@spam.example")
    time.sleep(1.1)
    page.click("button[type=submit]")
    page.wait_event("Page.loadEventFired")
    c.check(page.js("location.pathname") == "/forms/contact/error" and "spam" in page.js("location.search"),
            "a filled honeypot ends on the error page", page.js("location.href"))
finally:
    chrome.kill()
    chrome.wait()
    shutil.rmtree(profile, ignore_errors=True)
    hub.stop()
sys.exit(c.done())

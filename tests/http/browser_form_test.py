#!/usr/bin/env python3
"""A real browser fills in and sends the shipped contact form.

Headless Chromium (Debian's chromium package) loads config/forms/contact.html
from the hub, types into the fields, ticks the newsletter box, waits past the
form's minimum fill time, clicks Send, follows the 303 to the thanks page; the
lead must then be in the store with the typed values and the consent. Chromium
is driven over the DevTools protocol (python3-websocket).

Usage: browser_form_test.py PATH_TO_LEADHUB
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from browser import browser_page  # noqa: E402
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = sys.argv[1]

CONFIG = """
mappings: @REPO@/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    max_body_bytes: 65536
    forms:
      - name: contact
        page: @REPO@/config/forms/contact.html
        min_fill_seconds: 1
        campaign: browser-test
"""


c = Checks()
hub = Hub(LEADHUB, CONFIG, name="browser").start()


def drive(page):
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

    # A message longer than max_body_bytes: the hub refuses the body before reading
    # it, and the browser still lands on the error page, not on a problem as text.
    page.call("Page.navigate", url=base + "/forms/contact")
    page.wait_event("Page.loadEventFired")
    page.type_into("[name=last_name]", "Long")
    page.type_into("[name=email]", "long@example.de")
    page.js("document.querySelector('[name=message]').value = 'Lorem ipsum '.repeat(10000)")
    time.sleep(1.1)
    page.click("button[type=submit]")
    page.wait_event("Page.loadEventFired")
    c.check(page.js("location.pathname + location.search") == "/forms/contact/error?reason=too_large",
            "a post over the body limit ends on the error page with reason=too_large", page.js("location.href"))


try:
    with browser_page() as page:
        drive(page)
finally:
    hub.stop()
sys.exit(c.done())

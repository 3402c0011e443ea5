#!/usr/bin/env python3
"""A real browser uses the dashboard (GET /dashboard) of a hub with API keys.

Headless Chromium loads the page, is asked for a key, shows the report tables
with the right numbers, searches leads a page at a time, opens a lead with its
audit trail, and shows a lead's markup (subject, campaign) as text without
running it.

Usage: dashboard_browser_test.py PATH_TO_LEADHUB
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from browser import browser_page  # noqa: E402
from hub_process import Hub, Checks, key_sha256  # noqa: E402

LEADHUB = sys.argv[1]
STAFF = "lh_dashboard_staff_1"
XSS_SUBJECT = '<img src=x onerror="window.__pwned=1">'
XSS_CAMPAIGN = "<i>x</i><script>window.__pwned=2</script>"

CONFIG = f"""
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    api_keys:
      - {{name: staff, sha256: {key_sha256(STAFF)},
         scopes: [leads:read, leads:write, audit:read]}}
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="dashboard").start()
AUTH = {"Authorization": "Bearer " + STAFF}


def create(subject, campaign, source, email, channel=None):
    doc = {"subject": subject, "campaign": campaign, "source": source,
           "prospect": {"family_name": "Muster", "email": email}}
    if channel:
        doc["owner"] = {"channel": channel}
    st, _, _, lead = hub.request("POST", "/api/v1/leads", doc, AUTH)
    assert st == 201, (st, lead)
    return lead


def patch(lead, change):
    st, _, _, out = hub.request("PATCH", "/api/v1/leads/" + lead["id"], json.dumps(change),
                                {**AUTH, "Content-Type": "application/merge-patch+json",
                                 "If-Match": f'"{lead["version"]}"'})
    assert st == 200, (st, out)
    return out


# spring: 3 web-form leads of channel north, one converted (so qualified first); autumn: 2
# lettershop leads, one in process; one lead whose subject and campaign are markup.
spring = [create(f"Spring lead {i}", "spring", "web_form", f"spring{i}@example.com", "north") for i in range(3)]
qualified = patch(patch(spring[0], {"status": "in_process"}), {"status": "qualified"})
st, _, _, _ = hub.request("POST", f"/api/v1/leads/{spring[0]['id']}/convert", {}, AUTH)
assert st == 200, st
autumn = [create(f"Autumn lead {i}", "autumn", "lettershop", f"autumn{i}@example.com") for i in range(2)]
patch(autumn[0], {"status": "in_process"})
xss = create(XSS_SUBJECT, XSS_CAMPAIGN, "api", "xss@example.com")

base = f"http://127.0.0.1:{hub.port()}"
st, h, html, _ = hub.request("GET", "/dashboard")
c.check(st == 200 and h["content-type"].startswith("text/html"), "GET /dashboard serves the page", st)
c.check("<script src" not in html and "http://" not in html.replace("http://127", "") and "https://" not in html,
        "the page loads nothing from elsewhere")
c.check("default-src 'none'" in h.get("content-security-policy", ""), "a Content-Security-Policy keeps it so", h)


def text(selector):
    return page.js(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                   f" return e ? e.textContent : null; }})()")


def cells(table_selector, key):
    """The texts of the cells of the row with data-key=key."""
    return page.js(f"Array.from(document.querySelectorAll({json.dumps(table_selector + ' tr')}))"
                   f".filter(r => r.dataset.key === {json.dumps(key)})"
                   f".flatMap(r => Array.from(r.cells).map(td => td.textContent))")


def retype(selector, value):
    page.js(f"document.querySelector({json.dumps(selector)}).value = ''")
    page.type_into(selector, value)


def row_count(table_selector):
    return page.js(f"document.querySelectorAll({json.dumps(table_selector + ' tbody tr')}).length")


def drive():
    # ---- asked for a key, kept for the tab ------------------------------------------------------
    page.goto(base + "/dashboard")
    c.check(page.js("document.title") == "leadhub dashboard", "Chromium loads the dashboard from the hub")
    c.check(page.wait_for("!document.getElementById('key-box').hidden") is True,
            "without a key the page asks for one", text("#message"))
    page.type_into("#key", STAFF)
    page.click("#key-box button[type=submit]")
    c.check(page.wait_for("document.body.dataset.report === 'loaded'") is True, "with the key the report loads",
            text("#message"))
    c.check(page.js("sessionStorage.getItem('leadhub.apiKey')") == STAFF, "the key is in sessionStorage")

    # ---- the report's tables ---------------------------------------------------------------------
    c.check(cells("#pipeline", "open") == ["open", "4"], "pipeline: 4 open", cells("#pipeline", "open"))
    c.check(cells("#pipeline", "converted") == ["converted", "1"], "pipeline: 1 converted")
    c.check(cells("#pipeline", "in_process") == ["in_process", "1"], "pipeline: 1 in process")
    c.check(cells("#pipeline", "total") == ["total", "6"], "pipeline: 6 in all")
    spring_row = cells("#campaigns", "spring")
    c.check(spring_row[:2] == ["spring", "3"] and spring_row[6] == "1" and spring_row[-1] == "33.3 %",
            "campaigns: spring has 3 leads, 1 converted, 33.3 % conversion", spring_row)
    autumn_row = cells("#campaigns", "autumn")
    c.check(autumn_row[:4] == ["autumn", "2", "1", "1"] and autumn_row[-1] == "0.0 %", "campaigns: autumn",
            autumn_row)
    c.check(cells("#sources", "web_form")[1] == "3", "sources: 3 from the web form", cells("#sources", "web_form"))
    north = cells("#channels", "north")
    c.check(north[:2] == ["north", "3"] and north[6] == "1" and north[-1] == "33.3 %",
            "owner channels: north has 3 leads, 1 converted, 33.3 % conversion", north)
    c.check(cells("#channels", "")[:2] == ["(none)", "3"], "owner channels: 3 leads without one",
            cells("#channels", ""))
    qualified_all, qualified_web = cells("#time-to-qualify", "all"), cells("#time-to-qualify", "web_form")
    c.check(qualified_all[:2] == ["all", "1"] and qualified_web[:2] == ["web_form", "1"]
            and qualified_all[2].endswith((" s", " min")) and row_count("#time-to-qualify") == 2,
            "time to qualify: the one qualified web-form lead, in seconds or minutes", (qualified_all, qualified_web))
    c.check(cells("#aging", "escalated") == ["escalated", "0"] and cells("#aging", "closed") == ["closed as aged", "0"],
            "aging: what it escalated and closed", (cells("#aging", "escalated"), cells("#aging", "closed")))
    c.check(row_count("#per-day") == 30, "30 days of creates")
    c.check(page.js("Array.from(document.querySelectorAll('#per-day tbody tr')).pop().cells[1].textContent") == "6",
            "all 6 leads created today")

    # ---- a filter on the report ------------------------------------------------------------------
    page.type_into("#f-campaign", "autumn")
    page.js("document.body.dataset.report = ''")
    page.click("#report-filters button[type=submit]")
    page.wait_for("document.body.dataset.report === 'loaded'")
    c.check(cells("#pipeline", "total") == ["total", "2"], "the campaign filter narrows the report",
            cells("#pipeline", "total"))

    # ---- a campaign no lead has: the error, and no figures left from the last report ---------------
    retype("#f-campaign", "Autumn")
    page.js("document.body.dataset.report = ''")
    page.click("#report-filters button[type=submit]")
    c.check(page.wait_for("document.body.dataset.report === 'failed'") is True, "a campaign no lead has fails")
    c.check("did you mean 'autumn'?" in text("#message") and row_count("#pipeline") == 0
            and text("#report-summary") == "no report for these filters",
            "... saying so, with no figures of the last report left", (text("#message"), row_count("#pipeline")))

    # ---- created since and through today: the day picked as "through" is included ----------------
    retype("#f-campaign", "")
    page.js("const today = new Date().toISOString().slice(0, 10);"
            "document.getElementById('f-since').value = today; document.getElementById('f-until').value = today;")
    page.js("document.body.dataset.report = ''")
    page.click("#report-filters button[type=submit]")
    page.wait_for("document.body.dataset.report === 'loaded'")
    c.check(cells("#pipeline", "total") == ["total", "6"], "since and through today: today's 6 leads",
            (cells("#pipeline", "total"), text("#message")))
    page.js("document.getElementById('f-since').value = ''; document.getElementById('f-until').value = ''")

    # ---- search with paging ----------------------------------------------------------------------
    page.type_into("#s-campaign", "spring")
    page.js("document.getElementById('s-limit').value = '2'")
    page.click("#search button[type=submit]")
    c.check(page.wait_for("document.querySelectorAll('#results tbody tr').length === 2") is True,
            "a search for campaign spring shows a first page of 2", row_count("#results"))
    c.check(page.js("document.getElementById('next-page').hidden") is False, "... with a next page")
    first = page.js("Array.from(document.querySelectorAll('#results tbody tr')).map(r => r.dataset.key)")
    page.click("#next-page")
    c.check(page.wait_for("document.querySelectorAll('#results tbody tr').length === 1") is True,
            "the next page holds the third spring lead")
    last = page.js("document.querySelector('#results tbody tr').dataset.key")
    c.check(sorted(first + [last]) == sorted(lead["id"] for lead in spring), "the pages hold the spring leads",
            (first, last))
    c.check(page.js("document.getElementById('next-page').hidden") is True, "... and no further page")

    # ---- a rep's own leads: by owner channel ---------------------------------------------------------
    retype("#s-campaign", "")
    page.js("document.getElementById('s-limit').value = '20'")
    page.type_into("#s-owner", "north")
    page.click("#search button[type=submit]")
    c.check(page.wait_for("document.querySelectorAll('#results tbody tr').length === 3") is True,
            "a search by owner channel north shows its 3 leads", row_count("#results"))
    c.check(all(cells("#results", lead["id"])[4] == "north" for lead in spring),
            "... each with its owner channel", [cells("#results", lead["id"]) for lead in spring])
    retype("#s-owner", "")

    # ---- a lead whose subject and campaign are markup: shown as text -------------------------------
    retype("#s-campaign", "")
    retype("#s-email", "xss@example.com")
    page.click("#search button[type=submit]")
    page.wait_for(f"document.querySelector('#results tbody tr')?.dataset.key === {json.dumps(xss['id'])}")
    c.check(cells("#results", xss["id"])[1:4] == [XSS_SUBJECT, "open", XSS_CAMPAIGN],
            "a subject and campaign of markup show as text in the results", cells("#results", xss["id"]))

    # ---- the lead and its audit trail ----------------------------------------------------------------
    page.click(f"#results tr[data-key='{xss['id']}'] button")
    c.check(page.wait_for("document.querySelectorAll('#audit tbody tr').length > 0") is True,
            "opening a lead shows its audit trail", text("#message"))
    c.check(text("#detail-id") == xss["id"] and cells("#lead-fields", "subject") == ["subject", XSS_SUBJECT],
            "the lead's detail shows its subject as text", cells("#lead-fields", "subject"))
    c.check(cells("#audit", "0")[3] == "created", "the audit trail starts with its creation", cells("#audit", "0"))

    page.goto(base + "/dashboard")  # the campaign table now lists the markup campaign too
    page.wait_for("document.body.dataset.report === 'loaded'")
    c.check(page.js("document.getElementById('key-box').hidden") is True, "a reload keeps the key for the tab")
    c.check(cells("#campaigns", XSS_CAMPAIGN)[:2] == [XSS_CAMPAIGN, "1"], "a campaign of markup shows as text",
            cells("#campaigns", XSS_CAMPAIGN))
    c.check(cells("#campaigns", "")[:2] == ["(none)", "0"], "campaigns: a row for the leads without one",
            cells("#campaigns", ""))
    c.check(page.js("document.querySelectorAll('img, i').length") == 0 and page.js("document.scripts.length") == 1 and
            page.js("window.__pwned") is None, "no markup from a lead became an element or ran")

    # ---- the audit of a changed lead --------------------------------------------------------------------
    retype("#s-email", "spring0@example.com")
    page.click("#search button[type=submit]")
    page.wait_for(f"document.querySelector('#results tbody tr')?.dataset.key === {json.dumps(qualified['id'])}")
    page.click(f"#results tr[data-key='{qualified['id']}'] button")
    page.wait_for("document.querySelectorAll('#audit tbody tr').length > 2")
    actions = page.js("Array.from(document.querySelectorAll('#audit tbody tr')).map(r => r.cells[3].textContent)")
    statuses = page.js("Array.from(document.querySelectorAll('#audit tbody tr'))"
                       ".filter(r => r.cells[5].textContent === 'status').map(r => r.cells[7].textContent)")
    c.check(actions[0] == "created" and "changed" in actions and '"converted"' in statuses,
            "the converted lead's audit shows its status changes", (actions, statuses))


try:
    with browser_page() as page:
        drive()
finally:
    c.check(hub.stop() == 0, "hub stops cleanly")
sys.exit(c.done())

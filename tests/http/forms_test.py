#!/usr/bin/env python3
"""Web-form intake over real HTTP: urlencoded, multipart and JSON posts through the
web-form mapping; browser (303) and script (201/JSON) answers; honeypot, minimum
fill time with a signed token, per-client rate limit, double submits, CORS, bad
input; and the leads in the store afterwards.

Usage: forms_test.py PATH_TO_LEADHUB
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from hub_process import Hub, Checks  # noqa: E402

LEADHUB = sys.argv[1]
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "web-form")

CONFIG = """
mappings: @REPO@/config/mappings
connectors:
  - name: http
    type: http
    listen: 127.0.0.1:0
    forms:
      - name: contact
        campaign: website-default
        duplicate_window_seconds: 600
        rate_limit_per_minute: 1000
        consent_text: I agree to receive offers by e-mail.
        cors_origins: [https://www.example.com]
      - name: slow
        min_fill_seconds: 1
        token_secret: test-secret
        rate_limit_per_minute: 1000
        page: @REPO@/config/forms/contact.html
      - name: legacy
        undeclared_charset: windows-1252
        rate_limit_per_minute: 1000
      - name: limited
        error_page: @REPO@/tests/fixtures/web-form/error-page.html
        rate_limit_per_minute: 2
        duplicate_window_seconds: 0
"""

c = Checks()
hub = Hub(LEADHUB, CONFIG, name="forms").start()
FORM = "application/x-www-form-urlencoded"
BROWSER = {"Content-Type": FORM, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.read().strip()


def post(form, body, headers=None, content_type=FORM):
    h = {"Content-Type": content_type}
    h.update(headers or {})
    return hub.request("POST", f"/forms/{form}", body, h)


def lead(lead_id):
    p = subprocess.run([LEADHUB, "--data", hub.data, "lead", "get", lead_id], capture_output=True, text=True)
    return json.loads(p.stdout) if p.returncode == 0 else None


def stored_count(email):
    st, _, _, page = hub.request("GET", "/api/v1/leads?email=" + urllib.parse.quote(email) + "&limit=1000")
    return len(page["items"])


# ---- a script posting urlencoded ----------------------------------------------------------
st, h, _, body = post("contact", fixture("contact-full.txt"))
c.check(st == 201 and body["status"] == "created" and h.get("location") == "/api/v1/leads/" + body["id"],
        "urlencoded post from a script -> 201 with the lead id", (st, body))
stored = lead(body["id"])
c.check(stored and stored["source"] == "web_form" and stored["prospect"]["family_name"] == "Müller-Lüdenscheidt",
        "the lead is stored, source web_form, UTF-8 names", stored)
c.check(stored and stored["prospect"]["phone"] == "+49301234567" and stored["prospect"]["address"]["country"] == "DE",
        "the form's mapping normalized phone and country", stored)
c.check(stored and stored["campaign"] == "SHK-2026-Q4", "campaign from the hidden utm_campaign field")
c.check(stored and stored["consent"]["marketing"] is True and stored["consent"].get("at")
        and "Angebote" in stored["consent"]["text"], "consent, its text and time stored", stored and stored["consent"])
c.check(stored and stored["attributes"].get("form") == "contact" and "honeypot" not in stored["attributes"],
        "the lead records which form it came from", stored and stored["attributes"])
partner_id = stored and stored["prospect"].get("partner_id")
p = subprocess.run([LEADHUB, "--data", hub.data, "partner", "get", partner_id or "none"], capture_output=True,
                   text=True)
partner = json.loads(p.stdout) if p.returncode == 0 else {}
c.check(partner.get("family_name") == "Müller-Lüdenscheidt" and partner.get("email") == stored["prospect"]["email"],
        "the post registered the person as a business partner, linked from the lead", (partner_id, p.stdout, p.stderr))

# ---- the hidden UTM fields a landing page fills in -----------------------------------------
st, _, _, utm = post("contact", "last_name=Utm&email=utm%40example.com&utm_source=google&utm_medium=cpc"
                     "&utm_campaign=spring-sale&utm_term=forklift+rental&utm_content=ad-7")
got = lead(utm["id"]) if st == 201 else None
c.check(got and got["campaign"] == "spring-sale"
        and {k: v for k, v in got["attributes"].items() if k.startswith("utm_")}
        == {"utm_source": "google", "utm_medium": "cpc", "utm_term": "forklift rental", "utm_content": "ad-7"},
        "utm_campaign is the campaign, the other UTM fields are kept as attributes", got)

# A last_name of two words is the family name as typed, not split ("García" was lost).
for last, given, email in [("García López", "Ana", "ana.garcia"), ("van Beethoven", "Ludwig", "lvb")]:
    st, _, _, two = post("contact", urllib.parse.urlencode({"first_name": given, "last_name": last,
                                                            "email": email + "@example.es"}))
    got = lead(two["id"]) if st == 201 else None
    c.check(got and (got["prospect"]["given_name"], got["prospect"]["family_name"]) == (given, last),
            f"last_name '{last}' is kept whole as the family name", got and got["prospect"])

# ---- double submit ------------------------------------------------------------------------------
st2, _, _, again = post("contact", fixture("contact-full.txt"))
c.check(st2 == 200 and again["id"] == body["id"] and again["status"] == "duplicate_submission",
        "the same e-mail on the same form within the window returns the first lead", (st2, again))
results = []
one = "first_name=Eva&last_name=Kern&email=eva.kern%40example.org&message=hello"
threads = [threading.Thread(target=lambda: results.append(post("contact", one))) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
ids = {r[3]["id"] for r in results if r[0] in (200, 201)}
c.check(len(ids) == 1 and sorted(r[0] for r in results) == [200] * 5 + [201],
        "six simultaneous double submits create one lead", [r[0] for r in results])
c.check(stored_count("eva.kern@example.org") == 1, "... and the store holds one")

# ---- a browser post ----------------------------------------------------------------------------------
st, h, _, _ = hub.request("POST", "/forms/contact", "first_name=Tom&last_name=Berg&email=tom%40example.net", BROWSER)
c.check(st == 303 and h.get("location") == "/forms/contact/thanks", "browser post -> 303 to the success page", (st, h))
st, h, text, _ = hub.request("GET", "/forms/contact/thanks")
c.check(st == 200 and "Thank you" in text and h["content-type"].startswith("text/html"), "the thanks page is served")
st, h, _, _ = hub.request("POST", "/forms/contact", "first_name=Tom&email=not-an-email", BROWSER)
c.check(st == 303 and "/forms/contact/error?reason=invalid" in h.get("location", ""),
        "invalid browser post -> 303 to the error page with the reason", h)
st, _, text, _ = hub.request("GET", h["location"])
c.check(st == 200 and "invalid" in text, "the error page shows the reason")
st, _, text, _ = hub.request("GET", "/forms/contact/error?reason=invalid&field=email")
c.check(st == 200 and "could not be accepted" in text and '<span id="field">email</span>' in text
        and "history.back()" in text, "the default error page says what happened in words, the field, and a way back",
        text)
st, _, text, _ = hub.request("GET", "/forms/contact/error?reason=spam&field=%3Cb%3E")
c.check("wait a few seconds" in text and "&lt;b&gt;" in text and "<b>" not in text,
        "... per reason, the field escaped", text)
st, _, text, _ = hub.request("GET", "/forms/limited/error?reason=invalid&field=email")
c.check("Sorry (invalid): please check email." in text, "a form's own error page gets {{reason}} and {{field}}", text)
st, _, text, _ = hub.request("GET", "/forms/contact/error?reason=%3Cscript%3Ealert(1)%3C/script%3E")
c.check("<script>alert" not in text and "&lt;script&gt;" in text, "the error page escapes what it shows")

# A body over max_body_bytes (1 MB here) is refused before the route reads it: a
# browser still goes to the form's error page, a script gets the 413 problem.
big = "last_name=Big&email=big%40example.com&message=" + "x" * (1024 * 1024 + 10)
st, h, text, _ = hub.request("POST", "/forms/contact", big, BROWSER)
c.check(st == 303 and h.get("location") == "/forms/contact/error?reason=too_large",
        "a browser's post over the body limit -> 303 to the error page, reason=too_large", (st, h, text[:300]))
st, _, _, p = post("contact", big)
c.check(st == 413 and p["code"] == "too_large", "... a script's -> 413 too_large", p)

# ---- multipart and JSON -------------------------------------------------------------------------------
boundary = "----leadhubBoundary7MA4YWxkTrZu0gW"
parts = [("first_name", "Zoë"), ("last_name", "Nakamura"), ("email", "zoe@example.jp"),
         ("message", "Line one\r\nLine two; with ; semicolons"), ("company", "Nakamura KK")]
mp = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n" for k, v in parts)
mp += f"--{boundary}--\r\n"
st, _, _, body = post("contact", mp.encode(), content_type=f"multipart/form-data; boundary={boundary}")
c.check(st == 201, "multipart/form-data post -> 201", body)
got = lead(body["id"]) if st == 201 else None
c.check(got and got["prospect"]["given_name"] == "Zoë" and got["notes"][0]["text"].startswith("Line one\r\nLine two")
        and got["prospect"]["kind"] == "organization", "multipart fields mapped, line breaks kept", got)
file_part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n"
             f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n")
st, _, _, p = post("contact", file_part.encode(), content_type=f"multipart/form-data; boundary={boundary}")
c.check(st == 400 and any(e["field"] == "cv" for e in p["errors"]), "a file upload is refused naming the field", p)
st, _, _, p = post("contact", "--nope\r\n", content_type="multipart/form-data; boundary=xyz")
c.check(st == 400, "broken multipart -> 400", p)
st, _, _, body = post("contact", json.dumps({"first_name": "Ada", "last_name": "King", "email": "ada@example.org",
                                             "newsletter": True}), content_type="application/json")
c.check(st == 201 and lead(body["id"])["consent"]["marketing"] is True, "JSON post -> 201, boolean mapped", body)
st, _, _, p = post("contact", "<xml/>", content_type="application/xml")
c.check(st == 415 and p["code"] == "unsupported_media_type", "XML body -> 415", p)

# ---- bad input -----------------------------------------------------------------------------------------
st, _, _, p = post("contact", fixture("bad-latin1.txt"))
c.check(st == 422 and "UTF-8" in p["detail"], "ISO-8859-1 bytes -> 422 naming the field", p)
c.check("charset=windows-1252" in p["errors"][0]["reason"], "... and says how to declare another charset", p)
# %00 / %1B are control characters, not a charset problem: named as such
st, _, _, p = post("contact", "last_name=A%00B&email=nul%40example.com")
c.check(st == 422 and p["errors"][0] == {"field": "last_name",
                                         "reason": "contains a control character U+0000 (NUL) at byte 2"},
        "a %00 in a field -> 422 naming the control character, not UTF-8", p)

# ---- a legacy page that posts in its own charset without declaring it --------------------------------
# (undeclared_charset on the form: the operator knows the page; a UTF-8 post stays UTF-8)
st, _, _, body = post("legacy", fixture("bad-latin1.txt").replace("email=", "email=legacy."))
got = lead(body["id"]) if st == 201 else None
c.check(got and got["prospect"]["given_name"] == "Jürgen" and got["prospect"]["family_name"] == "Größe",
        "undeclared_charset: windows-1252 -> an undeclared ISO-8859-1 post is read in it", (st, body, got))
st, _, _, body = post("legacy", "first_name=Zo%C3%AB&last_name=Br%C3%BCck&email=utf8.legacy%40example.de")
got = lead(body["id"]) if st == 201 else None
c.check(got and (got["prospect"]["given_name"], got["prospect"]["family_name"]) == ("Zoë", "Brück"),
        "... while a UTF-8 post to the same form stays UTF-8 (not read as Windows-1252)", (st, body, got))
st, _, _, body = post("legacy", "first_name=J%FCrgen&last_name=M%FCller&email=declared.legacy%40example.de",
                      content_type=FORM + "; charset=ISO-8859-15")
got = lead(body["id"]) if st == 201 else None
c.check(got and got["prospect"]["family_name"] == "Müller", "... and a declared charset still wins", (st, got))
bad_config = os.path.join(hub.data, "..", "bad-charset.yaml")
with open(bad_config, "w") as f:
    f.write("connectors:\n  - name: http\n    type: http\n    listen: 127.0.0.1:0\n    forms:\n"
            "      - {name: old, undeclared_charset: koi8-r}\n")
p = subprocess.run([LEADHUB, "--config", bad_config, "--data", os.path.join(hub.data, "..", "bad-charset-data"),
                    "serve"], capture_output=True, text=True, timeout=30)
c.check(p.returncode == 2 and "undeclared_charset" in p.stderr and "koi8-r" in p.stderr
        and "windows-1252" in p.stderr, "an undeclared_charset forms are not read in: exit 2 naming it",
        (p.returncode, p.stderr[-300:]))

# ---- declared charsets (legacy pages, scripts): decoded to UTF-8 -------------------------------------
st, _, _, body = post("contact", fixture("bad-latin1.txt").replace("email=", "email=declared."),
                      content_type=FORM + "; charset=ISO-8859-1")
got = lead(body["id"]) if st == 201 else None
c.check(got and got["prospect"]["given_name"] == "Jürgen" and got["prospect"]["family_name"] == "Größe",
        "charset=ISO-8859-1 -> decoded (as Windows-1252, like browsers)", (st, body, got))
st, _, _, body = post("contact", "_charset_=windows-1252&first_name=Fran%E7ois&last_name=L%E9vy&company=Caf%E9+%80"
                      "&email=charset%40example.fr")
got = lead(body["id"]) if st == 201 else None
c.check(got and (got["prospect"]["given_name"], got["prospect"]["family_name"], got["prospect"]["company"])
        == ("François", "Lévy", "Café €"), "a _charset_ field declares the charset", (st, got))
# A browser sends what the page's charset cannot hold (Polish Ł, emoji) as an HTML
# character reference "&#321;" (WHATWG form submission); with a declared legacy
# charset the hub reads those back as the characters.
st, _, _, body = post("contact", "_charset_=ISO-8859-1&first_name=%26%23321%3Bukasz&last_name=W%26%23281%3Bgrzyn"
                      "+M%FCller&message=Dzi%26%23281%3Bkuj%26%23281%3B+%26%23128512%3B+%26amp%3B+%26%2365%3B"
                      "&email=ncr%40example.pl")
got = lead(body["id"]) if st == 201 else None
c.check(got and (got["prospect"]["given_name"], got["prospect"]["family_name"]) == ("Łukasz", "Węgrzyn Müller")
        and got["notes"][0]["text"] == "Dziękuję 😀 &amp; &#65;",
        "with a legacy charset, the browser's &#NNN; references are the characters again "
        "(those the charset could have sent as a byte stay as typed)", (st, body, got))
boundary = "----latin9"
parts = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"last_name\"\r\n\r\nEuro\xa4\r\n"
         f"--{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nl9@example.de\r\n--{boundary}--\r\n")
st, _, _, body = post("contact", parts.encode("latin-1"),
                      content_type=f"multipart/form-data; boundary={boundary}; charset=ISO-8859-15")
got = lead(body["id"]) if st == 201 else None
c.check(got and got["prospect"]["family_name"] == "Euro€", "multipart with charset=ISO-8859-15", (st, got))
st, _, _, p = post("contact", "last_name=X&email=sj%40example.jp", content_type=FORM + "; charset=Shift_JIS")
c.check(st == 415 and p["errors"][0]["field"] == "Content-Type" and "Shift_JIS" in p["detail"],
        "an unsupported charset -> 415 naming it", p)
st, _, _, body = post("contact", ("\ufeff" + json.dumps({"last_name": "Bom", "email": "bom@example.de"})).encode(),
                      content_type="application/json")
c.check(st == 201, "a JSON post with a byte order mark -> 201", body)
# Errors name the page's inputs (what the developer's HTML calls them), the
# canonical field after them.
st, _, _, p = post("contact", "first_name=X&email=nobody")
c.check(st == 422 and {"field": "email", "reason": "prospect.email: not an e-mail address"} in p["errors"],
        "bad e-mail -> 422 naming the input email, then prospect.email", p)
st, _, _, p = post("contact", "last_name=Phone&email=ph%40example.de&phone=12&country=Poland")
c.check(st == 422 and p["errors"][0]["field"] == "phone" and "prospect.phone" in p["errors"][0]["reason"],
        "bad phone -> 422 naming the input phone", p)
st, _, _, p = post("contact", "message=hello+only")
c.check(st == 422 and p["errors"][0]["field"] == "prospect"
        and p["errors"][0]["reason"].endswith("(form fields email, phone, last_name, name, company)"),
        "no way to contact the prospect -> 422 listing the form fields that would", p)
st, h, _, _ = hub.request("POST", "/forms/contact", "first_name=X&email=nobody", BROWSER)
c.check(st == 303 and h.get("location") == "/forms/contact/error?reason=invalid&field=email",
        "a browser's error page gets field=email, the input's name", h)
st, _, _, p = post("nosuchform", "email=a%40b.de")
c.check(st == 404, "unknown form -> 404")

# ---- spam --------------------------------------------------------------------------------------------------
before = stored_count("spam@spam.example")
st, _, _, p = post("contact", fixture("spam-honeypot.txt"))
c.check(st == 422 and p["code"] == "spam" and p["errors"][0]["field"] == "website", "honeypot filled -> refused", p)
st, h, _, _ = hub.request("POST", "/forms/contact", fixture("spam-honeypot.txt"), BROWSER)
c.check(st == 303 and "reason=spam" in h.get("location", ""), "... a browser goes to the error page")
c.check(stored_count("spam@spam.example") == before, "nothing stored for spam")
# minimum fill time: the token from the form page
st, _, _, p = post("slow", "first_name=Q&last_name=R&email=q%40example.com")
c.check(st == 422 and p["errors"][0]["field"] == "_ts", "a form with min_fill_seconds needs its token", p)
st, _, page, _ = hub.request("GET", "/forms/slow")
c.check(st == 200 and 'name="_ts"' in page and "{{token}}" not in page, "the form page carries a fresh token")
token = page.split('name="_ts" value="')[1].split('"')[0]
st, _, _, p = post("slow", f"first_name=Q&last_name=R&email=q%40example.com&_ts={urllib.parse.quote(token)}")
c.check(st == 422 and "too fast" in p["errors"][0]["reason"], "posted at once after loading -> spam (too fast)", p)
forged = token.split(".")[0] + "." + "0" * 32
st, _, _, p = post("slow", f"first_name=Q&email=q%40example.com&_ts={forged}")
c.check(st == 422 and "signature" in p["errors"][0]["reason"], "forged token -> refused", p)
st, _, _, tok = hub.request("GET", "/forms/slow/token")
time.sleep(1.2)
st, _, _, body = post("slow", f"first_name=Q&last_name=R&email=q%40example.com&_ts={urllib.parse.quote(tok['token'])}")
c.check(st == 201, "posted after the minimum fill time -> 201", body)

# ---- rate limit --------------------------------------------------------------------------------------------
answers = [post("limited", f"last_name=L&email=l{i}%40example.com") for i in range(3)]
codes = [a[0] for a in answers]
c.check(codes == [201, 201, 429], "third post a minute from one client -> 429", codes)
retry = answers[2][1].get("retry-after", "")
c.check(retry.isdigit() and 1 <= int(retry) <= 60 and f"retry in {retry} s" in answers[2][3]["detail"],
        "... with Retry-After, the seconds the detail names", (answers[2][1], answers[2][3]))
st, _, _, doc = hub.request("GET", "/api/v1/openapi.json")
c.check("Retry-After" in doc["paths"]["/forms/{form}"]["post"]["responses"]["429"].get("headers", {})
        and "/forms/{form}/error" in doc["paths"], "the OpenAPI document declares Retry-After and the error page")

# ---- CORS for a form posted by script from the company site ----------------------------------------------
st, h, _, _ = hub.request("OPTIONS", "/forms/contact", headers={"Origin": "https://www.example.com",
                                                               "Access-Control-Request-Method": "POST"})
c.check(st == 204 and h.get("access-control-allow-origin") == "https://www.example.com", "form CORS preflight", h)
st, h, _, _ = post("contact", "last_name=C&email=cors%40example.com", headers={"Origin": "https://www.example.com"})
c.check(st == 201 and h.get("access-control-allow-origin") == "https://www.example.com", "form CORS on the post", h)
st, h, _, _ = post("contact", "last_name=C&email=cors2%40example.com", headers={"Origin": "https://evil.example"})
c.check("access-control-allow-origin" not in h, "no CORS grant for another origin")

# ---- after a restart the double-submit window still holds (from the store) ----------------------------
code = hub.stop()
c.check(code == 0, "clean stop")
hub.start()
st, _, _, again = post("contact", fixture("contact-full.txt"))
c.check(st == 200 and again["status"] == "duplicate_submission", "after a restart: still the first lead", again)
hub.stop()
sys.exit(c.done())

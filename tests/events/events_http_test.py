"""The event dispatcher with a REST target: `leadhub serve` POSTs events to a real
Python HTTP server on loopback. Covers: the POST itself (body, headers), a 500
retried with growing backoff and the events behind it held back until it went
through, a 429 waited out as its Retry-After asks, an endpoint slower than
timeout_ms named as such in the log, a 400 moved to the dead-letter queue while
delivery goes on, `leadhub stats` showing the depths, import.completed from the
HTTP import and the CLI import (delivered after a restart), PATCH with
Idempotency-Key applied once, and bad `events:` configs refused with FILE:LINE:COL.

usage: events_http_test.py LEADHUB
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from events_support import Checks, Endpoint, Hub, family_name, stats, wait_for  # noqa: E402

CONFIG = """
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
events:
  targets:
    rest: {type: http, url: "@URL@", headers: {Authorization: "Bearer t0k"}, timeout_ms: 2000}
  routes:
    - {name: rest-created, events: [lead.created], target: rest}
    - {name: rest-imports, events: [import.completed], target: rest}
  retry: {initial_ms: 200, max_ms: 800}
"""


def answer(event, attempt):
    name = family_name(event)
    if name == "Fail500":
        return 500 if attempt <= 3 else 200
    if name == "Bad400":
        return 400
    if name == "Slow" and attempt == 1:
        time.sleep(2.5)  # past the target's timeout_ms (2000)
        return 200
    if name == "Throttled":
        return (429, {"Retry-After": "2"}) if attempt == 1 else 200
    return 200


def create(hub, name, campaign="events-http"):
    status, _, text, lead = hub.request("POST", "/api/v1/leads",
                                        {"subject": f"lead {name}", "campaign": campaign,
                                         "prospect": {"family_name": name}})
    assert status == 201, text
    return lead


def posts_for(endpoint, name):
    return [(t, h, e) for t, h, e in endpoint.events() if family_name(e) == name]


def delivered_names(endpoint):
    return [family_name(e) for _, _, e in endpoint.events()]


def check_post(c, endpoint, hub):
    lead = create(hub, "Plain")
    c.check(wait_for("the first POST", lambda: posts_for(endpoint, "Plain"), 20), "a lead.created event is POSTed",
            "\n".join(hub.log[-20:]))
    if not posts_for(endpoint, "Plain"):
        return
    _, headers, event = posts_for(endpoint, "Plain")[0]
    c.check(event.get("type") == "lead.created" and event.get("lead_id") == lead["id"]
            and event["lead"]["id"] == lead["id"] and event.get("version") == 1,
            "the body is the event JSON with the lead", event)
    c.check(headers.get("authorization") == "Bearer t0k", "the target's headers are sent", headers)
    c.check(headers.get("idempotency-key") == "leadhub-event-" + event["id"]
            and headers.get("x-leadhub-event-type") == "lead.created"
            and headers.get("x-leadhub-lead-id") == lead["id"]
            and headers.get("content-type", "").startswith("application/json"),
            "message id, event type, lead id and content type travel as headers", headers)


def check_retry(c, endpoint, hub):
    create(hub, "Fail500")
    create(hub, "After500")
    c.check(wait_for("After500", lambda: posts_for(endpoint, "After500"), 30),
            "the event behind a failing one is delivered once that went through")
    tries = posts_for(endpoint, "Fail500")
    c.check(len(tries) == 4, f"a 500 is retried until accepted: {len(tries)} attempts (3 x 500, then 200)")
    gaps = [round(b[0] - a[0], 2) for a, b in zip(tries, tries[1:])]
    c.check(len(gaps) == 3 and gaps[0] >= 0.18 and gaps[1] >= 0.36 and gaps[2] >= 0.7 and gaps[2] < 3,
            f"with exponential backoff and a cap (200, 400, 800 ms configured): gaps {gaps} s")
    names = delivered_names(endpoint)
    c.check(names.index("After500") > max(i for i, n in enumerate(names) if n == "Fail500"),
            "commit order kept: nothing overtook the failing event", names)


def check_retry_after(c, endpoint, hub, log):
    create(hub, "Throttled")
    c.check(wait_for("Throttled accepted", lambda: len(posts_for(endpoint, "Throttled")) == 2, 30),
            "a 429 is retried")
    tries = posts_for(endpoint, "Throttled")
    gap = round(tries[1][0] - tries[0][0], 2) if len(tries) == 2 else 0
    c.check(gap >= 1.9, f"no sooner than its Retry-After: 2 asks (the route's backoff is 200 ms): {gap} s")
    c.check(any("Retry-After" in line and "2000 ms" in line for line in log),
            "the log says the wait is the endpoint's Retry-After", [x for x in log if "Throttled" in x or "429" in x])


def check_timeout(c, endpoint, hub, log):
    create(hub, "Slow")
    c.check(wait_for("Slow sent again", lambda: len(posts_for(endpoint, "Slow")) == 2, 30),
            "an endpoint slower than timeout_ms gets the event again")
    c.check(any("no answer within timeout_ms (2000 ms)" in line for line in log),
            "the log says the endpoint did not answer in time", [x for x in log if "events.rest" in x])


def check_dead_letter(c, endpoint, hub):
    create(hub, "Bad400")
    create(hub, "AfterBad")
    c.check(wait_for("AfterBad", lambda: posts_for(endpoint, "AfterBad"), 30),
            "after a 400 delivery goes on with the next event")
    c.check(len(posts_for(endpoint, "Bad400")) == 1, "a 400 is not retried")

    def readyz():
        status, _, text, ready = hub.request("GET", "/readyz")
        detail = ready["connectors"]["events"]["detail"] if ready and "events" in ready.get("connectors", {}) else ""
        return status == 200 and "1 dead-lettered" in detail and "target rest" in detail, text
    c.check(wait_for("/readyz", lambda: readyz()[0], 5), "/readyz shows the dispatcher", readyz()[1])


def check_import(c, endpoint, hub):
    body = "\n".join(json.dumps({"subject": f"imp {i}", "campaign": "events-import",
                                 "prospect": {"family_name": f"Imp{i}"}}) for i in range(3))
    status, _, text, _ = hub.request("POST", "/api/v1/imports", body, {"Content-Type": "application/x-ndjson"})
    c.check(status == 200, "an HTTP import runs", text)

    def summaries():
        return [e for _, _, e in endpoint.events() if isinstance(e, dict) and e.get("type") == "import.completed"]
    c.check(wait_for("import.completed", summaries, 20), "an HTTP import publishes import.completed")
    if summaries():
        data = summaries()[0]["data"]
        c.check(data.get("created") == 3 and data.get("records") == 3 and data.get("source") == "ndjson",
                "with its counts", data)


def check_patch_idempotency(c, endpoint, hub):
    lead = create(hub, "Patchy", campaign="events-patch")
    path = f"/api/v1/leads/{lead['id']}"
    headers = {"Content-Type": "application/merge-patch+json", "If-Match": '"1"', "Idempotency-Key": "patch-1"}
    first = hub.request("PATCH", path, json.dumps({"qualification": "warm"}), headers)
    again = hub.request("PATCH", path, json.dumps({"qualification": "warm"}), headers)
    c.check(first[0] == 200 and again[0] == 200 and again[3]["version"] == first[3]["version"] == 2,
            "a PATCH retried with its Idempotency-Key answers 200 with the same version (no 412)",
            (first[0], again[0], again[2][:200]))
    wait_for("Patchy delivered", lambda: posts_for(endpoint, "Patchy"), 20)


def check_stats_and_cli_import(c, leadhub, endpoint, hub):
    code = hub.stop()
    c.check(code == 0, "the hub stops cleanly", "\n".join(hub.log[-10:]))
    s = stats(leadhub, hub.config, hub.data)
    routes = s["events"]["routes"]
    c.check(s["events"]["outbox"] == 0 and routes.get("rest-created") == {"queued": 0, "dead": 1},
            "`leadhub stats`: outbox empty, rest-created has nothing queued and one dead letter", s["events"])
    # The CLI import raises its event while the hub is down; the hub delivers it when it runs again.
    ndjson = os.path.join(hub.work, "cli.ndjson")
    with open(ndjson, "w") as f:
        f.write(json.dumps({"subject": "cli", "prospect": {"family_name": "Cli"}}) + "\n")
    subprocess.run([leadhub, "--config", hub.config, "--data", hub.data, "import", ndjson], check=True,
                   capture_output=True)
    s = stats(leadhub, hub.config, hub.data)
    c.check(s["events"]["outbox"] == 2, "stats: the CLI import's 2 events wait in the outbox (hub stopped)",
            s["events"])
    before = len(endpoint.events())
    hub.start()
    c.check(wait_for("the CLI import's events", lambda: any(
        isinstance(e, dict) and e.get("type") == "import.completed" and e["actor"]["connector"] == "cli-import"
        for _, _, e in endpoint.events()[before:]), 20) and wait_for(
        "Cli", lambda: posts_for(endpoint, "Cli"), 20),
        "after a restart the events committed meanwhile (CLI import) are delivered")
    hub.stop()


def check_bad_configs(c, leadhub):
    cases = [
        ("events:\n  targets: {rest: {type: http, url: 'http://x/', colour: red}}\n", "leadhub.yaml:4:"),
        ("events:\n  targets: {rest: {type: http, url: 'http://x/'}}\n  routes:\n"
         "    - {name: r, events: [lead.created], target: nowhere}\n", "unknown target 'nowhere'"),
        ("events:\n  targets: {rest: {type: http, url: 'http://x/'}}\n  routes:\n"
         "    - {name: r, events: [lead.teleported], target: rest}\n", "unknown event type 'lead.teleported'"),
        ("events:\n  targets: {b: {type: amqp}}\n  routes:\n"
         "    - {name: r, events: [lead.created], target: b, address: q, mapping: no-such}\n", "leadhub.yaml:6:"),
    ]
    for yaml, expected in cases:
        hub = Hub(leadhub, "connectors:\n  - {name: http, type: http, listen: '127.0.0.1:0'}\n" + yaml,
                  name="events-bad")
        r = subprocess.run([leadhub, "--config", hub.config, "--data", hub.data, "serve"], capture_output=True,
                           text=True, timeout=30)
        shown = r.stderr.replace(hub.config, "leadhub.yaml")
        c.check(r.returncode == 2 and expected in shown, f"bad events config refused at start: {expected}", shown)


def main():
    leadhub = sys.argv[1]
    c = Checks()
    endpoint = Endpoint(answer)
    hub = Hub(leadhub, CONFIG.replace("@URL@", endpoint.url()), name="events-http").start()
    try:
        check_post(c, endpoint, hub)
        check_retry(c, endpoint, hub)
        check_retry_after(c, endpoint, hub, hub.log)
        check_timeout(c, endpoint, hub, hub.log)
        check_dead_letter(c, endpoint, hub)
        check_import(c, endpoint, hub)
        check_patch_idempotency(c, endpoint, hub)
        check_stats_and_cli_import(c, leadhub, endpoint, hub)
    finally:
        if hub.proc:
            hub.stop()
        endpoint.close()
    check_bad_configs(c, leadhub)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

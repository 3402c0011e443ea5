"""Shared pieces of the event tests: a real HTTP endpoint on loopback that records
the events POSTed to it and answers as a test tells it, and reading
`leadhub stats`."""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from hub_process import REPO, Checks, Hub, wait_for  # noqa: E402,F401


class Endpoint:
    """POST /events: records (time, headers, event) and answers with the status the
    `answer(event, attempt)` function gives (default 200), or (status, headers)."""

    def __init__(self, answer=None):
        self.received = []  # (monotonic time, headers dict lower-cased, parsed body or text)
        self.attempts = {}  # message id -> answers given
        self.lock = threading.Lock()
        self.answer = answer or (lambda event, attempt: 200)
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    event = json.loads(body)
                except ValueError:
                    event = body
                with endpoint.lock:
                    key = headers.get("idempotency-key", "")
                    attempt = endpoint.attempts.get(key, 0) + 1
                    endpoint.attempts[key] = attempt
                    endpoint.received.append((time.monotonic(), headers, event))
                status = endpoint.answer(event, attempt)
                extra = {}
                if isinstance(status, tuple):  # (status, {header: value})
                    status, extra = status
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/events"

    def events(self):
        with self.lock:
            return list(self.received)

    def close(self):
        self.server.shutdown()


def family_name(event):
    return ((event.get("lead") or {}).get("prospect") or {}).get("family_name", "") if isinstance(event, dict) else ""


def stats(leadhub, config, data):
    out = subprocess.run([leadhub, "--config", config, "--data", data, "stats"], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)

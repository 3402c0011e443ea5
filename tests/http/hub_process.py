"""Starts `leadhub serve` with a config for a test and talks HTTP to it.

The hub listens on port 0 (a free port); the port is read from its log line
"listening on http://127.0.0.1:PORT". Everything is real: LMDB files in a temp
folder, HTTP over loopback.
"""
import hashlib
import http.client
import json
import os
import re
import signal
import ssl
import subprocess
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Hub:
    def __init__(self, leadhub, config_text, data=None, name="hub"):
        self.leadhub = leadhub
        self.work = tempfile.mkdtemp(prefix=f"leadhub-{name}-")
        self.data = data or os.path.join(self.work, "data")
        self.config = os.path.join(self.work, "leadhub.yaml")
        with open(self.config, "w") as f:
            f.write(config_text.replace("@WORK@", self.work).replace("@REPO@", REPO))
        self.proc = None
        self.ports = {}
        self.log = []

    def start(self, timeout=30):
        self.proc = subprocess.Popen(
            [self.leadhub, "--config", self.config, "--data", self.data, "serve"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=REPO)
        ready = threading.Event()

        def pump():
            for line in self.proc.stderr:
                self.log.append(line.rstrip("\n"))
                m = re.search(r"info (\S+): listening on https?://[^ ]*:(\d+)", line)
                if m:
                    self.ports[m.group(1)] = int(m.group(2))
                if "info leadhub: ready" in line:
                    ready.set()
        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + timeout
        while not ready.is_set():
            if self.proc.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError("hub exited %s:\n%s" % (self.proc.returncode, "\n".join(self.log)))
            if time.time() > deadline:
                raise RuntimeError("hub not ready:\n" + "\n".join(self.log))
            time.sleep(0.02)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def port(self, name="http"):
        return self.ports[name]

    def conn(self, name="http", tls=False):
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return http.client.HTTPSConnection("127.0.0.1", self.port(name), context=ctx, timeout=30)
        return http.client.HTTPConnection("127.0.0.1", self.port(name), timeout=30)

    def request(self, method, path, body=None, headers=None, name="http", tls=False):
        """One request on a fresh connection: (status, headers dict lower-cased, body text, json or None)."""
        c = self.conn(name, tls)
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        parsed = None
        if text and ("json" in hdrs.get("content-type", "")):
            parsed = json.loads(text)
        return r.status, hdrs, text, parsed


class Checks:
    def __init__(self):
        self.failures = []
        self.count = 0

    def check(self, cond, what, detail=""):
        self.count += 1
        print(("ok   " if cond else "FAIL ") + what + ("" if cond or not detail else "\n     " + str(detail)[:2000]))
        if not cond:
            self.failures.append(what)

    def done(self):
        print(f"\n{self.count - len(self.failures)} of {self.count} checks passed")
        if self.failures:
            print("FAILED:\n  " + "\n  ".join(self.failures))
            return 1
        return 0


def key_sha256(key):
    """What an api_keys entry holds for KEY: its SHA-256 in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def wait_for(what, cond, timeout, every=0.05):
    """Polls cond() until it is true or timeout seconds pass; says so when it gives up."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(every)
    print(f"     (gave up waiting for {what} after {timeout} s)")
    return False

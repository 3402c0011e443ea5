"""The disk fills up under a running hub (a 4 MB tmpfs as its data folder):

- creates that cannot be committed get 503 `unavailable` naming the reason, and the
  hub keeps running and answering reads;
- the log says once that writes fail, and once that they succeed again;
- /readyz shows the failing writes;
- once space is freed, creates succeed again;
- after a restart every lead that was answered 201 is there: nothing acknowledged
  was lost.

Needs root to mount the tmpfs (CI and the README's test command run as root);
without it the test says SKIP and exits 0.

usage: disk_full_test.py LEADHUB
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "http"))
from hub_process import Checks, Hub, wait_for  # noqa: E402

CONFIG = """
connectors:
  - {name: http, type: http, listen: "127.0.0.1:0"}
"""


def lead(i):
    return {"subject": f"disk full lead {i} " + "x" * 200, "notes": [{"text": "y" * 600}],
            "prospect": {"email": f"full{i}@example.com"}}


def main():
    leadhub = sys.argv[1]
    c = Checks()
    mount = tempfile.mkdtemp(prefix="leadhub-diskfull-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount], capture_output=True).returncode:
        print("SKIP: cannot mount a 4 MB tmpfs here (needs root)")
        return 0
    hub = None
    try:
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as f:  # room for a few hundred leads, freed later
            f.write(b"\0" * (2 * 1024 * 1024))
        hub = Hub(leadhub, CONFIG, data=os.path.join(mount, "data"), name="disk-full").start()
        acknowledged, refused = [], []
        for i in range(3000):
            status, _, text, body = hub.request("POST", "/api/v1/leads", lead(i))
            if status == 201:
                acknowledged.append(body["id"])
            else:
                refused.append((status, body or text))
                if len(refused) >= 20:
                    break
        c.check(acknowledged and refused, f"the disk filled: {len(acknowledged)} created, then refusals",
                refused[:1])
        # LMDB reports a write cut short as EIO, a refused one as ENOSPC: either way the
        # detail says how much room is left.
        c.check(all(s == 503 and b and b.get("code") == "unavailable" and " KB free)" in b.get("detail", "")
                    for s, b in refused),
                "a create the full disk refuses: 503 unavailable, saying how much room the disk has", refused[:2])
        status, _, _, body = hub.request("GET", f"/api/v1/leads/{acknowledged[0]}")
        c.check(status == 200 and body["id"] == acknowledged[0], "reads still answer on the full disk", status)
        status, _, text, body = hub.request("GET", "/readyz")
        c.check(body and body.get("store_writes", "").startswith("failing: ") and "KB free" in body["store_writes"],
                "/readyz shows the failing writes", text)
        errors = [line for line in hub.log if " error store: " in line]
        c.check(len(errors) == 1 and "KB free" in errors[0],
                "the log says once that writes fail (not once per request)", errors[:3])

        os.remove(filler)
        status, _, text, body = hub.request("POST", "/api/v1/leads", lead("after"))
        c.check(status == 201, "space freed: creates succeed again", text[:200])
        if status == 201:
            acknowledged.append(body["id"])
        c.check(wait_for("the recovery log line",
                         lambda: any("info store: writes succeed again" in line for line in hub.log), 10),
                "the log says writes succeed again", hub.log[-3:])

        c.check(hub.stop() == 0, "the hub stops cleanly")
        hub.start()
        missing = [i for i in acknowledged if hub.request("GET", f"/api/v1/leads/{i}")[0] != 200]
        c.check(not missing, f"after a restart all {len(acknowledged)} acknowledged leads are there", missing[:5])
    finally:
        if hub is not None and hub.proc is not None:
            hub.stop()
        subprocess.run(["umount", mount], capture_output=True)
        os.rmdir(mount)
    return c.done()


if __name__ == "__main__":
    sys.exit(main())

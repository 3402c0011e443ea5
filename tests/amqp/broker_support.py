"""RabbitMQ for the AMQP and event tests: scripts/rabbitmq.sh starts a node on
loopback with its own data folder; these run a test's parts against it and stop it,
and read queue depths through rabbitmqctl. Importers put tests/http on sys.path."""
import os
import subprocess

from hub_process import REPO

SCRIPT = os.path.join(REPO, "scripts", "rabbitmq.sh")


def ctl(base, *args):
    return subprocess.run(["bash", SCRIPT, "ctl", base, *args], capture_output=True, text=True, check=True).stdout


def queue_depth(base, queue):
    """Ready plus unacknowledged messages of a queue (0 when it does not exist yet)."""
    for line in ctl(base, "list_queues", "-q", "--no-table-headers", "name", "messages").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == queue:
            return int(parts[1])
    return 0


def with_broker(c, name, run, free_port):
    """Starts RabbitMQ under ./NAME on a free port, calls run(base, port), stops it;
    returns the checks' exit code."""
    base = os.path.join(os.getcwd(), name)
    port = free_port()
    started = subprocess.run(["bash", SCRIPT, "start", base, str(port)], capture_output=True, text=True)
    if started.returncode != 0:
        c.check(False, "RabbitMQ starts", started.stderr)
        return c.done()
    try:
        run(base, port)
    finally:
        subprocess.run(["bash", SCRIPT, "stop", base], capture_output=True)
    return c.done()

"""Several minova hosts on one database, with haproxy in front: the pieces.

The topology tests run what an operator runs when one machine is not
enough (docs/operations.md, "Several hosts"): separate ``twistd -n minova``
processes on 127.0.0.2, .3, .4 (Linux routes all of 127/8 to loopback, so
no setup is needed), each with its own config and state_path, all on one
database, and Debian's haproxy balancing between them with the health check
the operations page shows. The haproxy config is that page's example, with
only its addresses replaced and two lines added to observe it (which
server answered; a stats socket saying which servers are UP or DOWN), so
page and test cannot drift apart; a test derives its detection windows
from the example's ``inter``, ``fall`` and ``rise``. haproxy
runs in the foreground and is stopped by its PID; a test that needs it and
finds none skips saying so, except in CI, where .ci/run installs it and a
missing haproxy is a failure.

Hosts are started with the ``minova`` fixture (it stops them by PID);
``kill`` ends one host's processes with SIGKILL, by PID, as a crashed
machine would end.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest
import requests
import sqlalchemy as sa

from tests.functional.process import ROOT, write_config
from tests.functional.compute import compute_config
from tests.functional.manage import manage
from tests.functional.workload import SERVED_BY
from tests.polling import wait_for

DOC = os.path.join(ROOT, "docs", "operations.md")
HAPROXY_BLOCK = re.compile(r"^```haproxy\n(.*?)^```$", re.M | re.S)
#: The hosts' addresses: three loopback addresses, one per host.
ADDRESSES = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
START_DEADLINE = 30.0


def haproxy():
    """The haproxy executable; skips (outside CI) or fails (in CI) without."""
    path = shutil.which("haproxy") or (
        "/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK)
        else None)
    if path is None:
        reason = ("haproxy is not installed (Debian's package; .ci/run "
                  "installs it: apt-get install haproxy)")
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the topology tests: " + reason)
        pytest.skip(reason)
    return path


def free_port(address):
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _doc_example():
    """The haproxy block of the operations page."""
    with open(DOC) as f:
        (example,) = HAPROXY_BLOCK.findall(f.read())
    return example


def check_timing():
    """(inter seconds, fall, rise) of the page's haproxy example: how often
    haproxy checks a server, and how many checks in a row take it out or
    put it back; a test derives its detection windows from them."""
    (line,) = [line for line in _doc_example().splitlines()
               if line.strip().startswith("default-server ")]
    words = line.split()
    inter = words[words.index("inter") + 1]
    assert inter.endswith("s") and not inter.endswith("ms"), line
    return (float(inter[:-1]), int(words[words.index("fall") + 1]),
            int(words[words.index("rise") + 1]))


def haproxy_config(listen, servers, stats_socket):
    """The operations page's haproxy example, listening on ``listen``
    (host, port) and balancing over ``servers`` ({name: (host, port)}).

    Two lines are added for the test: every answer says which server made
    it (``X-Served-By``; ``<NOSRV>`` when haproxy answered itself), and
    haproxy's view of its servers (UP, DOWN) can be read on the unix socket
    ``stats_socket``, so a test waits for a host to be taken out or put
    back instead of guessing how long that takes.
    """
    lines = _doc_example().splitlines()
    out = []
    for line in lines:
        indent = line[:len(line) - len(line.lstrip())]
        if line.strip() == "global":
            out.append(line)
            out.append("    stats socket %s mode 600 level user"
                       % stats_socket)
        elif line.strip().startswith("bind "):
            out.append("%sbind %s:%d" % ((indent,) + tuple(listen)))
            out.append("%shttp-after-response set-header %s %%s"
                       % (indent, SERVED_BY))
        elif line.strip().startswith("server "):
            if not any(o.strip().startswith("server ") for o in out):
                out.extend("%sserver %s %s:%d" % (indent, name, host, port)
                           for name, (host, port) in servers.items())
        else:
            out.append(line)
    assert sum(line.strip().startswith("server ") for line in out) == len(
        servers), out
    assert any(line.startswith("    stats socket") for line in out), out
    return "\n".join(out) + "\n"


class Balancer:
    """haproxy in the foreground (``-db``) with a config in ``directory``."""

    def __init__(self, directory, servers):
        self.address = ("127.0.0.1", free_port("127.0.0.1"))
        self.config = os.path.join(directory, "haproxy.cfg")
        self.stats_socket = os.path.join(directory, "haproxy.sock")
        with open(self.config, "w") as f:
            f.write(haproxy_config(self.address, servers, self.stats_socket))
        self.log_path = os.path.join(directory, "haproxy.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([haproxy(), "-db", "-f", self.config],
                                     stdout=self._log,
                                     stderr=subprocess.STDOUT)
        self.base = "http://%s:%d" % self.address

    @property
    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_serving(self, names):
        """Wait until each of ``names`` has answered a request through the
        balancer (its health check passed and round-robin reached it)."""
        seen = set()

        def all_seen():
            assert self.proc.poll() is None, "haproxy exited:\n" + self.log
            try:
                response = requests.get(self.base + "/healthcheck",
                                        timeout=5)
            except requests.RequestException:
                return False
            if response.status_code == 200:
                seen.add(response.headers.get(SERVED_BY))
            return set(names) <= seen

        wait_for(all_seen, START_DEADLINE, "haproxy to reach %s (seen %s)"
                 % (sorted(names), seen))

    def states(self):
        """{server name: haproxy's status of it} (``UP``, ``DOWN``, or in
        between: ``UP 1/2`` is failing checks, ``DOWN 1/2`` passing them),
        from ``show stat`` on the stats socket."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(self.stats_socket)
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        header, *rows = data.decode().strip().splitlines()
        columns = header.lstrip("# ").split(",")
        name, status = columns.index("svname"), columns.index("status")
        return {fields[name]: fields[status]
                for fields in (row.split(",") for row in rows)
                if fields[name] not in ("FRONTEND", "BACKEND")}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def host_config(tmp_path, name, address, connection, workers=2,
                sections=None):
    """The config of host ``name``: the compute API on ``address`` port 0
    with ``workers`` processes, its own state_path, on ``connection``
    (None: its own SQLite file)."""
    overrides = {"DEFAULT": {"osapi_compute_listen": address,
                             "osapi_compute_workers": workers,
                             "state_path": str(tmp_path / name / "state")},
                 "database": {"connection": connection} if connection else {}}
    for section, options in (sections or {}).items():
        overrides.setdefault(section, {}).update(options)
    return compute_config(tmp_path, **overrides)


def db_sync(tmp_path, sections):
    """``minova-manage db sync`` with ``sections``, as an operator runs it
    once before starting the hosts."""
    config = write_config(tmp_path / "manage.conf", sections)
    synced = manage(config, "db", "sync")
    assert synced.returncode == 0, synced.stderr


def start_hosts(minova, tmp_path, connection, count=3, workers=2,
                sections=None):
    """``count`` hosts on ``connection`` (None: each its own SQLite, so
    use 1; a dict: {host name: its URL}, one database reached a different
    way by each host) with the config ``sections`` added, after one db
    sync: {name: MinovaProcess}."""
    names = ["host%d" % (index + 1) for index in range(count)]
    if not isinstance(connection, dict):
        connection = dict.fromkeys(names, connection)
    configs = {name: host_config(tmp_path, name, address, connection[name],
                                 workers, sections)
               for name, address in zip(names, ADDRESSES)}
    db_sync(tmp_path, next(iter(configs.values())))
    hosts = {}
    for name, config in configs.items():
        hosts[name] = minova(config, name=name + ".conf",
                             expect=("osapi_compute",))
    for process in hosts.values():
        wait_for(lambda: len(process.workers("osapi_compute")) == workers,
                 START_DEADLINE, "%d compute workers" % workers)
    return hosts


def base_url(process):
    """A host's compute API root, without the trailing slash."""
    return process.url("osapi_compute", "").rstrip("/")


def kill(process):
    """SIGKILL a host's workers and its twistd process, by PID: the host is
    gone at once, as when its machine dies."""
    for pid in process.workers("osapi_compute").values():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.proc.kill()
    process.proc.wait(10)


class Usage:
    """Counts read straight from the database (not through minova)."""

    def __init__(self, url):
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def servers(self):
        """{project_id: live (not deleted) servers}."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT project_id, count(*) FROM instances WHERE deleted = 0"
                " GROUP BY project_id")).all())

    def keypairs(self):
        """{user_id: key pairs}."""
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT user_id, count(*) FROM key_pairs GROUP BY user_id"
            )).all())

    def reservation(self, reservation_id):
        """[(uuid, deleted)] of the servers a create made."""
        with self.engine.connect() as conn:
            return [(uuid, bool(deleted)) for uuid, deleted in conn.execute(
                sa.text("SELECT uuid, deleted FROM instances"
                        " WHERE reservation_id = :r"),
                {"r": reservation_id}).all()]

    def dispose(self):
        self.engine.dispose()


def sqlite_url(tmp_path, name):
    """The URL of the SQLite file host ``name`` of ``start_hosts`` uses."""
    return "sqlite:///" + str(tmp_path / name / "state" / "minova.sqlite")

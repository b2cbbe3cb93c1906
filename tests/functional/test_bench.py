"""bench/ still works: its smoke mode runs and writes a well-formed table.

The benchmark itself is not a test; this only keeps it from rotting. It runs
``python -m bench --smoke`` (a second per cell, minova-p1, minova-inline-p1,
one other installed host, and granian and Apache's mod_wsgi when they are
installed), skipping with the reason when wrk is not installed.
"""

import csv
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

from bench import apache, hosts, matrix, proctree
from tests.functional.process import ROOT

pytestmark = [
    pytest.mark.skipif(shutil.which("wrk") is None,
                       reason="wrk is not installed (bench/run.sh installs it)"),
    # One xdist worker runs the module: the smoke run is made once.
    pytest.mark.xdist_group("bench"),
]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out


COLUMNS = {"stack", "endpoint", "host", "procs", "connections", "keep_alive",
           "rps", "ratio_to_uwsgi", "p50_ms", "p99_ms", "errors",
           "cpu_us_per_request", "rss_worker_mb", "served_connections",
           "skipped"}
MINOVA = ("minova-p1", "minova-inline-p1")
PEERS = tuple("%s-p1" % kind for kind in matrix.PEERS)
#: Why a peer host cannot run here, or None.
PEER_MISSING = {
    "granian": None if hosts.executable("granian") else
    "granian is not installed (the bench extra has it)",
    "apache": None if hosts.executable("apache") else
    "Apache with mod_wsgi is not installed (bench/run.sh installs apache2 "
    "and libapache2-mod-wsgi-py3)",
}


def _peer(kind):
    """Skip with the reason when host ``kind`` is not installed."""
    if PEER_MISSING[kind]:
        pytest.skip(PEER_MISSING[kind])


@pytest.fixture
def workdir():
    """A bench work dir as the runner makes one: in the system's temp dir,
    which Apache's daemon user can enter (pytest's tmp_path is under a
    directory only root may)."""
    path = tempfile.mkdtemp(prefix="minova-bench-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_csv_has_measured_minova_rows_per_stack(smoke):
    with open(smoke / "results.csv") as f:
        reader = csv.DictReader(f)
        assert COLUMNS <= set(reader.fieldnames)
        rows = list(reader)
    for host in MINOVA:
        minova = [r for r in rows if r["host"] == host and not r["skipped"]]
        assert {r["stack"] for r in minova} == {"reference", "compute"}, host
        for row in minova:
            assert float(row["rps"]) > 0
            assert int(row["errors"]) == 0
            assert float(row["cpu_us_per_request"]) > 0
            assert float(row["rss_worker_mb"]) > 0
            # minova answers every one of wrk's keep-alive connections.
            assert float(row["served_connections"]) == int(row["connections"])
    for row in rows:
        assert row["skipped"] or row["rps"], row


def test_the_markdown_has_each_measured_cell_as_a_table(smoke):
    text = (smoke / "results.md").read_text()
    assert "## Targets (c=64 keep-alive)" in text
    assert "## CPU per request: minova-p1 vs nova 34.0.0" in text
    for stack in ("reference", "compute"):
        header = "## %s GET /, c=8 keep-alive" % stack
        assert header in text
        table = text.split(header, 1)[1].split("\n## ", 1)[0]
        rows = [line for line in table.splitlines() if line.startswith("| ")]
        assert rows[0].startswith("| host | req/s |")
        assert rows[0].endswith("| conn split | served |")
        assert rows[1].startswith("| minova-p1 |")
        assert rows[2].startswith("| minova-inline-p1 |")
        assert rows[1].endswith("| 8/8 |")
        assert all(row.count("|") == rows[0].count("|") for row in rows)
    nova = text.split("## CPU per request: minova-p1 vs nova 34.0.0", 1)[1]
    rows = [line for line in nova.split("\n## ", 1)[0].splitlines()
            if line.startswith("| ")]
    assert rows[0].endswith("| verdict | inline µs | inline/nova |")
    assert len(rows) == 1 + 5  # the header, one row per nova endpoint
    assert all(row.count("|") == rows[0].count("|") for row in rows)
    assert "\nMachine speed: " in nova


def test_the_floors_are_measured_with_no_host(smoke):
    text = (smoke / "results.md").read_text()
    floors = text.split("## Floors: what the targets would need", 1)[1]
    floors = floors.split("\n## ", 1)[0]
    app_us = float(re.search(r"costs \*\*(\d+) µs\*\* of CPU", floors)[1])
    assert app_us > 0
    stages = re.findall(r"^\| ([^|]+) \| ([\d.]+) \| ([^|]*) \|$", floors,
                        re.M)
    assert [label for label, _, _ in stages][:4] == [
        "python and the reference app",
        "Twisted's core (protocol, Deferred, logger)",
        "minova's config and the epoll reactor",
        "minova's host modules (a worker at start-up)"]
    sizes = [float(mb) for _, mb, _ in stages[:4]]
    assert sizes == sorted(sizes) and sizes[0] > 10


def test_the_other_host_is_compared_when_installed(smoke):
    with open(smoke / "results.csv") as f:
        hosts = {r["host"] for r in csv.DictReader(f) if not r["skipped"]}
    others = hosts - set(MINOVA) - set(PEERS)
    if not others:
        pytest.skip("no other WSGI host installed (pip install '.[bench]')")
    assert len(others) == 1
    if others == {"uwsgi-p1"}:
        text = (smoke / "results.md").read_text()
        assert "| reference, 1p: req/s vs uWSGI |" in text
        assert "| reference, 1p, inline: req/s vs uWSGI |" in text
        assert "p99 is wrk's, over the responses it got" in text
        # uWSGI's threads answer some of wrk's 8 connections, not all.
        assert re.search(r"^\| uwsgi-p1 \|.* \| [1-8]/8 \|$", text, re.M)


@pytest.mark.parametrize("kind", matrix.PEERS)
def test_the_peers_are_measured_when_installed(smoke, kind):
    _peer(kind)
    label = "%s-p1" % kind
    with open(smoke / "results.csv") as f:
        rows = [r for r in csv.DictReader(f) if r["host"] == label]
    assert {r["stack"] for r in rows if not r["skipped"]} == {
        "reference", "compute"}, rows
    for row in rows:
        assert float(row["rps"]) > 0 and int(row["errors"]) == 0, row
        assert float(row["cpu_us_per_request"]) > 0
        assert float(row["rss_worker_mb"]) > 0
    text = (smoke / "results.md").read_text()
    assert re.search(r"^\| %s \|" % label, text, re.M)
    targets = text.split("## Targets of issue #18", 1)[1].split("\n## ")[0]
    if kind == "granian":
        # The smoke shape is c=8: that target row is measured, the rest n/a.
        assert re.search(r"^\| reference, 1p, c=8 keep-alive: req/s vs "
                         r"granian \| [\d.]+x \(", targets, re.M)
        # Its own x granian column (the fifth) is 1.
        assert re.search(r"^\| granian-p1 \| \d+ \| [\d–]+ \| [^|]+ \| "
                         r"1\.00 \|", text, re.M)


@pytest.mark.parametrize("kind", matrix.PEERS)
def test_the_peers_answer_connection_close_without_a_twin(workdir, kind):
    """wrk reconnects after each response only if it says close: granian
    and Apache say it themselves, so their close cells need no twin."""
    _peer(kind)
    assert kind not in matrix.CLOSE_TWIN_ARGS
    host = hosts.RunningHost(matrix.Host(kind, 1), matrix.STACKS[0],
                             workdir, hosts.minova_base_config(workdir))
    try:
        host.wait_ready()
        assert host.get("/")[0] == 200
        assert host.says_close("/")
        # ...and closes its side: one connection per request.
        with socket.create_connection(("127.0.0.1", host.port),
                                      timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Connection: close\r\n\r\n")
            response = b""
            while True:
                data = conn.recv(65536)  # socket.timeout if never closed
                if not data:
                    break
                response += data
        assert response.startswith(b"HTTP/1.1 200 ")
    finally:
        host.stop()


def test_apache_runs_the_app_in_its_daemon_processes_and_leaves_none(
        workdir):
    _peer("apache")
    host = hosts.RunningHost(matrix.Host("apache", 2), matrix.STACKS[0],
                             workdir, hosts.minova_base_config(workdir))
    try:
        host.wait_ready()
        # A daemon takes its display name a moment after it is forked.
        deadline = time.monotonic() + 30
        while len(host.workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        started = {pid: proctree.start_time(pid)
                   for pid in proctree.tree(host.proc.pid)}
        daemons = host.workers()
        assert len(daemons) == 2
        assert all(proctree.cmdline(pid).startswith(apache.DISPLAY_NAME)
                   for pid in daemons)
        # Apache's own children hold the connections.
        assert host.listeners()
        assert not set(host.listeners()) & set(daemons)
    finally:
        host.stop()
    assert host.proc.returncode is not None
    assert not [pid for pid, start in started.items()
                if proctree.start_time(pid) == start]


@pytest.mark.skipif(hosts.executable("uwsgi") is None,
                    reason="uWSGI is not installed (the bench extra has it)")
def test_uwsgi_keeps_a_closing_connection_and_its_close_twin_does_not(
        tmp_path):
    base = hosts.minova_base_config(str(tmp_path))
    stack = matrix.STACKS[0]
    uwsgi = matrix.Host("uwsgi", 1)
    started = []
    try:
        for closing in (False, True):
            host = hosts.RunningHost(uwsgi, stack, str(tmp_path), base,
                                     closing=closing)
            started.append(host)
            host.wait_ready()
        plain, twin = started
        assert not plain.says_close("/")
        assert twin.says_close("/")
    finally:
        for host in started:
            host.stop()


def test_hosted_nova_rows(tmp_path):
    """The nova stack: real nova 34 from the hosting venv, under minova and
    whichever other host that venv has (bench/run.sh installs them there;
    the tests' pins do not, so CI measures minova alone)."""
    from tests.hosting import services
    services.venv()
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--stacks", "nova",
         "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "results.csv") as f:
        rows = {r["host"]: r for r in csv.DictReader(f)
                if r["stack"] == "nova"}
    for kind in matrix.PEERS:
        peer = rows.get("%s-p1" % kind)
        # Measured wherever it is installed (the hosting venv for granian).
        if peer and "not installed" not in peer["skipped"]:
            assert not peer["skipped"], peer
            assert int(peer["errors"]) == 0 and float(peer["rps"]) > 0
    minova = rows["minova-p1"]
    assert not minova["skipped"], minova
    assert minova["endpoint"] == "GET /"
    assert int(minova["errors"]) == 0 and float(minova["rps"]) > 0
    assert float(minova["cpu_us_per_request"]) > 0
    # nova's own process: a worker holds all of nova (100+ MB).
    assert float(minova["rss_worker_mb"]) > 100
    assert float(minova["served_connections"]) == int(minova["connections"])
    assert "minova-inline-p1" not in rows and "twistd-web-p1" not in rows

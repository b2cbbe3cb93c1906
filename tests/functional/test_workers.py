"""<api>_workers > 1: worker processes, how requests spread, supervision, recycling.

These run the real ``twistd -n minova`` with conftest's TAG_APP, which
answers with the pid of the process that served the request, so each test
sees which worker did what. Load is a bounded number of requests from a few
client threads.
"""

import collections
import json
import os
import re
import signal
import socket
import ssl

import pytest
import requests
import trustme

from minova_tw.site import MOVE_CHECKS
from tests.functional.process import (is_worker, tag_env, write_config,
                                      write_tag_app)
from tests.functional.workers import Load, start_workers, worker_config
from tests.polling import wait_for


def socket_inodes(pid):
    """The inodes of the sockets process ``pid`` has open."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target)
    return inodes


def test_workers_serve_the_api_and_spread_new_and_kept_connections(
        minova, tmp_path):
    sections = worker_config(tmp_path)
    del sections["DEFAULT"]["metadata_workers"]  # unset: one per CPU
    server = start_workers(minova, tmp_path, sections)
    workers = server.workers("osapi_compute")
    assert sorted(workers) == [0, 1]
    cpus = os.cpu_count()
    assert len(server.workers("metadata")) == (cpus if cpus > 1 else 0)

    url = server.url("osapi_compute")
    new_connections = collections.Counter(
        requests.get(url, timeout=10).json()["pid"] for _ in range(64))
    with requests.Session() as session:
        answer = session.get(url, timeout=10).json()
    assert answer["multiprocess"] is True
    sessions = [requests.Session() for _ in range(32)]
    kept_connections = collections.Counter(
        s.get(url, timeout=10).json()["pid"] for s in sessions)
    for session in sessions:
        session.close()
    print("new connections per worker:", dict(new_connections),
          "keep-alive connections per worker:", dict(kept_connections))
    assert set(new_connections) == set(workers.values())
    assert min(new_connections.values()) >= 16  # of 64: an even spread
    assert set(kept_connections) == set(workers.values())
    assert min(kept_connections.values()) >= 6  # of 32
    # Each worker logs its access lines itself, tagged with its slot.
    assert "[osapi_compute/0 minova.access#info] 127.0.0.1" in server.log
    assert "[osapi_compute/1 minova.access#info] 127.0.0.1" in server.log


def ask(sock):
    """GET / on the kept connection ``sock``: the pid of the worker that
    answered (the tag app's), reading exactly its response."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: minova\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed before its response"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed within its response"
        body += chunk
    assert head.startswith(b"HTTP/1.1 200 "), head
    return json.loads(body)["pid"]


def worker_argument(pid, option):
    """The value of ``option`` on worker ``pid``'s command line."""
    with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
        argv = cmdline.read().decode().split("\0")
    return argv[argv.index(option) + 1]


def ask_rounds(connections):
    """Ask each of ``connections`` (which it closes) in turn, for
    MOVE_CHECKS + 2 rounds, past the responses after which a connection may
    still move: the answering pids, a list per round."""
    try:
        return [[ask(sock) for sock in connections]
                for _ in range(MOVE_CHECKS + 2)]
    finally:
        for sock in connections:
            sock.close()


def test_kept_connections_move_until_the_workers_hold_even_shares(
        minova, tmp_path):
    """The kernel's hash splits 20 connections 10/10 one time in six; once
    each connection had its first responses the workers' shares are even,
    each connection is still the one the client opened, and it moved at
    most once (minova_tw.balance)."""
    server = start_workers(minova, tmp_path)
    workers = set(server.workers("osapi_compute").values())
    directory = worker_argument(min(workers), "--balance")
    assert oct(os.stat(directory).st_mode & 0o777) == "0o700"
    host, port = server.addresses["osapi_compute"]
    rounds = ask_rounds([socket.create_connection((host, port), timeout=20)
                         for _ in range(20)])
    print("first answers per worker:", collections.Counter(rounds[0]),
          "last:", collections.Counter(rounds[-1]))
    assert set(rounds[0]) <= workers
    assert rounds[-1] == rounds[-2]
    for answers in zip(*rounds):  # each connection's, in order
        changes = sum(1 for a, b in zip(answers, answers[1:]) if a != b)
        assert changes <= 1, answers
    shares = collections.Counter(rounds[-1])
    assert set(shares) == workers
    assert max(shares.values()) - min(shares.values()) <= 1
    assert "Traceback" not in server.log
    server.stop()
    assert not os.path.exists(directory)


def test_workers_hold_only_their_own_listening_socket(minova, tmp_path):
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, DEFAULT={"metadata_workers": 2}))
    parent = socket_inodes(server.proc.pid)
    for api in ("osapi_compute", "metadata"):
        for slot, pid in server.workers(api).items():
            shared = socket_inodes(pid) & parent
            assert len(shared) == 1, (api, slot, shared)
    listening = {inodes for inodes in (
        frozenset(socket_inodes(pid) & parent)
        for api in ("osapi_compute", "metadata")
        for pid in server.workers(api).values())}
    assert len(listening) == 4  # one socket per slot, none shared


def test_a_killed_worker_is_logged_and_replaced_under_load(minova, tmp_path):
    server = start_workers(minova, tmp_path)
    fds_before = len(os.listdir("/proc/%d/fd" % server.proc.pid))
    victim = server.workers("osapi_compute")[0]
    clients = 4
    load = Load(server.url("osapi_compute", "/?sleep=0.01"), clients=clients)
    try:
        load.wait_served(100)
        os.kill(victim, signal.SIGKILL)
        server.wait_log("worker osapi_compute/0 pid %d killed by signal "
                        "SIGKILL (out of memory?)" % victim)
        # Clients connecting while slot 0 has no worker go to slot 1's.
        fresh = collections.Counter(
            requests.get(server.url("osapi_compute"), timeout=30).status_code
            for _ in range(16))
        assert fresh == {200: 16}
        wait_for(lambda: server.workers("osapi_compute")[0] != victim,
                 what="the replacement worker")
        load.wait_served(100)
    finally:
        load.stop()
    print("served", load.served, "failed", len(load.failures),
          load.failures)
    # Each client loses at most the connection the victim held and one it
    # opened again at once and the kernel queued on the victim's socket
    # before the parent closed it (reset: minova_tw.spawner's
    # _closeDeadSockets).
    assert len(load.failures) <= 2 * clients
    assert "respawning worker osapi_compute/0 in 1 s" in server.log
    assert not is_worker(victim)  # reaped: no zombie
    replacement = server.workers("osapi_compute")[0]
    assert replacement in {
        requests.get(server.url("osapi_compute"), timeout=10).json()["pid"]
        for _ in range(32)}
    assert len(os.listdir("/proc/%d/fd" % server.proc.pid)) == fds_before


#: osapi_compute's app, TAG_APP until a file named "crash" appears beside
#: it: from then on a worker dies while it builds the app.
CRASHING_APP = """
import os
import tagapp

def factory(global_conf, **local_conf):
    if os.path.exists(os.path.join(os.path.dirname(__file__), "crash")):
        raise SystemExit("crashapp: crashing at start on purpose")
    return tagapp.factory(global_conf, **local_conf)
"""


def test_a_crash_looping_slot_takes_no_new_clients(minova, tmp_path):
    sections = worker_config(tmp_path)
    write_tag_app(str(tmp_path), "1")
    (tmp_path / "crashapp.py").write_text(CRASHING_APP)
    sections["wsgi"]["api_paste_config"] = write_config(
        tmp_path / "crash-paste.ini", {
            "app:osapi_compute": {"paste.app_factory": "crashapp:factory"},
            "app:metadata": {"paste.app_factory": "tagapp:factory"}})
    server = start_workers(minova, tmp_path, sections)
    victim, survivor = (server.workers("osapi_compute")[slot]
                        for slot in (0, 1))
    (tmp_path / "crash").touch()
    os.kill(victim, signal.SIGKILL)
    # Two respawns died at start: slot 0 now waits 4 s for its third.
    server.wait_log("respawning worker osapi_compute/0 in 4 s")
    url = server.url("osapi_compute")
    answers = []
    for _ in range(20):  # each on a new connection, hashed over the port
        try:
            answers.append(requests.get(url, timeout=10).json()["pid"])
        except requests.RequestException as exc:
            answers.append(repr(exc))
    assert answers == [survivor] * 20
    assert "closed the listening socket of osapi_compute/0" in server.log
    # Back from the crash loop, slot 0 serves on the socket it bound anew.
    (tmp_path / "crash").unlink()
    wait_for(lambda: server.workers("osapi_compute")[0] != victim,
             timeout=60, what="slot 0's worker to be back")
    pids = {requests.get(url, timeout=10).json()["pid"] for _ in range(32)}
    assert pids == set(server.workers("osapi_compute").values())


def test_worker_max_requests_recycles_workers_without_failures(
        minova, tmp_path):
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, wsgi={"worker_max_requests": 40,
                        "worker_max_requests_jitter": 10}))
    first = server.workers("osapi_compute").values()
    load = Load(server.url("osapi_compute"), clients=3)
    try:
        for pid in first:
            wait_for(lambda: "pid %d exited with status 0" % pid in server.log,
                     what="worker %d to be recycled" % pid)
        load.wait_served(100)
    finally:
        load.stop()
    print("recycled: served", load.served, "by", len(load.pids),
          "workers, failed", len(load.failures))
    assert load.failures == []
    assert server.log.count("served its worker_max_requests; replacing "
                            "it") >= 2
    assert len(load.pids) > 2


@pytest.mark.parametrize("reactor", ["epoll", "poll", "select", "asyncio"])
def test_workers_run_the_reactor_twistd_was_given(minova, tmp_path, reactor):
    server = minova(worker_config(tmp_path), env=tag_env(tmp_path),
                    twistd_args=["--reactor=%s" % reactor])
    server.wait_log("minova ready")
    assert "reactor class: twisted.internet.%s" % reactor in server.log
    for pid in server.workers("osapi_compute").values():
        assert worker_argument(pid, "--reactor") == reactor
    pids = {requests.get(server.url("osapi_compute"), timeout=10).json()["pid"]
            for _ in range(16)}
    assert pids == set(server.workers("osapi_compute").values())


def test_a_tls_api_is_served_by_workers(minova, tmp_path):
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cert, key, root = (str(tmp_path / name) for name in
                       ("cert.pem", "key.pem", "root.pem"))
    leaf.private_key_and_cert_chain_pem.write_to_path(cert)
    leaf.private_key_pem.write_to_path(key)
    ca.cert_pem.write_to_path(root)
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, DEFAULT={"enabled_ssl_apis": "osapi_compute"},
        wsgi={"ssl_cert_file": cert, "ssl_key_file": key}))
    workers = server.workers("osapi_compute")
    assert sorted(workers) == [0, 1]
    pids = {requests.get(server.url("osapi_compute", scheme="https"),
                         verify=root, timeout=10).json()["pid"]
            for _ in range(16)}
    assert pids == set(workers.values())
    # TLS keep-alive connections stay with the worker that accepted them
    # (their session is that process's: minova_tw.balance moves none).
    context = ssl.create_default_context(cafile=root)
    host, port = server.addresses["osapi_compute"]
    rounds = ask_rounds([context.wrap_socket(
        socket.create_connection((host, port), timeout=20),
        server_hostname=host) for _ in range(12)])
    assert all(len(set(answers)) == 1 for answers in zip(*rounds))

"""bench's Connection: close cells measure one connection per request on every host.

uWSGI's --http11-socket ignores a request's ``Connection: close``; wrk then
keeps the connection, and the cell would measure keep-alive. These check the
probe that finds such a host (against real sockets) and that the runner
measures close shapes on the host's close twin and skips a host that would
not tell wrk to reconnect.
"""

import socket
import threading

import pytest

from bench import hosts, load, matrix, runner


class _OneResponseServer:
    """Answers each connection's first request with ``head`` and a body."""

    def __init__(self, head):
        self.head = head
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                self.requests.append(request)
                conn.sendall(self.head + b"Content-Length: 2\r\n\r\n{}")
                conn.recv(1)  # wait for the client to hang up

    def close(self):
        self.listener.close()


def _host_on(port):
    host = object.__new__(hosts.RunningHost)
    host.port = port
    return host


@pytest.mark.parametrize("head, says", [
    (b"HTTP/1.1 200 OK\r\nConnection: close\r\n", True),
    (b"HTTP/1.1 200 OK\r\nconnection:Keep-Alive, Close\r\n", True),
    (b"HTTP/1.1 200 OK\r\n", False),
    (b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n", False),
    (b"HTTP/1.1 200 OK\r\nX-Note: Connection: close\r\n", False),
])
def test_the_probe_reads_the_responses_connection_header(head, says):
    server = _OneResponseServer(head)
    try:
        assert _host_on(server.port).says_close(
            "/x", (("X-Forwarded-For", "10.0.0.5"),)) is says
        request = server.requests[0].decode("latin-1")
        assert request.startswith("GET /x HTTP/1.1\r\n")
        assert "\r\nConnection: close\r\n" in request
        assert "\r\nX-Forwarded-For: 10.0.0.5\r\n" in request
    finally:
        server.close()


class _FakeHost:
    def __init__(self, kind, says_close):
        self.host = matrix.Host(kind, 1)
        self._says_close = says_close

    def says_close(self, path, headers=()):
        return self._says_close


def test_close_shapes_run_on_the_twin_and_skip_hosts_that_keep_the_connection(
        monkeypatch):
    measured = []

    def measure(host, path, shape, mode, headers=(), warm_up=True):
        measured.append((host, shape))
        return {"rps": 1.0, "p99_ms": 1.0, "errors": 0}
    monkeypatch.setattr(load, "measure", measure)
    stack = matrix.STACKS[0]
    uwsgi, twin = _FakeHost("uwsgi", False), _FakeHost("uwsgi", True)
    gunicorn = _FakeHost("gunicorn-sync", False)
    running = {"uwsgi-p1": uwsgi, "gunicorn-sync-p1": gunicorn}
    records = runner._measure_all(
        running, {"uwsgi-p1": twin}, stack, stack.endpoints[0],
        matrix.MODES["full"], {}, 2)

    shapes = matrix.shapes(matrix.MODES["full"], stack, stack.endpoints[0])
    close = [s for s in shapes if not s.keep_alive]
    assert close and len(close) < len(shapes)
    assert [s for h, s in measured if h is uwsgi] == [
        s for s in shapes if s.keep_alive]
    assert [s for h, s in measured if h is twin] == close
    assert [s for h, s in measured if h is gunicorn] == [
        s for s in shapes if s.keep_alive]
    skipped = [r for r in records if r.get("skipped")]
    assert [(r["host"], r["endpoint"]) for r in skipped] == [
        ("gunicorn-sync-p1", "GET /, %s" % s.label) for s in close]
    assert all("reuse the connection" in r["skipped"] for r in skipped)
    assert all(r["host"] == "uwsgi-p1" for r in records
               if not r.get("skipped") and not r["keep_alive"])


@pytest.mark.parametrize("duration, at", [(1, 0.5), (2, 1.5), (3, 2.5),
                                          (10, 9.5)])
def test_served_connections_are_counted_half_a_second_before_the_end(
        duration, at):
    """Late enough for every connection a host answers, early enough for
    ``ss`` to find wrk's sockets still open (never before half the run)."""
    assert load.served_at(duration) == at

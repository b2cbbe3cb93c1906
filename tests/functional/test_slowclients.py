"""Slow and idle clients against the real host: slowloris, and the connection cap.

A thousand connections trickling their heads a byte a second do not keep a
normal client from being served, and the ``[wsgi] header_timeout`` deadline
closes every one of them however steadily it trickles (Twisted's idle
timer alone would wait forever: every byte restarts it); ``body_timeout``
does the same for a trickled body. At ``[wsgi] default_pool_size``
connections the host closes the one idle longest, so idle keep-alive
clients do not keep a new one out; with none idle it stops accepting, says
so once in its log, and serves the waiting client as soon as a connection
closes.
"""

import http.client
import resource
import selectors
import socket
import threading
import time

import requests

from tests.functional.process import base_config
from tests.polling import wait_for

TRICKLERS = 1000
HEADER_TIMEOUT = 5
DEADLINE = 30.0
#: What each trickler sends, a byte a second: a head that never ends.
SLOW_HEAD = b"GET /v2.1/flavors HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"s" * 100


def raise_open_files(needed):
    """Lift this process's soft RLIMIT_NOFILE (minova inherits it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


class Tricklers(threading.Thread):
    """``count`` connections sending SLOW_HEAD a byte a second, in one thread.

    ``answers`` maps each connection the server closed to what it sent
    before closing; the thread ends when all are closed or at ``deadline``.
    """

    def __init__(self, address, count, deadline):
        super().__init__(daemon=True)
        self.opened = time.monotonic()
        self.sockets = [socket.create_connection(address, timeout=DEADLINE)
                        for _ in range(count)]
        self.connectTime = time.monotonic() - self.opened
        self.deadline = time.monotonic() + deadline
        self.answers = {}
        self.sent = 0

    def run(self):
        selector = selectors.DefaultSelector()
        for sock in self.sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        while len(self.answers) < len(self.sockets) and (
                time.monotonic() < self.deadline):
            byte = SLOW_HEAD[self.sent:self.sent + 1] or b"s"
            for sock in self.sockets:
                if sock not in self.answers:
                    try:
                        sock.send(byte)
                    except OSError:
                        pass  # closed: the selector says what it answered
            self.sent += 1
            tick = time.monotonic() + 1.0
            while time.monotonic() < tick:
                for key, _ in selector.select(tick - time.monotonic()):
                    self._closed(selector, key.fileobj)
        selector.close()

    def _closed(self, selector, sock):
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        selector.unregister(sock)
        self.answers[sock] = (data, time.monotonic() - self.opened)
        sock.close()

    def close(self):
        for sock in self.sockets:
            sock.close()


def test_a_thousand_tricklers_do_not_stop_a_normal_client(minova, tmp_path):
    raise_open_files(TRICKLERS * 2 + 200)
    server = minova(base_config(tmp_path, wsgi={
        "header_timeout": HEADER_TIMEOUT,
        "default_pool_size": TRICKLERS + 100}))
    tricklers = Tricklers(server.addresses["osapi_compute"], TRICKLERS,
                          HEADER_TIMEOUT + DEADLINE)
    tricklers.start()
    try:
        while tricklers.sent < 2 and tricklers.is_alive():
            time.sleep(0.05)  # every trickler has begun its head
        latencies = []
        for api, path in (("osapi_compute", "/v2.1/flavors"),
                          ("osapi_compute", "/v2.1/servers"),
                          ("metadata", "/")):
            started = time.monotonic()
            response = requests.get(server.url(api, path), timeout=DEADLINE,
                                    headers={"X-Auth-Token": "demo:demo"})
            latencies.append(time.monotonic() - started)
            assert response.status_code == 200, response.text
        print("normal client with %d tricklers: %s s" % (
            TRICKLERS, ", ".join("%.3f" % t for t in latencies)))
        tricklers.join(HEADER_TIMEOUT + DEADLINE)
        assert len(tricklers.answers) == TRICKLERS  # the deadline closed all
        answers = [data for data, _ in tricklers.answers.values()]
        assert all(data.startswith(b"HTTP/1.1 408 Request Timeout")
                   for data in answers)
        closed_after = sorted(t for _, t in tricklers.answers.values())
        print("%d tricklers connected in %.1f s, closed %.1f..%.1f s after "
              "the first connect (header_timeout %d)" % (
                  TRICKLERS, tricklers.connectTime, closed_after[0],
                  closed_after[-1], HEADER_TIMEOUT))
    finally:
        tricklers.close()
    assert "Traceback" not in server.log


#: What the site logs when it reaches the cap, and when it is below it again.
AT_CAP = "default_pool_size cap;"
BELOW = "below the default_pool_size cap again"


def test_the_connection_cap_holds_new_clients_until_one_closes(
        minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute"}, wsgi={"default_pool_size": 3}),
        expect=("osapi_compute",))
    address = server.addresses["osapi_compute"]
    idle = [socket.create_connection(address) for _ in range(3)]
    server.wait_log(AT_CAP)
    result = {}

    def get():
        result["status"] = requests.get(
            server.url("osapi_compute", "/"), timeout=DEADLINE,
            headers={"Connection": "close"}).status_code

    waiting = threading.Thread(target=get)
    waiting.start()
    idle.pop().close()
    waiting.join(DEADLINE)
    assert result == {"status": 200}
    # Whether the waiting client's own connection filled the site again
    # depends on when it was accepted; below the cap is when every warning
    # has had its "again".
    wait_for(lambda: server.log.count(BELOW) == server.log.count(AT_CAP),
             DEADLINE, "the site below the cap")
    warned = server.log.count(AT_CAP)
    idle.append(socket.create_connection(address))
    server.wait_log(AT_CAP, count=warned + 1)
    for sock in idle:
        sock.close()
    assert server.log.count(AT_CAP) == warned + 1


def closed_by_server(sock, deadline):
    """Whether the server closes ``sock`` (EOF or reset) within ``deadline``
    seconds; what it sent before, or None."""
    sock.settimeout(deadline)
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                return data
            data += chunk
    except ConnectionResetError:
        return data
    except socket.timeout:
        return None


def test_idle_clients_make_room_at_the_cap_and_a_trickled_body_is_cut(
        minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute"}, wsgi={
        "default_pool_size": 3, "body_timeout": 2}),
        expect=("osapi_compute",))
    host, port = server.addresses["osapi_compute"]
    idle = []
    for count in range(1, 4):  # keep-alive clients, served once, then idle
        connection = http.client.HTTPConnection(host, port, timeout=DEADLINE)
        connection.request("GET", "/")
        assert connection.getresponse().read()
        idle.append(connection)
        # Idle from the end of its exchange, which a pool thread may end
        # just after the client has the answer: logged, it has ended.
        server.wait_log('"GET / HTTP/1.1" status: 200', count)
    # The third reached the cap: the first, idle longest, was closed.
    assert closed_by_server(idle[0].sock, DEADLINE) == b""
    # Without that, this client would wait for client_socket_timeout.
    assert requests.get(server.url("osapi_compute", "/"), timeout=DEADLINE,
                        headers={"Connection": "close"}).status_code == 200
    with socket.create_connection((host, port), timeout=DEADLINE) as sock:
        sock.sendall(b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n"
                     b"X-Auth-Token: demo:demo\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n")
        answer = None
        for _ in range(int(DEADLINE / 0.5)):  # a byte each half second
            try:
                sock.send(b"{")
            except OSError:
                pass  # closed: the answer is waiting
            answer = closed_by_server(sock, 0.5)
            if answer is not None:
                break
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer
    assert answer.endswith(b"The request body did not come in time.")
    server.wait_log("body came too slowly")
    for connection in idle:
        connection.close()
    assert "Traceback" not in server.log

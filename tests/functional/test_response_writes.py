"""Responses on the real host with real pool threads, where writing them is hard.

Against ``twistd -n minova`` serving tests/functional/apps/echoapp: a client
that reads slowly (what the socket does not take must go out later, intact,
and the connection serve the next request), clients that leave before or
in the middle of a response (whole or streamed), pipelined requests with
HEAD and ``Connection: close``, and the same over TLS.
"""

import json
import socket
import ssl
import struct

from tests.functional.certificates import Certificates
from tests.functional.process import echo_config

#: Below WSGIResource.STREAM_BUFFER: written whole by the pool thread.
WHOLE = 200000
#: Above it: streamed through the reactor, chunk by chunk.
STREAMED = 3000000


def assert_sized(body, size):
    """``body`` is echoapp's ``?size=`` body, whole and in order: each 8
    bytes say their own offset."""
    assert len(body) == size
    for offset in range(0, size, 8):
        assert body[offset:offset + 8] == (b"%08d" % offset)[:size - offset]


def request(path, *headers):
    lines = ["GET %s HTTP/1.1" % path, "Host: test"] + list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_response(sock, buffered=b""):
    """One response with a Content-Length from ``sock``: (head, body,
    what followed it)."""
    data = buffered
    while b"\r\n\r\n" not in data:
        data += receive(sock)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += receive(sock)
    return head, rest[:length], rest[length:]


def receive(sock):
    chunk = sock.recv(65536)
    assert chunk, "the server closed the connection in a response"
    return chunk


def connect(server, receive_buffer=None):
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(30)
    sock.connect(server.addresses["osapi_compute"])
    return sock


def reset(sock):
    """Close ``sock`` with a reset, as a client that gives up does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    sock.close()


def assert_healthy(server):
    """The host still serves, and logged no failure."""
    with connect(server) as sock:
        sock.sendall(request("/after"))
        head, body, _ = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert json.loads(body)["PATH_INFO"] == "/after"
    assert "Traceback" not in server.log and "Unhandled" not in server.log


def test_a_slow_reader_gets_the_whole_response_then_the_next(minova,
                                                              tmp_path):
    server = minova(echo_config(tmp_path))
    with connect(server, receive_buffer=4096) as sock:
        sock.sendall(request("/slow?size=%d" % WHOLE))
        # The request is done for the host (its access line is written)
        # while most of its response cannot have left: the client has read
        # nothing and takes 4 KiB at a time. The rest is the reactor's.
        server.wait_log('"GET /slow?size=%d HTTP/1.1" status: 200' % WHOLE)
        head, body, rest = read_response(sock)
        assert_sized(body, WHOLE)
        assert rest == b""
        sock.sendall(request("/next?size=10"))
        assert_sized(read_response(sock)[1], 10)
    assert_healthy(server)


def test_clients_that_leave_mid_response_cost_nothing(minova, tmp_path):
    # One pool thread: the checks after run once it is done with them all.
    server = minova(echo_config(tmp_path, wsgi={"thread_pool_size": 1}))
    # Gone before its thread writes.
    sock = connect(server)
    sock.sendall(request("/gone?sleep=0.5&size=100"))
    server.wait_log("echo: sleeping 0.5")
    reset(sock)
    # Gone after part of a response the thread wrote whole, and of one
    # that streams.
    for size in (WHOLE, STREAMED):
        sock = connect(server, receive_buffer=4096)
        sock.sendall(request("/part?size=%d" % size))
        sock.recv(1000)
        reset(sock)
    for _ in range(2):  # the second after the reactor took the first back
        assert_healthy(server)
    assert '"GET /gone' not in server.log  # no access line for it


def test_pipelined_head_and_close_are_answered_in_order(minova, tmp_path):
    server = minova(echo_config(tmp_path))
    with connect(server) as sock:
        sock.sendall(request("/one") + request("/two").replace(
            b"GET", b"HEAD", 1) + request("/three?size=%d" % WHOLE,
                                          "Connection: close"))
        head, body, rest = read_response(sock)
        assert json.loads(body)["PATH_INFO"] == "/one"
        data = rest
        while b"\r\n\r\n" not in data:
            data += receive(sock)
        head, _, rest = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Length" in head
        head, body, rest = read_response(sock, rest)
        assert b"\r\nConnection: close" in head
        assert_sized(body, WHOLE)
        assert rest == b""
        assert sock.recv(1) == b""  # and the host closed
    assert_healthy(server)


def test_tls_responses_to_a_slow_reader_go_out_whole(minova, tmp_path):
    pki = Certificates(str(tmp_path))
    server = minova(echo_config(
        tmp_path, DEFAULT={"enabled_ssl_apis": "osapi_compute"},
        wsgi={"ssl_cert_file": pki.cert_file, "ssl_key_file": pki.key_file}))
    context = ssl.create_default_context(cafile=pki.root_file)
    with context.wrap_socket(connect(server, receive_buffer=4096),
                             server_hostname="localhost") as sock:
        for path in ("/a", "/b"):  # twice on the kept connection
            sock.sendall(request("%s?size=%d" % (path, WHOLE)))
            head, body, rest = read_response(sock)
            assert head.startswith(b"HTTP/1.1 200 ")
            assert_sized(body, WHOLE)
            assert rest == b""

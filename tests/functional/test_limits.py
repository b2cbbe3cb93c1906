"""Request limits of the real host over loopback: huge, oversized and malformed requests.

A body over ``[oslo_middleware] max_request_body_size`` is refused with
a 413 as soon as its Content-Length, or the running size of a chunked
body, says so — a 1 GB upload is over after the first few megabytes the
kernel buffers; heads over ``[wsgi] max_header_line`` or
``max_header_size`` get 431, malformed ones 400, and each of those closes
the connection. Raw sockets, so the tests see exactly what goes on the wire.
"""

import json
import select
import socket
import time

import pytest

from tests.functional.process import base_config
from tests.functional.rawhttp import DEADLINE, parse, read_response

GIB = 1 << 30
LIMIT = 114688  # oslo.middleware's default max_request_body_size
TOKEN = b"X-Auth-Token: demo:demo\r\n"


def exchange(address, raw):
    """Send ``raw`` on a new connection; what comes back until closed."""
    with socket.create_connection(address, timeout=DEADLINE) as sock:
        sock.sendall(raw)
        return read_response(sock)


def stream_until_answered(address, head, chunk):
    """Send ``head``, then ``chunk`` after ``chunk`` (up to 1 GiB) until the
    server answers or closes; (bytes of body sent, the response)."""
    sent = 0
    with socket.create_connection(address, timeout=DEADLINE) as sock:
        sock.sendall(head)
        deadline = time.monotonic() + DEADLINE
        while sent < GIB and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    break
        return sent, read_response(sock)


@pytest.fixture
def server(minova, tmp_path):
    """minova serving nova's compute and metadata stacks, default limits."""
    return minova(base_config(tmp_path))


def assert_host_413(response):
    """The host's own 413: plain text, no API's fault document (the same
    for every API)."""
    status, headers, body = parse(response)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert headers["content-type"] == "text/plain"
    assert headers["connection"] == "close"
    assert body == b"The request body is too large."


def test_a_1gb_upload_is_refused_from_its_content_length(server):
    sent, response = stream_until_answered(
        server.addresses["osapi_compute"],
        b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n" + TOKEN
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
        % GIB, b"x" * 65536)
    assert_host_413(response)
    assert sent < 64 << 20  # what the kernel buffered at most, not 1 GiB


def test_a_chunked_upload_is_refused_once_past_the_limit(server):
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    sent, response = stream_until_answered(
        server.addresses["osapi_compute"],
        b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n" + TOKEN
        + b"Content-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n", chunk)
    assert_host_413(response)
    assert sent < 64 << 20


def test_the_metadata_api_has_the_same_limit(server):
    response = exchange(server.addresses["metadata"],
                        b"POST /openstack HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Length: %d\r\n\r\n" % (LIMIT + 1))
    assert_host_413(response)


def test_a_body_within_the_limit_reaches_the_app(server):
    body = json.dumps({"server": {"name": "n" * (LIMIT - 100)}}).encode()
    body += b" " * (LIMIT - len(body))
    response = exchange(server.addresses["osapi_compute"],
                        b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n" + TOKEN
                        + b"Connection: close\r\n"
                        b"Content-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(body) + body)
    status, _, body = parse(response)
    assert status == "HTTP/1.1 400 Bad Request"  # the schema's, not ours
    assert "badRequest" in json.loads(body)


def test_keystone_sized_tokens_are_served(server):
    token = b"gAAAAA" + b"t" * 12000  # a PKI-era token, Fernet plus service
    response = exchange(server.addresses["osapi_compute"],
                        b"GET /v2.1/flavors HTTP/1.1\r\nHost: x\r\n"
                        b"Connection: close\r\nX-Auth-Token: demo:demo\r\n"
                        b"X-Service-Token: " + token + b"\r\n"
                        b"X-Subject-Token: " + token + b"\r\n\r\n")
    assert parse(response)[0] == "HTTP/1.1 200 OK"


@pytest.mark.parametrize("head", [
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"l" * 16385 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-Part-%d: %s\r\n" % (n, b"p" * 10000) for n in range(7)) + b"\r\n",
], ids=["line over max_header_line", "head over max_header_size"])
def test_oversized_heads_are_431_and_closed(server, head):
    status, headers, _ = parse(exchange(server.addresses["osapi_compute"],
                                        head))
    assert status == "HTTP/1.1 431 Request Header Fields Too Large"
    assert headers["connection"] == "close"


@pytest.mark.parametrize("head", [
    b"GET /v2.1 HTTP/1.1 extra\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",  # TLS to HTTP
    b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n"
    b"Content-Length: 12abc\r\n\r\n",
    b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
    b"Content-Length: 6\r\n\r\n",
    b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n"
    b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
    b"POST /v2.1/servers HTTP/1.1\r\nHost: x\r\n"
    b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /v2.1 HTTP/1.1\r\n\r\n",
    b"GET /v2.1 HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
    b"POST /v2.1/servers HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"0\r\n\r\n",
], ids=["request line", "not HTTP", "bad Content-Length",
        "two Content-Lengths", "Transfer-Encoding and Content-Length",
        "bad chunk size", "no Host", "two Hosts", "chunked in HTTP/1.0"])
def test_malformed_requests_are_400_and_closed(server, head):
    status, headers, _ = parse(exchange(server.addresses["osapi_compute"],
                                        head))
    assert status == "HTTP/1.1 400 Bad Request"
    assert headers["connection"] == "close"


def test_the_server_still_serves_after_all_that(server):
    test_a_1gb_upload_is_refused_from_its_content_length(server)
    response = exchange(server.addresses["osapi_compute"],
                        b"GET /v2.1/flavors HTTP/1.1\r\nHost: x\r\n" + TOKEN
                        + b"Connection: close\r\n\r\n")
    assert parse(response)[0] == "HTTP/1.1 200 OK"
    assert "Traceback" not in server.log

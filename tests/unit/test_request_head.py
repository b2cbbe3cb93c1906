"""minova_tw.request_head: a request head to a WSGI environ, as pure functions."""

import subprocess
import sys

import pytest

from minova_tw import request_head
from minova_tw.request_head import BadRequest, parse_head

BASE = {"SERVER_PORT": "8774", "wsgi.url_scheme": "http"}


def test_a_head_becomes_a_pep_3333_environ():
    environ, *request = parse_head(
        "POST /a/b%20c?x=1&y=%20 HTTP/1.1\nHost: h.example:99\n"
        "Content-Type: application/json\nContent-Length: 2\n"
        "X-Two: a\nX-Two:  b ", BASE, "10.0.0.1")
    assert request == ["POST", "/a/b%20c?x=1&y=%20", "HTTP/1.1", 2, False]
    assert environ == dict(
        BASE, REQUEST_METHOD="POST", SCRIPT_NAME="", PATH_INFO="/a/b c",
        QUERY_STRING="x=1&y=%20", SERVER_PROTOCOL="HTTP/1.1",
        SERVER_NAME="h.example", HTTP_HOST="h.example:99",
        CONTENT_TYPE="application/json", CONTENT_LENGTH="2",
        HTTP_X_TWO="a,b")
    assert "HTTP_CONTENT_TYPE" not in environ
    assert BASE == {"SERVER_PORT": "8774", "wsgi.url_scheme": "http"}


@pytest.mark.parametrize("line, value", [
    ("X-A: v", "v"), ("X-A:v", "v"), ("X-A:   v  ", "v"), ("X-A:\tv\t", "v"),
    ("X-A: a \t b \t", "a \t b"), ("X-A:", ""), ("X-A:  \t ", ""),
    ("X-A: " + "t" * 300 + " ", "t" * 300), ("X-A: a:b: c", "a:b: c"),
])
def test_a_header_value_is_read_without_the_whitespace_around_it(
        line, value):
    environ = parse_head("GET / HTTP/1.1\nHost: h\n" + line, BASE, "h")[0]
    assert environ["HTTP_X_A"] == value


def test_no_body_headers_are_empty_strings():
    environ = parse_head("GET / HTTP/1.0", BASE, "10.0.0.1")[0]
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("", "")
    assert environ["SERVER_NAME"] == "10.0.0.1"  # 1.0: Host is optional


def test_chunked_framing_and_the_absolute_form():
    environ, _, target, _, length, chunked = parse_head(
        "PUT http://h.example/v2.1/x?a=1 HTTP/1.1\nHost: h\n"
        "Transfer-Encoding: Chunked", BASE, "")
    assert (target, length, chunked) == ("/v2.1/x?a=1", None, True)
    assert environ["PATH_INFO"] == "/v2.1/x"


@pytest.mark.parametrize("head", [
    "GET / HTTP/1.1 x\nHost: h",
    "GET / HTTP/2.0\nHost: h",
    "GET / HTTP/1.1\nHost: h\nbad header",
    "GET / HTTP/1.1\nHost: h\n folded",
    "GET / HTTP/1.1",
    "GET / HTTP/1.1\nHost: a\nHost: a",
    "GET / HTTP/1.1\nHost: a/b",
    "GET / HTTP/1.1\nHost: h\nContent-Length: +1",
    "GET / HTTP/1.1\nHost: h\nContent-Length: 1\nContent-Length: 1",
    "GET / HTTP/1.1\nHost: h\nTransfer-Encoding: gzip, chunked",
    "GET / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n"
    "Content-Length: 1",
    "GET / HTTP/1.0\nTransfer-Encoding: chunked",
    "GET relative HTTP/1.1\nHost: h",
])
def test_a_malformed_head_is_bad_request(head):
    with pytest.raises(BadRequest):
        parse_head(head, BASE, "")


def test_headers_from_any_http_layer_share_the_rules():
    environ = {}
    request_head.add_headers(environ, [("accept", "a"), ("Accept", "b"),
                                       ("content-length", "0")])
    assert environ == {"HTTP_ACCEPT": "a,b", "CONTENT_LENGTH": "0"}
    with pytest.raises(BadRequest):
        request_head.add_headers({}, [("host", "a"), ("host", "b")])


@pytest.mark.parametrize("host, name", [
    ("[::1]:8774", "[::1]"), ("h.example", "h.example"),
    ("h.example:", "h.example"), ("", "local")])
def test_server_name_is_the_hosts_host(host, name):
    environ = {"HTTP_HOST": host}
    request_head.add_server_name(environ, "local", True)
    assert environ["SERVER_NAME"] == name


def test_a_failed_app_gets_a_500_until_its_response_began():
    status, headers, body = request_head.failure_answer(False)
    assert status.startswith("500 ")
    assert headers == [("Content-Type", "text/plain")]
    assert b"rror" in body and b"Traceback" not in body
    assert request_head.failure_answer(True) is None


def test_it_imports_no_twisted():
    result = subprocess.run([sys.executable, "-c", (
        "import sys, minova_tw.request_head; "
        "print(sorted(m for m in sys.modules if m.startswith('twisted')))")],
        capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

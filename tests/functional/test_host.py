"""The host around any paste stack: plugin, config files, access log, keep-alive, pool, drain.

These run the real ``twistd -n minova`` with tests/functional/apps/echoapp,
a plain paste app that answers with the environ the host gave it, so the
host is tested apart from nova's stacks.
"""

import http.client
import json
import re
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from tests.functional.process import (TWISTD, echo_config, minova_env,
                                      write_config)
from tests.polling import wait_for

def test_twistd_lists_the_plugin_and_its_options():
    listing = subprocess.run([TWISTD, "--help"], capture_output=True,
                             text=True, check=True).stdout
    assert re.search(r"^\s+minova\s+Serve nova's API stacks", listing, re.M)
    usage = subprocess.run([TWISTD, "-n", "minova", "--help"],
                           capture_output=True, text=True, check=True).stdout
    assert "--config=" in usage and "--config-dir=" in usage


def test_both_apis_serve_the_paste_app_and_log_access(minova, tmp_path):
    server = minova(echo_config(tmp_path))
    for api in ("osapi_compute", "metadata"):
        response = requests.post(server.url(api, "/a/b%20c?x=1"), data=b"hi")
        assert response.status_code == 200
        environ = response.json()
        assert environ["PATH_INFO"] == "/a/b c"
        assert environ["QUERY_STRING"] == "x=1"
        assert environ["body"] == "hi"
        assert environ["wsgi.url_scheme"] == "http"
        assert environ["wsgi.multiprocess"] is False
        assert environ["minova.access_logged"] is True
        assert environ["thread"].startswith("PoolThread-")
    host, port = server.addresses["osapi_compute"]
    assert host == "127.0.0.1" and port > 0
    wait_for(lambda: server.log.count('"POST /a/b%20c?x=1 HTTP/1.1"') == 2,
             what="two access log lines")
    line = re.search(r'127\.0\.0\.1 "POST /a/b%20c\?x=1 HTTP/1\.1" status: '
                     r'200 len: (\d+) time: \d+\.\d{7}$', server.log, re.M)
    assert line and int(line.group(1)) == len(response.content)


def test_wsgi_log_format_is_honoured(minova, tmp_path):
    fmt = ("%(client_ip)s|%(date_time)s|%(request_line)s|"
           "%(status_code)s|%(body_length)s|%(wall_seconds).2f")
    server = minova(echo_config(tmp_path, wsgi={"wsgi_log_format": fmt}))
    requests.get(server.url("metadata", "/x?status=404"))
    wait_for(lambda: "|GET /x?status=404 HTTP/1.1|404|" in server.log,
             what="custom access line")
    assert re.search(r"127\.0\.0\.1\|\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\|GET "
                     r"/x\?status=404 HTTP/1\.1\|404\|\d+\|\d+\.\d\d$",
                     server.log, re.M)


def test_a_bad_log_format_stops_startup(tmp_path):
    config = write_config(tmp_path / "api.conf", echo_config(
        tmp_path, wsgi={"wsgi_log_format": "%(nope)s"}))
    result = subprocess.run([TWISTD, "-n", "--pidfile=", "minova", "--config",
                             config], capture_output=True, text=True,
                            env=minova_env(), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "minova: [wsgi] wsgi_log_format: KeyError: 'nope'"]


def test_keep_alive_reuses_the_connection(minova, tmp_path):
    server = minova(echo_config(tmp_path))
    host, port = server.addresses["osapi_compute"]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/one")
    first = conn.getresponse()
    first.read()
    sock = conn.sock
    conn.request("GET", "/two")
    second = conn.getresponse()
    assert json.loads(second.read())["PATH_INFO"] == "/two"
    assert conn.sock is sock and first.getheader("Connection") is None


def test_keep_alive_off_closes_after_each_response(minova, tmp_path):
    server = minova(echo_config(tmp_path, wsgi={"keep_alive": False}))
    host, port = server.addresses["metadata"]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/")
    response = conn.getresponse()
    response.read()
    assert response.getheader("Connection") == "close"
    assert response.will_close


@pytest.mark.parametrize("pool", [4, 0], ids=["threaded", "inline"])
def test_a_closing_response_arrives_whole_before_a_clean_end(minova, tmp_path,
                                                             pool):
    """Connection: close on a real socket: the request sent with the
    connect, the response whole (also one larger than the socket buffers,
    so part of it waits in the transport), then a FIN, not a reset."""
    server = minova(echo_config(
        tmp_path, wsgi={"thread_pool_size": pool},
        oslo_middleware={"max_request_body_size": 64 << 20}))
    address = server.addresses["osapi_compute"]
    for size in (0, 16 << 20):
        payload = b"x" * size
        with socket.create_connection(address, timeout=20) as sock:
            sock.sendall(b"POST /closing HTTP/1.1\r\nHost: t\r\n"
                         b"Connection: close\r\nContent-Length: %d\r\n\r\n"
                         % size + payload)
            received = []
            while True:
                chunk = sock.recv(1 << 20)  # a reset would raise here
                if not chunk:
                    break
                received.append(chunk)
        head, _, body = b"".join(received).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ")
        assert b"\r\nConnection: close" in head
        assert int(re.search(rb"Content-Length: (\d+)", head)[1]) == len(body)
        echoed = json.loads(body)
        assert echoed["PATH_INFO"] == "/closing"
        assert echoed["body"] == payload.decode()


def test_thread_pool_size_bounds_concurrent_requests(minova, tmp_path):
    server = minova(echo_config(tmp_path, wsgi={"thread_pool_size": 2}))
    threads = []
    names = []

    def call():
        names.append(requests.get(server.url("osapi_compute", "/?sleep=0.3"),
                                  timeout=30).json()["thread"])

    for _ in range(6):
        threads.append(threading.Thread(target=call))
        threads[-1].start()
    for thread in threads:
        thread.join()
    assert len(names) == 6 and len(set(names)) == 2


def test_thread_pool_size_0_runs_the_stack_in_the_reactor_thread(minova,
                                                                 tmp_path):
    server = minova(echo_config(tmp_path, wsgi={"thread_pool_size": 0}))
    environ = requests.get(server.url("osapi_compute", "/x")).json()
    assert environ["thread"] == "MainThread"
    assert environ["wsgi.multithread"] is False


def test_sigterm_lets_an_inflight_request_finish(minova, tmp_path):
    server = minova(echo_config(tmp_path))
    result = {}

    def slow():
        result["response"] = requests.get(
            server.url("osapi_compute", "/?sleep=1.5"), timeout=30)

    client = threading.Thread(target=slow)
    client.start()
    wait_for(lambda: "echo: sleeping 1.5" in server.log,
             what="the slow request to reach the app")
    server.signal(signal.SIGTERM)
    client.join(30)
    assert result["response"].status_code == 200
    assert result["response"].json()["QUERY_STRING"] == "sleep=1.5"
    server.wait(30)
    assert "Server Shut Down." in server.log


"""bench.instructions and bench.barehost: counting a live process's
instructions with callgrind, the table, and the bare host's HTTP."""

import os
import shutil
import socket
import subprocess
import sys
import textwrap

import pytest

from bench import barehost, hosts, instructions, matrix, steps
from tests.polling import wait_for

needs_valgrind = pytest.mark.skipif(
    shutil.which("valgrind") is None
    or shutil.which("callgrind_control") is None,
    reason="valgrind is not installed (apt-get install valgrind)")


@needs_valgrind
def test_count_gives_what_a_live_process_executes_between_zero_and_dump(
        tmp_path):
    # A loop whose work grows with the number read: twice the iterations
    # must count about twice the instructions, and the count must not
    # include the start-up before the zero.
    script = textwrap.dedent("""
        import sys
        print("ready", flush=True)
        for line in sys.stdin:
            total = 0
            for i in range(int(line)):
                total += i * i
            print("done", flush=True)
    """)
    proc = subprocess.Popen(
        instructions.callgrind_command(str(tmp_path))
        + [sys.executable, "-c", script],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"

        def loop(n):
            def work():
                proc.stdin.write("%d\n" % n)
                proc.stdin.flush()
                assert proc.stdout.readline().strip() == "done"
            return work
        small = instructions.count(proc.pid, str(tmp_path), loop(200000))
        large = instructions.count(proc.pid, str(tmp_path), loop(400000))
    finally:
        proc.kill()
        proc.wait()
    assert small > 200000
    assert 1.8 < large / small < 2.2


def test_summary_is_the_dump_files_summary_line(tmp_path):
    dump = tmp_path / "1.out.1"
    dump.write_text("version: 1\ncreator: callgrind-3.19.0\nevents: Ir\n"
                    "summary: 557105645\ntotals: 557105645\n")
    assert instructions.summary(str(dump)) == 557105645
    (tmp_path / "empty").write_text("events: Ir\n")
    with pytest.raises(ValueError):
        instructions.summary(str(tmp_path / "empty"))


def test_the_table_gives_each_hosts_cost_beyond_the_app():
    table = instructions.table(900e3, {
        "minova": {1: 1020e3, 8: 1030e3},
        "uwsgi": {1: 920e3, 8: 910e3},
        instructions.BARE: {1: 925e3},
    }).splitlines()
    assert table[2] == "| the app alone (no host) | – | 900 | – | – |"
    assert table[3] == "| minova | 1 | 1020 | 120 | 6.0x |"
    assert table[4] == "| minova | 8 | 1030 | 130 | 13.0x |"
    assert table[5] == "| uwsgi | 1 | 920 | 20 | 1.0x |"
    assert table[7] == ("| bare Python host (bench.barehost) | 1 | 925 "
                        "| 25 | 1.2x |")


def test_the_bare_hosts_environ_has_the_request_line_and_headers():
    environ = barehost.environ_of(
        "GET /v2.1/servers?limit=1 HTTP/1.1\r\nHost: h:1\r\n"
        "X-Auth-Token: abc", {"SCRIPT_NAME": ""})
    assert environ == {
        "SCRIPT_NAME": "", "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v2.1/servers", "QUERY_STRING": "limit=1",
        "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "h:1",
        "HTTP_X_AUTH_TOKEN": "abc"}
    assert barehost.environ_of("GET /\r\nHost: h", {}) is None


def test_the_bare_host_answers_keep_alive_requests_on_a_real_socket():
    port = hosts.free_port()
    env = dict(os.environ, PYTHONPATH=matrix.ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "bench.barehost",
                             str(port)], cwd=matrix.ROOT, env=env,
                            stderr=subprocess.PIPE)
    try:
        def listening():
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return True
            except OSError:
                return False
        wait_for(listening, what="bench.barehost listening")
        # Two connections at once, three requests each, every response
        # read whole by its Content-Length (send_requests raises if not).
        instructions.send_requests(port, "/", 2, 3)
        # A request that says close is answered, then its connection ends.
        with socket.create_connection(("127.0.0.1", port), 5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n"
                         b"Connection: close\r\n\r\n")
            answer = b""
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                answer += data
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert answer.endswith(b"}")
        instructions.send_requests(port, "/", 2, 3, close=True)
    finally:
        proc.kill()
        proc.wait()


def test_each_step_runs_as_the_host_runs_it():
    from paste.deploy import loadapp
    app = loadapp("config:" + matrix.REFERENCE_PASTE, name="osapi_compute")
    table = steps.steps(app)
    assert {name for names, _ in instructions.STEP_ROWS
            for name in names} <= set(table)
    environ = table["parse-sdk"]()[0]
    assert environ["HTTP_X_OPENSTACK_NOVA_API_VERSION"] == "2.90"
    assert environ["HTTP_X_AUTH_TOKEN"].startswith("gAAAAAB")
    assert table["head"]().startswith(b"HTTP/1.1 200 OK\r\n")
    status, headers, body = table["app-joined"]()
    assert status == "200 OK" and b'"versions"' in body
    for _ in range(40):  # past a batch of the access lines' writes
        table["access-line"]()


def test_the_steps_table_takes_a_difference_where_a_row_names_two():
    counts = {name: 1000.0 for names, _ in instructions.STEP_ROWS
              for name in names}
    counts.update({"app-wsgiresponse": 950e3, "app-joined": 938e3,
                   "parse-sdk": 75.9e3})
    table = instructions.steps_table(counts)
    assert "| head to environ, openstacksdk's seven headers | 75.9 |" in (
        table)
    assert table.splitlines()[-1].endswith("| 12.0 |")


def test_an_unknown_host_is_a_clear_error(capsys):
    with pytest.raises(SystemExit) as exit:
        instructions.main(["--kinds", "minova,gunicorn"])
    assert exit.value.code == 2
    assert "--kinds: no host gunicorn" in capsys.readouterr().err

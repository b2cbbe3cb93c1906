"""bench.threads: each thread's CPU and switches read from /proc, the
split of a run by thread, and its table."""

import subprocess
import sys
import textwrap

import pytest

from bench import profile, proctree, threads
from tests.polling import wait_for


def test_thread_times_of_live_threads_count_cpu_and_waits():
    script = textwrap.dedent("""
        import threading, time, sys
        done = threading.Event()
        def burn():
            end = time.process_time() + 0.3
            while time.process_time() < end:
                pass
            done.wait()
        def nap():
            for _ in range(50):
                time.sleep(0.001)
            done.wait()
        workers = [threading.Thread(target=f, daemon=True)
                   for f in (burn, nap)]
        for t in workers:
            t.start()
        print(" ".join(str(t.native_id) for t in workers), flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script],
                            stdout=subprocess.PIPE, text=True)
    try:
        burner, napper = map(int, proc.stdout.readline().split())

        def settled():
            times = proctree.thread_times(proc.pid)
            return (times[burner][0] + times[burner][1] >= 0.25
                    and times[napper][2] >= 50)
        wait_for(settled, what="the burner's CPU and the napper's waits")
        times = proctree.thread_times(proc.pid)
        assert set(times) == {proc.pid, burner, napper}
        assert times[napper][0] + times[napper][1] < 0.2
    finally:
        proc.kill()
        proc.wait()


def test_thread_times_of_a_process_that_is_gone_is_empty():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert proctree.thread_times(proc.pid) == {}


def _report(requests=1000, seconds=2.0):
    return {"requests": requests, "duration_us": int(seconds * 1e6)}


def test_a_run_is_split_into_the_main_thread_and_the_others():
    before = {10: {10: (1.0, 0.5, 100, 4), 11: (2.0, 0.1, 50, 1),
                   12: (0.0, 0.0, 0, 0)},
              20: {20: (1.0, 0.5, 100, 4), 21: (2.0, 0.1, 50, 1)}}
    after = {10: {10: (1.1, 0.55, 1100, 104), 11: (2.2, 0.11, 1050, 11),
                  12: (0.0, 0.0, 3, 0),   # asleep: not busy
                  13: (0.05, 0.0, 10, 0)},  # started during the run
             20: {20: (1.1, 0.55, 1100, 104), 21: (2.2, 0.11, 1050, 11)}}
    # Thread 14 ended during the run: it is in neither count.
    result = threads.summarize("minova", before, after, _report())
    assert result["kind"] == "minova"
    assert result["rps"] == 500
    main, others = result["roles"]["main"], result["roles"]["others"]
    assert main["user"] == pytest.approx(200)   # 0.2 s over 1000 requests
    assert main["sys"] == pytest.approx(100)
    assert main["voluntary"] == pytest.approx(2.0)
    assert main["involuntary"] == pytest.approx(0.2)
    assert others["user"] == pytest.approx(450)  # 0.2 + 0.2 + 0.05 s
    assert others["sys"] == pytest.approx(20)
    assert others["voluntary"] == pytest.approx(2.013)
    assert others["involuntary"] == pytest.approx(0.02)
    # Threads 11, 13 and 21 each had at least BUSY of the run's 0.77 s.
    assert others["busy"] == pytest.approx(1.5)
    assert main["busy"] == pytest.approx(1.0)
    assert result["cpu"] == pytest.approx(770)


def test_a_thread_below_the_busy_share_is_not_busy():
    before = {10: {10: (0.0, 0.0, 0, 0), 11: (0.0, 0.0, 0, 0)}}
    after = {10: {10: (1.0, 0.0, 0, 0),
                  11: (threads.BUSY * 0.9, 0.0, 0, 0)}}
    result = threads.summarize("minova", before, after, _report())
    assert result["roles"]["others"]["busy"] == 0


def _run(kind, rps, cpu, main=None, others=None):
    roles = {}
    for name, numbers in (("main", main), ("others", others)):
        if numbers is not None:
            user, kernel, voluntary, involuntary, busy = numbers
            roles[name] = {"user": user, "sys": kernel,
                           "voluntary": voluntary,
                           "involuntary": involuntary, "busy": busy}
    return {"kind": kind, "rps": rps, "cpu": cpu, "roles": roles}


def test_the_table_gives_each_hosts_medians_by_thread():
    results = [
        _run("uwsgi", 3000, 270, (50, 20, 1.2, 0.0, 1),
             (150, 40, 2.8, 0.4, 3)),
        _run("minova", 1800, 480, (150, 60, 1.4, 0.4, 1),
             (240, 20, 1.1, 0.0, 1)),
        _run("minova-inline", 2900, 310, (250, 60, 0.4, 0.0, 1)),
        _run("uwsgi", 3200, 260, (60, 20, 1.3, 0.0, 1),
             (140, 40, 2.6, 0.5, 3)),
        _run("minova", 2000, 460, (140, 70, 1.6, 0.2, 1),
             (230, 30, 1.0, 0.1, 2)),
        _run("uwsgi", 3100, 250, (55, 10, 1.1, 0.0, 1),
             (145, 30, 2.7, 0.3, 3)),
    ]
    lines = threads.table(results).splitlines()
    assert len(lines) == 5
    assert lines[2] == ("| minova | 1900 (1800, 2000) | 0.61x | 470 "
                        "| 145 + 65 | 1.50 / 0.30 | 235 + 25 | 1.05 / 0.05 "
                        "| 1.5 |")
    assert lines[3] == ("| minova-inline | 2900 (2900) | 0.94x | 310 "
                        "| 250 + 60 | 0.40 / 0.00 | – | – | – |")
    assert lines[4] == ("| uwsgi | 3100 (3000, 3200, 3100) | 1.00x | 260 "
                        "| 55 + 20 | 1.20 / 0.00 | 145 + 40 | 2.70 / 0.40 "
                        "| 3.0 |")


def test_without_uwsgi_the_ratio_says_so():
    lines = threads.table([_run("minova", 10, 100, (1, 1, 0, 0, 1))
                           ]).splitlines()
    assert lines[2] == ("| minova | 10 (10) | – | 100 | 1 + 1 | 0.00 / 0.00 "
                        "| – | – | – |")


@pytest.mark.parametrize("tool", ["threads", "profile"])
def test_an_endpoint_the_stack_does_not_have_is_a_clear_error(tool, capsys):
    # One lookup (bench.matrix.find) for bench.threads and bench.profile:
    # a clear error, not a traceback.
    main = threads.main if tool == "threads" else profile.main
    with pytest.raises(SystemExit) as exit:
        main(["--endpoint", "GET /nowhere"])
    assert exit.value.code == 2
    assert ("the reference stack has no endpoint 'GET /nowhere' (it has: "
            "GET /)") in capsys.readouterr().err


def test_a_host_that_answers_nothing_is_a_clear_error(monkeypatch, tmp_path):
    class Host:
        # A host that starts and stops, and whose runs wrk finds empty.
        def __init__(self, host, *args, **kwargs):
            self.host, self.url = host, "http://127.0.0.1:1"
            self.log_path = str(tmp_path / "host.log")

        def wait_ready(self):
            pass

        def workers(self):
            return []

        def stop(self):
            pass
    monkeypatch.setattr(threads.hostlib, "RunningHost", Host)
    monkeypatch.setattr(threads.load, "run_wrk",
                        lambda *args: _report(requests=0))
    stack = threads.matrix.STACKS[0]
    with pytest.raises(SystemExit) as exit:
        threads.measure("minova", 2, threads.matrix.Shape(1), stack,
                        stack.endpoints[0], (), 5, str(tmp_path), None, None)
    assert str(exit.value) == (
        "minova-p2 answered no request in 5 s (its log: %s)"
        % (tmp_path / "host.log"))

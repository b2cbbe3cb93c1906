"""bench.affinity: pinning a real process's threads, and the table of medians."""

import os
import subprocess
import sys
import textwrap

from bench import affinity
from tests.polling import wait_for


def _threads(pid):
    return [int(tid) for tid in os.listdir("/proc/%d/task" % pid)]


def test_every_thread_of_each_worker_goes_to_its_own_cpu():
    # Two processes of three threads each, as workers with a pool are.
    script = textwrap.dedent("""
        import threading, time
        for _ in range(2):
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        print("ready", flush=True)
        time.sleep(60)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script],
                              stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    try:
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        pids = [proc.pid for proc in procs]
        wait_for(lambda: all(len(_threads(pid)) == 3 for pid in pids),
                 what="three threads in each process")
        placed = affinity.pin(pids)
        cpus = sorted(os.sched_getaffinity(0))
        first, second = sorted(pids)
        assert placed == {first: cpus[0], second: cpus[1 % len(cpus)]}
        for pid in pids:
            for tid in _threads(pid):
                assert os.sched_getaffinity(tid) == {placed[pid]}
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def test_the_table_gives_medians_and_ratios_to_uwsgi_of_the_same_pinning():
    def run(kind, pinned, rps, cpu):
        return {"kind": kind, "pinned": pinned, "rps": rps, "cpu": cpu}
    results = [
        run("uwsgi", False, 4000, 250), run("uwsgi", False, 4200, 240),
        run("uwsgi", False, 4100, 260),
        run("uwsgi", True, 5500, 180),
        run("minova", False, 3900, 270), run("minova", True, 5500, 183),
        run("minova", True, 5300, 185), run("minova", True, 5400, 184),
    ]
    lines = affinity.table(results).splitlines()
    assert lines[2] == ("| minova | as started | 3900 (3900) | 270 | 0.95x "
                        "| 0.95x |")
    assert lines[3] == ("| minova | pinned | 5400 (5500, 5300, 5400) | 184 "
                        "| 0.98x | 1.32x |")
    assert lines[4] == ("| uwsgi | as started | 4100 (4000, 4200, 4100) "
                        "| 250 | 1.00x | 1.00x |")
    assert lines[5] == "| uwsgi | pinned | 5500 (5500) | 180 | 1.00x | 1.34x |"
    assert len(lines) == 6


def test_without_uwsgi_the_ratios_say_so():
    lines = affinity.table([{"kind": "minova", "pinned": True, "rps": 10,
                             "cpu": 100}]).splitlines()
    assert lines[2] == "| minova | pinned | 10 (10) | 100 | – | – |"

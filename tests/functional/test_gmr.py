"""SIGUSR2: a Guru Meditation Report from the twistd process and from a worker, while serving.

Real ``twistd -n minova`` with conftest's TAG_APP: osapi_compute in two
workers under a client load that must see no failure, metadata in the
twistd process holding one request in flight and one idle keep-alive
connection, which the report must show.
"""

import os
import re
import signal
import threading

import requests

from tests.functional.process import tag_env
from tests.functional.workers import Load, start_workers, worker_config

SECRET = "hunter2"


def report_of(log, pid):
    """The report of process ``pid`` in ``log`` (its lines, unindented)."""
    start = log.index("Guru Meditation Report of pid %d " % pid)
    lines = []
    for line in log[start:].splitlines()[1:]:
        if not line.startswith("\t"):
            break
        lines.append(line[1:])
    return "\n".join(lines)


def test_sigusr2_reports_parent_and_worker_while_requests_succeed(
        minova, tmp_path):
    server = start_workers(minova, tmp_path, worker_config(
        tmp_path, neutron={"metadata_proxy_shared_secret": SECRET}))
    workers = server.workers("osapi_compute")
    idle = requests.Session()
    idle.get(server.url("metadata"), timeout=10).raise_for_status()
    slow = threading.Thread(target=requests.get, args=(
        server.url("metadata", "/?sleep=3"),), kwargs={"timeout": 30})
    slow.start()
    load = Load(server.url("osapi_compute"))
    try:
        server.wait_log("tagapp: sleeping 3")
        load.wait_served(20)
        server.signal(signal.SIGUSR2)
        os.kill(workers[1], signal.SIGUSR2)
        server.wait_log("Guru Meditation Report of pid", count=2)
        load.wait_served(20, what="requests after the reports")
    finally:
        load.stop()
        slow.join(30)
        idle.close()
    assert load.failures == []
    parent = report_of(server.log, server.proc.pid)
    for section in ("Package", "Workers", "Connections", "Delayed calls",
                    "Threads", "Configuration"):
        assert "==== " + section in parent
    assert "process: twistd process, pid %d" % server.proc.pid in parent
    assert re.search(r"^minova \S+$", parent, re.M)
    assert "Twisted " in parent and "Python " in parent
    for slot, pid in workers.items():
        assert re.search(r"^osapi_compute\s+%d\s+%d\s+ready\s+\S+ \S+\s+0$"
                         % (slot, pid), parent, re.M), parent
    assert "metadata: 2 open" in parent
    assert re.search(r"127\.0\.0\.1:\d+ idle", parent)
    assert re.search(r"127\.0\.0\.1:\d+ in flight\n    GET /\?sleep=3 "
                     r"\(\d+\.\d+ s\)", parent)
    assert "Thread MainThread" in parent and "in writeReport" in parent
    assert "in " in parent.split("==== Delayed calls")[1]
    assert "neutron.metadata_proxy_shared_secret = ****" in parent
    assert SECRET not in server.log
    worker = report_of(server.log, workers[1])
    assert "process: worker osapi_compute/1, pid %d, parent pid %d" % (
        workers[1], server.proc.pid) in worker
    assert "(no worker processes in this process's care)" in worker
    assert "osapi_compute: " in worker
    # The worker's report is in the one stream, on a line naming it.
    assert re.search(r"\[osapi_compute/1 minova\.gmr#info\] =+\n\tGuru "
                     r"Meditation Report of pid %d " % workers[1], server.log)


def test_report_dir_gets_one_file_per_report(minova, tmp_path):
    reports = tmp_path / "reports"
    server = minova(worker_config(
        tmp_path, DEFAULT={"osapi_compute_workers": 1},
        guru_meditation={"report_dir": str(reports)},
        database={"connection": "sqlite:///%s" % (tmp_path / "x.sqlite")}),
        env=tag_env(tmp_path))
    server.wait_log("minova ready")  # SIGUSR2 is handled once it runs
    for count in (1, 2):
        server.signal(signal.SIGUSR2)
        server.wait_log("Guru Meditation Report written to ", count=count)
    files = sorted(reports.iterdir())
    assert len(files) == 2
    assert all(re.fullmatch(r"minova-gmr-%d-\d{8}T\d{6}\.\d{6}\.txt"
                            % server.proc.pid, f.name) for f in files)
    text = files[0].read_text()
    assert "Guru Meditation Report of pid %d" % server.proc.pid in text
    assert "database.connection            = ****" in text
    assert "x.sqlite" not in text
    assert "==== Threads" in text
    assert "written to %s" % files[0] in server.log
    requests.get(server.url("osapi_compute"), timeout=10).raise_for_status()

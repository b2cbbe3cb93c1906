"""Faults below the API, on a real minova: the database locked, full or gone, a worker killed.

Each fault gives nova's 503 ``serviceUnavailable`` fault with a
``Retry-After`` and nothing of the cause in the body, and the next request
after the fault clears succeeds with no restart. A worker killed in the
middle of a flood of creates loses no server whose create was
acknowledged, and leaves no half-written one (every server has its address).
"""

import os
import signal
import sqlite3
import subprocess
import threading
import time

import pytest
import requests
import sqlalchemy as sa

from tests.functional.faults import (assert_unavailable, boot,
                                     take_database_away)

DEADLINE = 30.0
UNLIMITED = {"instances": -1, "cores": -1, "ram": -1}


def test_a_locked_sqlite_file_is_503_then_served_again(start_compute,
                                                       tmp_path):
    client = start_compute(database={"sqlite_busy_timeout": 0.2})
    assert boot(client).status_code == 202
    holder = sqlite3.connect(str(tmp_path / "state" / "minova.sqlite"),
                             isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_unavailable(boot(client))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert boot(client).status_code == 202
    assert "database unavailable: database is locked" in client.process.log


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs for state_path (root only), unmounted afterwards."""
    path = tmp_path / "state"
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m",
                              "minova-test", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs: %s" % mounted.stderr.strip())
    yield path
    subprocess.run(["umount", "-l", str(path)], check=True)


def fill(directory):
    """Write a file in ``directory`` until its file system is full."""
    filler = directory / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_is_503_then_served_again(start_compute, small_disk):
    client = start_compute(quota=UNLIMITED)
    assert boot(client).status_code == 202
    filler = fill(small_disk)
    try:
        # Each create appends pages to the WAL: one soon finds no room.
        responses = [boot(client, user_data="QUFB" * 4000)
                     for _ in range(5)]
        assert 503 in [r.status_code for r in responses]
        for response in responses:
            if response.status_code != 202:
                assert_unavailable(response)
    finally:
        filler.unlink()
    assert boot(client).status_code == 202


def test_postgresql_gone_is_503_then_served_again(pg_database,
                                                  start_compute):
    url, name, admin = pg_database
    client = start_compute(database={"connection": url})
    assert boot(client).status_code == 202
    take_database_away(admin, name)
    try:
        assert_unavailable(client().get("/servers"))
        assert_unavailable(boot(client))
    finally:
        take_database_away(admin, name, away=False)
    assert client().get("/servers").status_code == 200
    assert boot(client).status_code == 202
    client.process.stop()


class Flood(threading.Thread):
    """Creates servers until stopped; records the acknowledged ids."""

    def __init__(self, client, acknowledged):
        super().__init__(daemon=True)
        self.client = client
        self.acknowledged = acknowledged
        self.stopping = False
        self.refused = 0
        self.failed = []

    def run(self):
        while not self.stopping:
            try:
                response = boot(self.client, version="2.52",
                                tags=["flood"], networks="auto")
            except requests.ConnectionError:
                self.refused += 1  # the killed worker's: not acknowledged
                continue
            if response.status_code == 202:
                self.acknowledged.append(response.json()["server"]["id"])
            else:
                self.failed.append(response.text)


def test_a_worker_killed_mid_write_loses_nothing_acknowledged(
        start_compute, tmp_path):
    client = start_compute(
        DEFAULT={"osapi_compute_workers": 2}, quota=UNLIMITED,
        minova={"fixed_range": "10.0.0.0/16"})
    process = client.process
    process.wait_log("worker osapi_compute/1 pid", count=1)
    acknowledged = []
    floods = [Flood(client, acknowledged) for _ in range(4)]
    for flood in floods:
        flood.start()
    try:
        for _ in range(2):
            before = len(acknowledged)
            deadline = time.monotonic() + DEADLINE
            while len(acknowledged) < before + 20:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            victim = process.workers("osapi_compute")[0]
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + DEADLINE
            while process.workers("osapi_compute")[0] == victim:
                assert time.monotonic() < deadline, process.log
                time.sleep(0.05)
    finally:
        for flood in floods:
            flood.stopping = True
        for flood in floods:
            flood.join(DEADLINE)
    assert [f.failed for f in floods] == [[]] * len(floods)
    listed = client().get("/servers", params={"limit": 100000}).json()
    assert set(acknowledged) <= {s["id"] for s in listed["servers"]}
    engine = sa.create_engine("sqlite:///%s" % (tmp_path / "state"
                                                / "minova.sqlite"))
    with engine.connect() as conn:
        half_written = conn.exec_driver_sql(
            "SELECT uuid FROM instances i WHERE NOT EXISTS (SELECT 1 FROM "
            "fixed_ips f WHERE f.instance_id = i.id) OR NOT EXISTS (SELECT 1 "
            "FROM instance_tags t WHERE t.instance_id = i.id)").fetchall()
    engine.dispose()
    assert half_written == []
    print("flood: %d creates acknowledged, %d refused by killed workers"
          % (len(acknowledged), sum(f.refused for f in floods)))

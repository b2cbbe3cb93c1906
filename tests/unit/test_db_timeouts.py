"""minova_tw.db.timeouts: [database] options to engine arguments, and the watchdog."""

import socket
import time

import pytest
import sqlalchemy as sa

from minova_tw import conf as minova_conf
from minova_tw.db import engine as db_engine
from minova_tw.db import timeouts

from tests.unit.conftest import write_config

PG = "postgresql+psycopg://u@h/db"
MARIADB = "mysql+pymysql://u@h/db"


def options(tmp_path, **database):
    """``conf.database`` of a file setting ``database``."""
    lines = ["[database]"] + ["%s = %s" % item for item in database.items()]
    (tmp_path / "t.conf").write_text("\n".join(lines) + "\n")
    return minova_conf.load([str(tmp_path / "t.conf")]).database


def kwargs(url, opts):
    return timeouts.engine_kwargs(sa.engine.make_url(url), opts)


def test_defaults_bound_every_wait():
    opts = timeouts.defaults()
    assert (opts.connection_recycle_time, opts.max_pool_size,
            opts.max_overflow) == (3600, 5, 50)  # oslo.db's
    assert (opts.pool_timeout, opts.connect_timeout,
            opts.statement_timeout) == (10, 5, 30)
    assert timeouts.client_timeout(opts) == 31


@pytest.mark.parametrize("url", [PG, MARIADB])
def test_pool_options(tmp_path, url):
    opts = options(tmp_path, connection_recycle_time=60, max_pool_size=2,
                   max_overflow=3, pool_timeout=4)
    got = kwargs(url, opts)
    assert {k: got[k] for k in ("pool_size", "max_overflow", "pool_timeout",
                                "pool_recycle")} == {
        "pool_size": 2, "max_overflow": 3, "pool_timeout": 4,
        "pool_recycle": 60}


def test_postgresql_gets_libpq_timeouts_and_pings_under_the_watchdog(
        tmp_path):
    opts = options(tmp_path, connect_timeout=3, statement_timeout=7,
                   idle_transaction_timeout=2,
                   tcp_keepalive_idle=11, tcp_keepalive_interval=4,
                   tcp_keepalive_count=2)
    got = kwargs(PG, opts)
    assert got["pool_pre_ping"] is False
    assert got["isolation_level"] == "READ COMMITTED"
    assert got["connect_args"] == {
        "connect_timeout": 3, "keepalives": 1, "keepalives_idle": 11,
        "keepalives_interval": 4, "keepalives_count": 2,
        "tcp_user_timeout": 8000,
        "options": "-c statement_timeout=7000 "
                   "-c idle_in_transaction_session_timeout=2000"}


def test_postgresql_keepalive_off(tmp_path):
    got = kwargs(PG, options(tmp_path, tcp_keepalive="false"))
    assert got["connect_args"]["keepalives"] == 0
    assert "keepalives_idle" not in got["connect_args"]


def test_mariadb_gets_pymysql_timeouts_and_session_limits(tmp_path):
    got = kwargs(MARIADB, options(tmp_path, connect_timeout=3,
                                  statement_timeout=7,
                                  idle_transaction_timeout=2))
    assert got["pool_pre_ping"] is True  # PyMySQL's ping is read_timeout-bound
    assert got["isolation_level"] == "READ COMMITTED"  # no gap locks
    assert got["connect_args"] == {
        "connect_timeout": 3, "read_timeout": 8, "write_timeout": 8,
        "init_command": "SET SESSION max_statement_time = 7, "
                        "innodb_lock_wait_timeout = 7, "
                        "idle_transaction_timeout = 2"}


def test_get_database_passes_the_options(tmp_path):
    conf = write_config(tmp_path, "postgresql+psycopg://u@127.0.0.1:1/db")
    conf.set_override("pool_timeout", 3, group="database")
    try:
        database = db_engine.get_database(conf)
        assert database.engine.pool.timeout() == 3
    finally:
        conf.clear_override("pool_timeout", group="database")
        db_engine._databases.pop(db_engine.connection_url(conf)).dispose()


class FakeConnection:
    """A DBAPI connection as the watchdog sees it: a socket's fileno."""

    def __init__(self):
        self.sock, self.peer = socket.socketpair()

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()
        self.peer.close()


def test_watchdog_ends_an_overdue_wait_and_spares_a_disarmed_one():
    watchdog = timeouts.Watchdog(0.05)
    spared, overdue = FakeConnection(), FakeConnection()
    try:
        watchdog.arm(spared)
        watchdog.disarm(spared)
        watchdog.arm(overdue)  # its deadline is after spared's would be
        overdue.sock.settimeout(10)
        assert overdue.sock.recv(1) == b""  # the blocked read ends
        spared.peer.sendall(b"x")
        assert spared.sock.recv(1) == b"x"  # still connected
    finally:
        spared.close()
        overdue.close()


def test_watchdog_rearming_moves_the_deadline():
    """A connection re-armed half way (its next statement) outlives one
    armed with it once: when that one is ended, it is not."""
    watchdog = timeouts.Watchdog(1.0)
    busy, other = FakeConnection(), FakeConnection()
    try:
        watchdog.arm(busy)
        watchdog.arm(other)
        time.sleep(0.5)
        watchdog.arm(busy)
        other.sock.settimeout(10)
        assert other.sock.recv(1) == b""
        watchdog.disarm(busy)  # within 0.5 s of other's deadline
        busy.peer.sendall(b"x")
        assert busy.sock.recv(1) == b"x"
    finally:
        busy.close()
        other.close()

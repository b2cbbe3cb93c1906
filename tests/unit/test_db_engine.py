"""minova_tw.db.engine: where the database is, SQLite's settings, transactions."""

import sqlite3

import pytest
import sqlalchemy as sa
from sqlalchemy import exc

from minova_tw.db import engine as db_engine

from tests.unit.conftest import write_config


def test_default_is_sqlite_file_under_state_path(tmp_path):
    conf = write_config(tmp_path)
    url = db_engine.connection_url(conf)
    assert url == "sqlite:///%s" % (tmp_path / "state" / "minova.sqlite")
    assert (tmp_path / "state").is_dir()


def test_connection_option_wins(tmp_path):
    conf = write_config(tmp_path, "postgresql+psycopg://u@h/db")
    assert db_engine.connection_url(conf) == "postgresql+psycopg://u@h/db"
    assert not (tmp_path / "state").exists()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    database = db_engine.Database("sqlite:///%s" % (tmp_path / "x.sqlite"))
    with database.engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql("PRAGMA " + name).scalar()
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == db_engine.SQLITE_BUSY_TIMEOUT * 1000
        assert pragma("foreign_keys") == 1
    database.dispose()


def test_same_conf_shares_one_database(tmp_path):
    conf = write_config(tmp_path)
    assert db_engine.get_database(conf) is db_engine.get_database(conf)
    db_engine.get_database(conf).dispose()


@pytest.fixture
def database(tmp_path):
    database = db_engine.Database("sqlite:///%s" % (tmp_path / "t.sqlite"))
    with database.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (v INTEGER UNIQUE)")
    yield database
    database.dispose()


def _values(database):
    with database.engine.connect() as conn:
        return [v for v, in conn.exec_driver_sql("SELECT v FROM t ORDER BY v")]


def test_run_commits(database):
    database.run(lambda s: s.execute(sa.text("INSERT INTO t VALUES (1)")),
                 write=True)
    assert _values(database) == [1]


def test_run_rolls_back_everything_on_error(database):
    def work(session):
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        raise ValueError("boom")

    with pytest.raises(ValueError):
        database.run(work, write=True)
    assert _values(database) == []


@pytest.mark.parametrize("message", [
    "deadlock detected",  # PostgreSQL
    "(1213, 'Deadlock found when trying to get lock; try restarting "
    "transaction')",  # MariaDB
    "could not serialize access due to concurrent update"])
def test_run_retries_a_lost_race_as_a_whole(database, message):
    calls = []

    def work(session):
        calls.append(1)
        session.execute(sa.text("INSERT INTO t VALUES (%d)" % len(calls)))
        if len(calls) == 1:
            raise exc.OperationalError("INSERT", {}, Exception(message))

    database.run(work, write=True)
    assert len(calls) == 2
    assert _values(database) == [2]


@pytest.mark.parametrize("message", [
    "database is locked",  # SQLite, after its busy timeout
    "(1205, 'Lock wait timeout exceeded; try restarting transaction')",
    "canceling statement due to lock timeout"])
def test_a_lock_waited_for_until_its_timeout_is_not_waited_for_again(
        database, message):
    """The timeout that bounded the wait is the one bound: the unit of
    work is not run again to wait as long once more."""
    calls = []

    def work(session):
        calls.append(1)
        raise exc.OperationalError("INSERT", {}, Exception(message))

    with pytest.raises(db_engine.DatabaseUnavailable):
        database.run(work, write=True)
    assert len(calls) == 1


def test_a_read_never_writes(database):
    """A read's session does not flush and its transaction is rolled back,
    whatever its work did."""
    def work(session):
        session.execute(sa.text("INSERT INTO t VALUES (7)"))
        return "read"

    assert database.run(work, write=False) == "read"
    assert _values(database) == []


def test_run_gives_up_after_retries(database):
    calls = []

    def work(session):
        calls.append(1)
        session.execute(sa.text("INSERT INTO t VALUES (1)"))
        session.execute(sa.text("INSERT INTO t VALUES (1)"))

    with pytest.raises(exc.IntegrityError):
        database.run(work, write=True)
    assert len(calls) == db_engine.RETRIES
    assert _values(database) == []


def test_other_errors_are_not_retried(database):
    calls = []

    def work(session):
        calls.append(1)
        session.execute(sa.text("SELECT nope FROM t"))

    with pytest.raises(exc.OperationalError):
        database.run(work, write=False)
    assert len(calls) == 1


def test_write_transactions_take_the_lock_first(database):
    """BEGIN IMMEDIATE: a second writer waits instead of failing midway."""
    other = sqlite3.connect(database.engine.url.database, timeout=0,
                            isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    database.engine.dispose()
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout = 50")
        conn.commit()
        conn = conn.execution_options(minova_write=True)
        with pytest.raises(exc.OperationalError, match="locked"):
            conn.begin()
    other.execute("ROLLBACK")
    other.close()


def test_a_lock_held_past_the_busy_timeout_is_unavailable_then_clears(
        tmp_path):
    path = tmp_path / "l.sqlite"
    database = db_engine.Database("sqlite:///%s" % path, busy_timeout=0.05)
    with database.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (v INTEGER)")
    insert = lambda s: s.execute(sa.text("INSERT INTO t VALUES (1)"))
    other = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(db_engine.DatabaseUnavailable) as raised:
        database.run(insert, write=True)
    assert raised.value.code == 503
    assert raised.value.headers == {"Retry-After": str(db_engine.RETRY_AFTER)}
    other.execute("ROLLBACK")
    other.close()
    database.run(insert, write=True)  # recovered by itself
    assert _values(database) == [1]
    database.dispose()


def test_a_server_that_is_gone_is_unavailable():
    orig = Exception("connection refused")
    assert db_engine.is_unavailable(exc.OperationalError("SELECT", {}, orig))
    assert db_engine.is_unavailable(exc.InterfaceError("SELECT", {}, orig))
    assert not db_engine.is_unavailable(
        exc.ProgrammingError("SELECT", {}, orig))
    assert not db_engine.is_unavailable(exc.OperationalError(
        "SELECT", {}, sqlite3.OperationalError("no such column: nope")))
    assert db_engine.is_unavailable(exc.OperationalError(
        "INSERT", {}, sqlite3.OperationalError(
            "attempt to write a readonly database")))

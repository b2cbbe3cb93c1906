"""The database of a configuration: its engine, and transactions that retry.

``[database] connection`` names it by URL (``postgresql+psycopg://``,
``mysql+pymysql://``, ``sqlite:///``); unset, it is the SQLite file
``<state_path>/minova.sqlite``. Several worker processes share that file, so
SQLite connections run in WAL mode (readers never wait for the writer) with a
busy timeout, and foreign keys on. A write transaction on SQLite starts with
``BEGIN IMMEDIATE``: it takes the write lock first, waiting under the busy
timeout, instead of failing when a read snapshot would have to become a
write. Whatever still loses a race (a deadlock, a serialization failure, a
busy SQLite file, a duplicate key picked at the same time by two workers)
is retried as a whole by ``Database.run``, a bounded number of times with
a growing, jittered pause: every unit of work is one transaction, and
nothing is half-written when it fails. A read-only unit of work never
writes: its session does not flush and its transaction is rolled back.

PostgreSQL and MariaDB transactions run at READ COMMITTED: each statement
sees what committed before it, so a unit of work that has waited for a row
lock (``db.locks``) counts what the holder wrote; InnoDB takes no gap locks
at that level, which were what made concurrent creates deadlock.

On SQLite the busy timeout is the one bound on a write's wait: the driver
has already waited that long when it says "database is locked", so that is
not retried but is ``DatabaseUnavailable`` at once.

A database that cannot be used at all — gone, locked past the busy timeout
(``[database] sqlite_busy_timeout``), its disk full or read-only — is
``DatabaseUnavailable``: the compute API answers nova's 503
``serviceUnavailable`` fault with a ``Retry-After`` and no internals. Nothing
stays broken once the fault clears: PostgreSQL and MariaDB connections are
pinged before use (a dead one is replaced), and every unit of work opens its
transaction afresh. A silent server is an outage too: every wait for one
is bounded (``minova_tw.db.timeouts``).

``Database.now`` is the database server's clock (the host's own for an
SQLite file): due times and timestamps that order events across hosts come
from it, so a host whose clock is off neither skips nor stretches a
server's BUILD for the others.
"""

import datetime
import os
import random
import re
import sqlite3
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.orm import Session

from minova_tw import conf as minova_conf
from minova_tw.db import timeouts

SQLITE_FILE = "minova.sqlite"
#: Seconds an SQLite connection waits for another process's lock, by default.
SQLITE_BUSY_TIMEOUT = 30.0
#: Attempts of one unit of work that keeps losing races.
RETRIES = 8
#: Seconds of the first pause between attempts; each doubles it, jittered.
RETRY_PAUSE = 0.01
#: Seconds between two readings of the database server's clock.
CLOCK_REFRESH = 60.0
#: Seconds a client is asked to wait before retrying when the database is down.
RETRY_AFTER = 5

#: Words of SQLite errors that mean the database cannot be used now (its
#: other OperationalErrors are mistakes in the SQL).
_UNAVAILABLE = ("database is locked", "disk i/o error", "disk is full",
                "readonly database", "unable to open database")


class DatabaseUnavailable(Exception):
    """The database cannot be used now; the API answers 503 and the client
    retries. ``code``, ``safe`` and ``headers`` are what the API's
    FaultWrapper reads: the cause is logged, never shown."""

    code = 503
    safe = False
    headers = {"Retry-After": str(RETRY_AFTER)}

_databases = {}
_lock = threading.Lock()


def connection_url(conf):
    """The SQLAlchemy URL of ``conf``'s database; creates the state dir."""
    if conf.database.connection:
        return conf.database.connection
    path = minova_conf.state_path(conf)
    os.makedirs(path, exist_ok=True)
    return "sqlite:///" + os.path.join(path, SQLITE_FILE)


#: The driver minova installs for each server dialect: the URL scheme that
#: names it, and the extra that installs it (pyproject.toml).
SERVER_DRIVERS = {"postgresql": ("postgresql+psycopg", "postgresql"),
                  "mysql": ("mysql+pymysql", "mysql")}


def masked_url(url):
    """``url`` with its password shown as ``***``: fit for a log or error."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return re.sub(r":[^:@/]*@", ":***@", url)


def connect(conf):
    """A new connection to ``conf``'s database, for start-up and
    minova-manage.

    What keeps it from being had is a ConfigError naming the option that
    is wrong, the password masked: ``[database] connection`` (not a URL,
    an unknown dialect, a driver that is not installed, the server refused
    or rejected the login) or, for the embedded SQLite file, ``[DEFAULT]
    state_path`` (the directory or the file cannot be made).
    """
    url = conf.database.connection
    try:
        engine = get_database(conf).engine
    except OSError as error:  # only connection_url's makedirs does I/O
        raise minova_conf.ConfigError("[DEFAULT] state_path: cannot create "
                                      "%s: %s" % (error.filename,
                                                  error.strerror)) from None
    except exc.NoSuchModuleError:
        raise minova_conf.ConfigError(
            "[database] connection: %s names a database dialect SQLAlchemy "
            "does not know; minova uses sqlite:///, %s:// or %s://" % (
                (masked_url(url),) + tuple(
                    scheme for scheme, _ in SERVER_DRIVERS.values()))
        ) from None
    except exc.ArgumentError as error:
        raise minova_conf.ConfigError(
            "[database] connection: %s is not a database URL: %s"
            % (masked_url(url), _without(url, error))) from None
    except ImportError as error:
        raise minova_conf.ConfigError(
            "[database] connection: the driver of %s is not installed "
            "(%s): %s" % (masked_url(url), error, _install_hint(url))
        ) from None
    try:
        return engine.connect()
    except exc.DBAPIError as error:
        reason = _without(url, error.orig)
        if url:
            raise minova_conf.ConfigError(
                "[database] connection: cannot connect to %s: %s"
                % (masked_url(url), reason)) from None
        raise minova_conf.ConfigError(
            "[DEFAULT] state_path: cannot open %s: %s"
            % (engine.url.database, reason)) from None


def _install_hint(url):
    """What to install (and which URL to use) for ``url``'s driver."""
    parsed = sa.engine.make_url(url)
    scheme, extra = SERVER_DRIVERS.get(parsed.get_backend_name(),
                                       (None, None))
    if extra is None:
        return "install the Python package of its driver"
    hint = "pip install 'minova[%s]'" % extra
    if parsed.drivername != scheme:
        hint = "use %s:// (%s)" % (scheme, hint)
    return hint


def _without(url, error):
    """``error``'s message on one line, with ``url``'s password masked."""
    text = " ".join(str(error).split())
    if url:
        text = text.replace(url, masked_url(url))
    password = None
    try:
        password = sa.engine.make_url(url).password if url else None
    except exc.ArgumentError:
        pass
    return text.replace(password, "***") if password else text


def get_database(conf):
    """The process's one Database for ``conf``'s URL (engines pool, so share)."""
    url = connection_url(conf)
    with _lock:
        if url not in _databases:
            _databases[url] = Database(url,
                                       conf.database.sqlite_busy_timeout,
                                       conf.database)
        return _databases[url]


def create_engine(url, busy_timeout=SQLITE_BUSY_TIMEOUT, options=None):
    """An engine for ``url``, with minova's SQLite settings when it is SQLite.

    ``busy_timeout`` is the seconds an SQLite connection waits for a lock;
    ``options`` (``conf.database``; its defaults when None) the pool and
    timeouts of a server (minova_tw.db.timeouts).
    """
    url = sa.engine.make_url(url)
    if url.get_backend_name() != "sqlite":
        return timeouts.create_server_engine(url, options)
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, say when transactions begin
        # (the module would not begin one before DDL).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout = %d" % (busy_timeout * 1000))
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            _enable_wal(cursor, busy_timeout)
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        write = conn.get_execution_options().get("minova_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _enable_wal(cursor, busy_timeout):
    """Switch a new file to WAL. The switch needs the file to itself and
    SQLite does not always wait for it under the busy timeout, so wait here:
    another process is doing the same and about to finish."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if ("locked" not in str(error)
                    or time.monotonic() > deadline):
                raise
        time.sleep(0.01)


def is_retryable(error):
    """Whether ``error`` lost a race that running the transaction again wins
    (an SQLite file still locked after the busy timeout has not: see the
    module's docstring)."""
    if isinstance(error, exc.IntegrityError):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    text = str(error.orig).lower()
    return any(word in text for word in (
        "deadlock", "could not serialize"))


def is_unavailable(error):
    """Whether ``error`` says the database cannot be used now, not that the
    work was wrong: no connection, a lost one, or a file locked, full or
    read-only."""
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated or isinstance(error, exc.InterfaceError):
        return True
    if isinstance(error.orig, sqlite3.Error):
        text = str(error.orig).lower()
        return any(word in text for word in _UNAVAILABLE)
    # A server's OperationalError is about the server or the way to it
    # (refused, restarted, out of connections or space).
    return isinstance(error, exc.OperationalError)


class Database:
    """One database: an engine, its clock, and units of work run as
    transactions."""

    def __init__(self, url, busy_timeout=SQLITE_BUSY_TIMEOUT, options=None):
        self.engine = create_engine(url, busy_timeout, options)
        self._server_clock = CLOCK_QUERIES.get(self.engine.dialect.name)
        #: (monotonic seconds, the server's UTC time then), once read.
        self._clock_reading = None

    def now(self):
        """The database server's current time, naive UTC.

        The server's clock is read every CLOCK_REFRESH seconds and carried
        forward on this process's monotonic clock in between, so asking
        costs no round trip. An SQLite file's clock is this host's.
        """
        if self._server_clock is None:
            return utcnow()
        reading = self._clock_reading
        tick = time.monotonic()
        if reading is None or tick - reading[0] > CLOCK_REFRESH:
            reading = self._clock_reading = self._read_server_clock()
            tick = time.monotonic()
        return reading[1] + datetime.timedelta(seconds=tick - reading[0])

    def _read_server_clock(self):
        """(monotonic seconds, server time): the server's time is taken to
        be at the middle of the round trip that read it."""
        def read(session):
            return session.execute(sa.text(self._server_clock)).scalar()
        before = time.monotonic()
        server_time = self.run(read, write=False)
        after = time.monotonic()
        return (before + after) / 2, server_time

    def run(self, work, write):
        """``work(session)`` in one transaction; commit, or roll back and raise.

        A read (``write`` false) is rolled back whatever it did, and its
        session never flushes: a read cannot write. A transaction that lost
        a race (``is_retryable``) runs again, up to ``RETRIES`` times, after
        a jittered pause that doubles each time; an IntegrityError that
        persists is raised, so ``work`` must check what it can check
        (duplicates) first. A database that cannot be used
        (``is_unavailable``, or no pooled connection free in time) raises
        DatabaseUnavailable.
        """
        attempt = 1
        while True:
            try:
                with self.engine.connect() as conn:
                    if write:
                        conn = conn.execution_options(minova_write=True)
                    with Session(bind=conn, expire_on_commit=False,
                                 autoflush=write) as session:
                        session.begin()
                        result = work(session)
                        if write:
                            session.commit()
                        session.expunge_all()
                        return result
            except exc.TimeoutError as error:
                raise DatabaseUnavailable(str(error)) from error
            except exc.DBAPIError as error:
                if attempt == RETRIES or not is_retryable(error):
                    if is_unavailable(error):
                        raise DatabaseUnavailable(
                            " ".join(str(error.orig).split())) from error
                    raise
            time.sleep(random.uniform(0.5, 1.0) * RETRY_PAUSE * 2 ** attempt)
            attempt += 1

    def dispose(self):
        self.engine.dispose()


#: How each server database says what time it is, in naive UTC.
CLOCK_QUERIES = {
    "postgresql": "SELECT CAST(now() AT TIME ZONE 'UTC' AS timestamp(6))",
    "mysql": "SELECT UTC_TIMESTAMP(6)",
}


def utcnow():
    """This host's current time, naive UTC, as the database stores it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

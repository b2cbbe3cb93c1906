"""Test databases on the local PostgreSQL and MariaDB servers, made and dropped.

Unit and functional tests each want a uniquely named database of their own
on a server that may not be there; this is the one place that knows the
servers' addresses and how to create, skip, sync and drop, and that marks
the tests that use them ``serverdb``: ``pytest -m "not serverdb"`` runs
without them.
"""

import os
import subprocess
import sys
import tempfile

import pytest
import sqlalchemy as sa

MANAGE = os.path.join(os.path.dirname(sys.executable), "minova-manage")

SERVERS = {
    "postgresql": ("postgresql+psycopg://postgres@127.0.0.1:5432/",
                   "test", "PostgreSQL not reachable on 127.0.0.1:5432"),
    "mysql": ("mysql+pymysql://root:@127.0.0.1:3306/", "test",
              "MariaDB not reachable on 127.0.0.1:3306"),
}


def server_params(*backends):
    """``backends`` (default: every server) as fixture params, each marked
    ``serverdb``, so that every test using the fixture is marked."""
    return [pytest.param(backend, marks=pytest.mark.serverdb)
            for backend in backends or sorted(SERVERS)]


def _admin(backend):
    base_url, admin_db, _ = SERVERS[backend]
    return sa.create_engine(base_url + admin_db, isolation_level="AUTOCOMMIT",
                            connect_args={"connect_timeout": 3})


def create(backend, name):
    """Create database ``name`` on ``backend``: (its URL, None), or (None,
    the reason to skip) when the server is not reachable."""
    base_url, _, reason = SERVERS[backend]
    admin = _admin(backend)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE %s" % name)
    except sa.exc.OperationalError as error:
        return None, "%s (%s)" % (reason, str(error.orig).splitlines()[0])
    finally:
        admin.dispose()
    return base_url + name, None


def drop(backend, url):
    """Drop the database ``url`` made by ``create``, ending the sessions
    still on it first (a host a test killed, whose server side has not
    noticed yet; a pool closed after the test): PostgreSQL refuses to drop
    a database in use, and MariaDB's drop waits for their locks."""
    name = url.rsplit("/", 1)[1]
    admin = _admin(backend)
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(
                    "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
                return
            sessions = conn.exec_driver_sql(
                "SELECT id FROM information_schema.processlist "
                "WHERE db = %s AND id <> CONNECTION_ID()", (name,)).all()
            for (session,) in sessions:
                try:
                    conn.exec_driver_sql("KILL %d" % session)
                except sa.exc.OperationalError:
                    pass  # it ended meanwhile
            conn.exec_driver_sql("DROP DATABASE IF EXISTS %s" % name)
    finally:
        admin.dispose()


def sync(url):
    """``minova-manage db sync`` on ``url``, as an operator runs it before
    starting minova on a database server (startup only checks the schema)."""
    with tempfile.TemporaryDirectory() as directory:
        config = os.path.join(directory, "db.conf")
        with open(config, "w") as f:
            f.write("[database]\nconnection = %s\n" % url)
        synced = subprocess.run([MANAGE, "--config-file", config, "db",
                                 "sync"], capture_output=True, text=True,
                                timeout=120)
    assert synced.returncode == 0, synced.stderr

"""Schema migrations: bring a database to the head revision, safely from any process.

The alembic scripts live in ``minova_tw/db/migrations`` and are found through
the package, so no alembic.ini is needed at runtime. Every worker may call
``sync`` at start-up at the same moment, so the upgrade runs under a lock
held by the database itself: ``BEGIN IMMEDIATE`` on SQLite (the second
process waits under the busy timeout; SQLite DDL is transactional),
a transaction-scoped advisory lock on PostgreSQL, and ``GET_LOCK`` on
MySQL/MariaDB (whose DDL commits implicitly, so the lock must outlive the
transaction). Whoever gets the lock second finds the database at head and
does nothing. Migrations only add: an upgrade never drops data.

A database already at ``HEAD`` is recognised with one query and no alembic:
every API process syncs at start-up, and alembic (with mako and pygments)
would add about 11 MB to each worker for nothing.
"""

import sqlalchemy as sa

from minova_tw.db import engine as db_engine

#: The newest revision in ``migrations/versions``: a new migration updates
#: it (tests/unit/test_db_migration.py checks it against alembic's head).
HEAD = "0004"

SCRIPT_LOCATION = "minova_tw.db:migrations"
#: Key of the PostgreSQL advisory lock and name of the MySQL named lock.
LOCK_ID = 0x6D696E6F7661
LOCK_NAME = "minova-db-sync"
LOCK_TIMEOUT_S = 300


def _config(connection=None):
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def head():
    """The newest revision the code knows, as alembic finds it."""
    from alembic.script import ScriptDirectory
    return ScriptDirectory.from_config(_config()).get_current_head()


def version(conf):
    """The database's current revision, or None before the first sync."""
    engine = db_engine.get_database(conf).engine
    with engine.connect() as conn:
        return _stored_revision(conn)


def _stored_revision(conn):
    """What alembic's version table says, read the way alembic stores it."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql(
        "SELECT version_num FROM alembic_version").scalar()


def sync(conf, revision="head"):
    """Upgrade ``conf``'s database to ``revision``; return the new revision."""
    engine = db_engine.get_database(conf).engine
    if revision == "head" and version(conf) == HEAD:
        return HEAD
    from alembic import command
    dialect = engine.dialect.name
    with engine.connect() as conn:
        if dialect == "mysql":
            got = conn.exec_driver_sql(
                "SELECT GET_LOCK(%s, %s)", (LOCK_NAME, LOCK_TIMEOUT_S)).scalar()
            if got != 1:
                raise RuntimeError("timed out waiting for lock %s" % LOCK_NAME)
            conn.commit()
        try:
            conn = conn.execution_options(minova_write=True)
            with conn.begin():
                if dialect == "postgresql":
                    conn.exec_driver_sql(
                        "SELECT pg_advisory_xact_lock(%d)" % LOCK_ID)
                command.upgrade(_config(conn), revision)
            return _stored_revision(conn)
        finally:
            if dialect == "mysql":
                conn.exec_driver_sql("SELECT RELEASE_LOCK(%s)", (LOCK_NAME,))
                conn.commit()

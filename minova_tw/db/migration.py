"""Schema migrations: bring a database to the head revision, safely from any process.

The alembic scripts live in ``minova_tw/db/migrations`` and are found through
the package, so no alembic.ini is needed at runtime. ``minova-manage db
sync`` runs ``sync``. Several processes may run it at the same moment, so
the upgrade runs under a lock held by the database itself: ``BEGIN
IMMEDIATE`` on SQLite (the second process waits under the busy timeout;
SQLite DDL is transactional), a transaction-scoped advisory lock on
PostgreSQL, and ``GET_LOCK`` on MySQL/MariaDB (whose DDL commits
implicitly, so the lock must outlive the transaction). Whoever gets the
lock second finds the database at head and does nothing. Migrations only
add: an upgrade never drops data.

The apps' factories call ``ensure_current`` instead, in every process at
start-up, on SIGHUP and under ``minova-manage check``: a server database
(PostgreSQL, MariaDB) is only read there — its schema changes when the
operator runs ``db sync``, never as a side effect of starting or checking
— while an SQLite database, this host's own file, is brought to head, so
the README's first run creates it.

A database already at ``HEAD`` is recognised with one query and no alembic:
alembic (with mako and pygments) would add about 11 MB to each worker for
nothing.
"""

import sqlalchemy as sa

from minova_tw import conf as minova_conf
from minova_tw.db import engine as db_engine

#: The newest revision in ``migrations/versions``: a new migration updates
#: it (tests/unit/test_db_migration.py checks it against alembic's head).
HEAD = "0013"

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
    with db_engine.connect(conf) as conn:
        return _stored_revision(conn)


def ensure_current(conf):
    """Make sure ``conf``'s database has the code's schema before an app
    serves it (see the module docstring): SQLite is synced, a server
    database at another revision is a ConfigError naming ``minova-manage
    db sync``."""
    with db_engine.connect(conf) as conn:
        current = _stored_revision(conn)
        dialect = conn.engine.dialect.name
    if current == HEAD:
        return
    if dialect == "sqlite":
        sync(conf)
        return
    raise minova_conf.ConfigError(
        "[database] connection: the schema of %s is at revision %s, this "
        "minova needs %s: run minova-manage db sync" % (
            db_engine.masked_url(conf.database.connection),
            current or "none (an empty database)", HEAD))


def _stored_revision(conn):
    """What alembic's version table says, read the way alembic stores it."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.exec_driver_sql(
        "SELECT version_num FROM alembic_version").scalar()


def sync(conf, revision="head"):
    """Upgrade ``conf``'s database to ``revision``; return the new revision."""
    if revision == "head" and version(conf) == HEAD:
        return HEAD
    from alembic import command
    with db_engine.connect(conf) as conn:
        dialect = conn.engine.dialect.name
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

"""Row locks that serialise one kind of change across processes and hosts.

A limit that must hold for everybody — a project's quota, a user's key
pair count, a free address — is a check followed by an insert. Two
transactions that check at once both pass and both insert, unless the
database makes the second wait until the first has committed. ``hold``
does that with a row of ``locks`` named for what is being changed: it
inserts the row or, when it exists, updates it, in one statement that
leaves the row exclusively locked until the transaction ends (PostgreSQL's
``ON CONFLICT DO UPDATE``, MariaDB's ``ON DUPLICATE KEY UPDATE``; on SQLite
the writer already holds the file's write lock). Transactions run at READ
COMMITTED (``db.engine``), so what the caller counts after ``hold`` returns
includes everything the previous holder wrote.

To stay free of deadlocks, a transaction takes its locks in the order of
the names' kinds below: a project's, then a user's, then a server
group's, then fleet services' (in name order), then the address pool,
then a volume's; a quota class's and an aggregate's are taken alone.
"""

from sqlalchemy.dialects import mysql, postgresql, sqlite

from minova_tw.db import models

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def project(project_id):
    """The lock of a project's quota usage (servers, cores, RAM)."""
    return "project:%s" % project_id


def user(user_id):
    """The lock of a user's key pairs."""
    return "user:%s" % user_id


def quota_class(class_name):
    """The lock of a quota class's limits."""
    return "quota_class:%s" % class_name


def group(group_uuid):
    """The lock of a server group's members (who joins, on which host)."""
    return "group:%s" % group_uuid


def service(host, binary):
    """The lock of a fleet service's state (os-services)."""
    return "service:%s/%s" % (host, binary)


#: The lock of the fixed-IP pool.
FIXED_IPS = "fixed_ips"


def volume(volume_id):
    """The lock of a volume's attachment (one server at a time)."""
    return "volume:%s" % volume_id


def aggregate(aggregate_id):
    """The lock of a host aggregate's hosts and metadata."""
    return "aggregate:%s" % aggregate_id


def hold(session, name):
    """Lock ``name`` until ``session``'s transaction ends (waiting for
    whoever holds it)."""
    table = models.Lock.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("mysql", "mariadb"):
        stmt = mysql.insert(table).values(name=name)
        stmt = stmt.on_duplicate_key_update(name=stmt.inserted.name)
    else:
        stmt = _INSERTS[dialect](table).values(name=name)
        stmt = stmt.on_conflict_do_update(index_elements=[table.c.name],
                                          set_={"name": stmt.excluded.name})
    session.execute(stmt)

"""What every compute service shares: config, database, clock, transactions.

A public method of a service is one unit of work. Decorated with ``reader``
or ``writer`` it is called as ``method(context, ...)`` and runs as
``method(self, session, now, context, ...)`` inside one transaction of
``Database.run``, after the lifecycle transitions due by ``now`` have been
applied (``db.transitions``); ``now`` is the service's clock, read once per
call, so tests inject a clock instead of sleeping. A ``writer`` takes the
write lock up front (SQLite's BEGIN IMMEDIATE), a ``reader`` only when a due
transition has to be written.
"""

import datetime
import functools

import sqlalchemy as sa

from minova_tw.compute import exception
from minova_tw.db import engine as db_engine
from minova_tw.db import paging, transitions

SORT_DIRS = ("asc", "desc")
#: Stands in for a NULL time in sort keys (sorts first ascending).
EPOCH = datetime.datetime(1970, 1, 1)


def utcnow():
    """The current time, naive UTC, as the database stores it."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Service:
    """A group of operations over one configuration's database."""

    def __init__(self, conf, database=None, clock=utcnow):
        self.conf = conf
        self.db = database or db_engine.get_database(conf)
        self.clock = clock


def _transaction(write):
    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            now = self.clock()

            def work(session):
                transitions.apply_due(session, now)
                return method(self, session, now, *args, **kwargs)

            return self.db.run(work, write=write)
        return call
    return decorate


reader = _transaction(write=False)
writer = _transaction(write=True)


def nonnull(column, default):
    """``column`` with NULL replaced, for a sort key (see ``db.paging``)."""
    return sa.func.coalesce(column, default)


def page(session, stmt, keys, marker, marker_clause, limit, max_limit):
    """``db.paging.page`` with nova's limit rules and marker error: the
    rows of the page (``stmt`` selects columns, not ORM objects)."""
    if limit is None or limit > max_limit:
        limit = max_limit
    try:
        stmt = paging.page(session, stmt, keys,
                           None if marker is None else marker_clause, limit)
    except paging.MarkerNotFound:
        raise exception.MarkerNotFound(marker=marker) from None
    return session.execute(stmt).all()


def check_sort_dir(sort_dir):
    if sort_dir not in SORT_DIRS:
        raise exception.Invalid(
            "Unknown sort direction, must be 'desc' or 'asc'")
    return sort_dir


def require_admin(context, action):
    if not context.is_admin:
        raise exception.PolicyNotAuthorized(action=action)

"""What every compute service shares: config, database, clock, transactions.

A public method of a service is one unit of work. Decorated with ``reader``
or ``writer`` it is called as ``method(context, ...)`` and runs as
``method(self, session, now, context, ...)`` inside one transaction of
``Database.run``. ``now`` is the service's clock, read once per call: the
database server's (``Database.now``), so that every host agrees on when a
lifecycle transition is due; tests inject a clock instead of sleeping. A
``writer`` takes the write lock up front (SQLite's BEGIN IMMEDIATE); a
``reader`` never writes, and shows servers as they are at ``now``
(``db.transitions``).
"""

import datetime
import functools
import re

import sqlalchemy as sa

from minova_tw.compute import exception
from minova_tw.db import engine as db_engine
from minova_tw.db import paging

SORT_DIRS = ("asc", "desc")
#: Stands in for a NULL time in sort keys (sorts first ascending).
EPOCH = datetime.datetime(1970, 1, 1)


class Service:
    """A group of operations over one configuration's database; ``clock``
    (the database's by default) says what time it is."""

    def __init__(self, conf, database=None, clock=None):
        self.conf = conf
        self.db = database or db_engine.get_database(conf)
        self.clock = clock or self.db.now


def _transaction(write):
    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            now = self.clock()

            def work(session):
                return method(self, session, now, *args, **kwargs)

            return self.db.run(work, write=write)
        return call
    return decorate


reader = _transaction(write=False)
writer = _transaction(write=True)


def nonnull(column, default):
    """``column`` with NULL replaced, for a sort key (see ``db.paging``)."""
    return sa.func.coalesce(column, default)


def page(session, stmt, keys, marker, marker_clause, limit, max_limit,
         params=None):
    """``db.paging.page`` with nova's limit rules and marker error: the
    rows of the page (``stmt`` selects columns, not ORM objects), with
    ``params`` bound."""
    if limit is None or limit > max_limit:
        limit = max_limit
    try:
        stmt = paging.page(session, stmt, keys,
                           None if marker is None else marker_clause, limit,
                           params)
    except paging.MarkerNotFound:
        raise exception.MarkerNotFound(marker=marker) from None
    return session.execute(stmt, params).all()


def check_sort_dir(sort_dir):
    if sort_dir not in SORT_DIRS:
        raise exception.Invalid(
            "Unknown sort direction, must be 'desc' or 'asc'")
    return sort_dir


def compile_filter(pattern):
    """A name filter's regular expression (nova matches them with the
    database's REGEXP); a pattern that is not one is a 400."""
    try:
        return re.compile(pattern)
    except re.error:
        raise exception.Invalid(
            "Invalid regular expression: %s" % pattern) from None


def require_admin(context, action, target=None):
    """Enforce the policy rule ``action`` (PolicyNotAuthorized, 403, when
    it refuses). The name is from before oslo.policy, when every rule here
    meant "admin only"; ``context.can`` is the same check."""
    context.can(action, target)

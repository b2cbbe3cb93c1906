"""Database fixtures: a migrated minova database on SQLite, PostgreSQL and MariaDB.

``conf`` is a loaded ConfigOpts whose database is fresh and at head: an
SQLite file under ``tmp_path``, or (parametrized) a database created for
this test session on the local PostgreSQL (127.0.0.1:5432, user postgres)
or MariaDB (127.0.0.1:3306, user root), emptied before each test and dropped
at the end. Those two skip, with the reason, when the server is not there.
``clock`` is the injectable time of the compute layer; ``compute`` an
``API`` on both.
"""

import datetime
import os
import uuid

import pytest
import sqlalchemy as sa

from minova_tw import conf as minova_conf
from minova_tw import context
from minova_tw.compute import api
from minova_tw.db import engine as db_engine
from minova_tw.db import migration
from tests import databases

BACKENDS = ["sqlite", *databases.server_params()]
START = datetime.datetime(2024, 5, 1, 12, 0, 0)


class Context(context.RequestContext):
    """A request context with the roles keystone gives a project member,
    or an administrator's; nova's default policy judges it."""

    def __init__(self, user_id="user-a", project_id="project-a",
                 is_admin=False):
        super().__init__(user_id=user_id, project_id=project_id,
                         roles=["admin", "member", "reader"] if is_admin
                         else ["member", "reader"])


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += datetime.timedelta(seconds=seconds)


_server_dbs = {}


def _server_database(backend):
    """URL of this session's database on ``backend`` (created once)."""
    if backend not in _server_dbs:
        _server_dbs[backend] = databases.create(
            backend, "minova_test_%d_%s" % (os.getpid(), uuid.uuid4().hex[:8]))
    url, reason = _server_dbs[backend]
    if url is None:
        pytest.skip(reason)
    return url


def pytest_sessionfinish(session):
    for backend, (url, _) in _server_dbs.items():
        if url is None:
            continue
        for database in list(db_engine._databases.values()):
            database.dispose()
        databases.drop(backend, url)


def _empty(url):
    """Drop every table of the session database ``url``."""
    engine = db_engine.Database(url).engine
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()


def write_config(directory, url=None, **minova):
    lines = ["[DEFAULT]", "state_path = state", "[minova]"]
    lines += ["%s = %s" % item for item in minova.items()]
    if url:
        lines += ["[database]", "connection = " + url]
    path = directory / "minova.conf"
    path.write_text("\n".join(lines) + "\n")
    return minova_conf.load([str(path)])


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def empty_conf(backend, tmp_path):
    """A configuration whose database exists but has no tables."""
    url = None
    if backend != "sqlite":
        url = _server_database(backend)
        _empty(url)
    conf = write_config(tmp_path, url)
    yield conf
    if backend == "sqlite":
        db_engine.get_database(conf).dispose()


@pytest.fixture
def conf(empty_conf):
    migration.sync(empty_conf)
    return empty_conf


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def compute(conf, clock):
    return api.API(conf, clock=clock)


@pytest.fixture
def ctx():
    return Context()


@pytest.fixture
def other_ctx():
    return Context(user_id="user-b", project_id="project-b")


@pytest.fixture
def admin_ctx():
    return Context(user_id="admin", project_id="admin-project", is_admin=True)


@pytest.fixture
def count_queries(conf):
    """A list that collects the SQL statements run while the test runs."""
    statements = []
    engine = db_engine.get_database(conf).engine

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    yield statements
    sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def make_context():
    return Context


@pytest.fixture
def override(conf):
    """``override(name, value, group)``: conf.set_override, undone after the
    test (overrides leak between ConfigOpts objects of one process)."""
    done = []

    def set_override(name, value, group):
        conf.set_override(name, value, group=group)
        done.append((name, group))

    yield set_override
    for name, group in done:
        conf.clear_override(name, group=group)

"""Database fixtures: a migrated minova database on SQLite, PostgreSQL and MariaDB.

``conf`` is a loaded ConfigOpts whose database is fresh and at head: an
SQLite file under ``tmp_path``, or (parametrized) a database created for
this test session on the local PostgreSQL (127.0.0.1:5432, user postgres)
or MariaDB (127.0.0.1:3306, user root), emptied before each test and dropped
at the end. Those two skip, with the reason, when the server is not there.
The API's own tests (``test_api_*``, ``test_policy*``) run on SQLite only:
they judge what the router makes of requests, while the compute layer's
tests (``test_compute_*``, ``test_db_*``) hold the database servers to the
same behaviour.
``clock`` is the injectable time of the compute layer; ``compute`` an
``API`` on both; ``api`` calls the compute router over the same database.

Besides: every minova thread pool a unit test starts is stopped when it
ends (``stop_pools``).
"""

import datetime
import os
import socket
import uuid

import pytest
import sqlalchemy as sa

from minova_tw import conf as minova_conf
from minova_tw import context
from minova_tw import threadpool
from minova_tw.api.openstack.compute import routes
from minova_tw.compute import api as compute_api
from minova_tw.db import engine as db_engine
from minova_tw.db import migration
from tests import databases
from tests.unit import compute_router

BACKENDS = ["sqlite", *databases.server_params()]
START = datetime.datetime(2024, 5, 1, 12, 0, 0)
#: The image stand-in's one image (any UUID is an image to the compute API).
IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


class Context(context.RequestContext):
    """A request context with the roles keystone gives a project member,
    or an administrator's; nova's default policy judges it."""

    def __init__(self, user_id="user-a", project_id="project-a",
                 is_admin=False, request_id=None):
        super().__init__(user_id=user_id, project_id=project_id,
                         roles=compute_router.roles(is_admin),
                         **({"request_id": request_id} if request_id
                            else {}))


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


#: Modules whose tests use SQLite alone (see the module docstring).
SQLITE_ONLY = ("test_api_", "test_policy")


def pytest_generate_tests(metafunc):
    """Every test that uses a database runs once per backend."""
    if "backend" in metafunc.fixturenames:
        module = metafunc.module.__name__.rpartition(".")[2]
        metafunc.parametrize(
            "backend",
            ["sqlite"] if module.startswith(SQLITE_ONLY) else BACKENDS,
            indirect=True)


@pytest.fixture
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
def loopback_connection():
    """A TCP connection on 127.0.0.1: (client socket, accepted socket)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname(), timeout=10)
        accepted, _ = listener.accept()
    yield client, accepted
    client.close()
    accepted.close()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def compute(conf, clock):
    return compute_api.API(conf, clock=clock)


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


@pytest.fixture
def api(conf, override):
    """``api(method, path, body=None, version="2.1", admin=False,
    project="project-a", request_id=None)``: one request through the compute
    router over the test's database, whose servers build and act at once;
    the webob response. ``admin`` calls as user "admin", else "user"."""
    override("build_time", 0, "minova")
    override("action_time", 0, "minova")
    router = routes.APIRouterV21(conf)

    def request(method, path, body=None, version="2.1", admin=False,
                project="project-a", request_id=None):
        return compute_router.call_as(router, method, path, body, admin,
                                      version, project, request_id)
    return request


@pytest.fixture
def admin_api(api):
    """``api`` as the admin: ``admin_api(method, path, body=None,
    version="2.1")``."""
    def request(method, path, body=None, version="2.1"):
        return api(method, path, body, version, admin=True)
    return request


@pytest.fixture
def building_server(api, override):
    """The id of a server project-a booted through ``api`` that stays BUILD
    (for the 409s of actions nova refuses while a server builds)."""
    override("build_time", 60, "minova")
    res = api("POST", "/servers", {"server": {
        "name": "building", "flavorRef": "1", "imageRef": IMAGE}})
    assert res.status_int == 202, res.text
    return res.json["server"]["id"]


@pytest.fixture
def server(api):
    """The id of a server project-a booted through ``api`` (ACTIVE)."""
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}})
    assert res.status_int == 202, res.text
    return res.json["server"]["id"]


@pytest.fixture(autouse=True)
def stop_pools(monkeypatch):
    """Every pool a test starts is stopped when the test ends, whether it
    passed or not: a pool's threads are not daemons, so one a failed test
    left running keeps pytest from exiting (it hangs after its report)."""
    started = []
    start = threadpool.SharedThreadPool.start

    def start_and_note(pool):
        started.append(pool)
        start(pool)

    monkeypatch.setattr(threadpool.SharedThreadPool, "start", start_and_note)
    yield
    for pool in started:
        if pool.threads or pool.reservedThreads:
            pool.stop()

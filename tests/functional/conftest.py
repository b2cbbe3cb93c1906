"""The functional tests' fixtures: the compute API on a real twistd, and databases.

``minova`` (tests/conftest.py, a factory fixture) writes a config file
into the test's temporary directory, starts twistd with it, waits
(polling the log, with a deadline) until every expected API logged "<api>
listening on host:port" — the ports are 0 in the config, so the kernel
picks free ones and the log says which — and stops the process by its PID
when the test ends. ``start_compute`` and ``compute`` start one serving
the compute API and
hand out tests.functional.compute Clients. ``pg_database``,
``empty_server_database`` and ``server_database`` are databases made for
the test on the machine's PostgreSQL / MariaDB (skipped, saying why, when
the server is not there) and dropped after it.

Plain helpers live in the modules beside this one (process, compute,
faults, workers, ...), so test modules never import from each other.
"""

import uuid

import pytest
import sqlalchemy as sa

from tests import databases
from tests.functional.compute import Client, compute_config
from tests.functional.faults import PG_ADMIN, take_database_away


@pytest.fixture
def start_compute(minova, tmp_path):
    """``start_compute(**overrides)`` -> a Client factory on a new minova."""
    def start(**overrides):
        server = minova(compute_config(tmp_path, **overrides),
                        expect=("osapi_compute",))
        base = server.url("osapi_compute", "").rstrip("/")

        def client(token="demo:demo", version=None):
            return Client(base, token, version)
        client.process = server
        client.base = base
        return client
    return start


@pytest.fixture
def compute(start_compute):
    """A Client factory on a new minova with the default compute options."""
    return start_compute()


@pytest.fixture(params=databases.server_params("postgresql"))
def pg_database():
    """A fresh PostgreSQL database on 127.0.0.1:5432, synced; ``(url,
    name, admin)``."""
    name = "minova_func_%s" % uuid.uuid4().hex[:12]
    admin = sa.create_engine(PG_ADMIN + "postgres",
                             isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE %s" % name)
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    databases.sync(PG_ADMIN + name)
    yield PG_ADMIN + name, name, admin
    take_database_away(admin, name, away=False)
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS %s WITH (FORCE)"
                             % name)
    admin.dispose()


@pytest.fixture(params=databases.server_params())
def empty_server_database(request):
    """A database made for the test on PostgreSQL or MariaDB, no tables."""
    url, reason = databases.create(
        request.param, "minova_func_%s" % uuid.uuid4().hex[:12])
    if url is None:
        pytest.skip(reason)
    yield url
    databases.drop(request.param, url)


@pytest.fixture
def server_database(empty_server_database):
    """empty_server_database, synced to head (as ``db sync`` leaves it)."""
    databases.sync(empty_server_database)
    return empty_server_database

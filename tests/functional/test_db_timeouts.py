"""A silent PostgreSQL or MariaDB, on a real minova: 503 within the configured bound, then served again.

The database is reached through ``dbrelay.Relay``, which goes silent the
way a black-holed network does (connections accepted, nothing answered).
With small timeouts, a request that finds its pooled connection silent,
and one that must connect anew, both get nova's 503 within the bound the
options give; once the relay forwards again the next requests succeed,
with no restart.
"""

import time
import uuid

import pytest

from tests import databases
from tests.functional.dbrelay import Relay, silent_bound
from tests.functional.faults import assert_unavailable, boot

STATEMENT_TIMEOUT = 2
CONNECT_TIMEOUT = 2


BOUND = silent_bound(STATEMENT_TIMEOUT, CONNECT_TIMEOUT)
SLACK = 5.0
PORTS = {"postgresql": 5432, "mysql": 3306}


@pytest.fixture(params=databases.server_params())
def relayed_database(request):
    """A new database on the local server of each backend, reached through
    a Relay: ``(url through the relay, relay)``."""
    backend = request.param
    url, reason = databases.create(
        backend, "minova_silent_%s" % uuid.uuid4().hex[:12])
    if url is None:
        pytest.skip(reason)
    databases.sync(url)
    relay = Relay("127.0.0.1", PORTS[backend])
    yield relay.url(url), relay
    relay.stop()
    databases.drop(backend, url)


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def test_a_silent_database_is_503_within_the_bound_then_served_again(
        relayed_database, start_compute):
    url, relay = relayed_database
    client = start_compute(database={
        "connection": url, "statement_timeout": STATEMENT_TIMEOUT,
        "connect_timeout": CONNECT_TIMEOUT})
    assert boot(client).status_code == 202  # a pooled connection exists
    relay.silence()
    try:
        # the pooled connection, established before the outage
        response, pooled = timed(lambda: client().get("/servers"))
        assert_unavailable(response)
        # no usable connection left: a new one, to a silent server
        response, fresh = timed(lambda: boot(client))
        assert_unavailable(response)
    finally:
        relay.restore()
    print("silent database: 503 after %.1f s (pooled connection), %.1f s "
          "(new connection); bound %d s" % (pooled, fresh, BOUND))
    assert pooled < BOUND + SLACK and fresh < BOUND + SLACK
    assert client().get("/servers").status_code == 200
    assert boot(client).status_code == 202
    assert "database unavailable" in client.process.log

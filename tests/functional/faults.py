"""Faults below the API as a client sees them, and a PostgreSQL database taken away.

``assert_unavailable`` checks nova's 503 ``serviceUnavailable`` fault: a
``Retry-After`` and no word of the cause (``INTERNALS``) in the body.
``take_database_away`` makes a PostgreSQL database look gone to minova
without touching the server the machine shares (conftest's ``pg_database``
gives one to take away).
"""

from tests.functional.compute import IMAGE, fault

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/"
#: Words of a cause that must never reach a client.
INTERNALS = ("sqlite", "psycopg", "locked", "Traceback", "OperationalError",
             "minova_func_", "disk", "127.0.0.1")


def boot(client, name="vm", version=None, **extra):
    """POST a server (not waiting for it): the raw response."""
    return client(version=version).post("/servers", {"server": dict(
        {"name": name, "flavorRef": "1", "imageRef": IMAGE}, **extra)})


def assert_unavailable(response):
    """Check ``response`` is nova's 503, nothing of the cause; its message."""
    message = fault(response, 503)
    assert list(response.json()) == ["serviceUnavailable"]
    assert int(response.headers["Retry-After"]) > 0
    for word in INTERNALS:
        assert word not in response.text, response.text
    return message


def take_database_away(admin, name, away=True):
    """Refuse new connections to database ``name`` and end the open ones
    (PostgreSQL gone, as far as minova can tell); or allow them again."""
    with admin.connect() as conn:
        conn.exec_driver_sql("ALTER DATABASE %s ALLOW_CONNECTIONS %s"
                             % (name, "false" if away else "true"))
        if away:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = '%s'" % name)

"""The ``database`` backend of oslo.middleware's healthcheck: can this host use its database?

``[healthcheck] backends = database`` (the entry point ``database`` in
oslo.middleware's namespace ``oslo.middleware.healthcheck``) makes ``GET
/healthcheck`` answer 503 ``DATABASE UNAVAILABLE`` while the process cannot
read its database, so a load balancer takes the host out of rotation
instead of sending it requests that would fail.

A health check must answer at once whatever the database does: a balancer
probes every few seconds and gives up after its own timeout, and a check
that waits holds a thread (issue 16: a silent database hung requests for
its whole outage). So the backend never touches the database itself. One
``DatabaseProbe`` per database and process reads the database in a thread
of its own every ``[healthcheck] database_check_interval`` seconds, through
the stack's own ``Database`` (its pool, timeouts and error handling); the
backend answers with the last verdict, and with ``DATABASE DID NOT ANSWER``
once a probe has run longer than ``database_check_timeout``, however long
the probe itself then hangs. A balancer's checks, however many, cost the
database one small query per interval.

The probe's thread starts with the first health check, not when the app is
loaded: the twistd process of an API with workers and ``minova-manage
check`` load the app without serving it. Until its first probe ends, the
check answers ``DATABASE NOT CHECKED YET`` (503): a host joins the rotation
once it has read its database, one balancer interval later.
"""

import atexit
import logging
import threading
import time

import sqlalchemy as sa
from oslo_middleware.healthcheck import pluginbase

from minova_tw.db import engine as db_engine

LOG = logging.getLogger(__name__)

#: What a probe reads: a real table (on SQLite, ``SELECT 1`` would not even
#: open the file), the one every migrated database has.
PROBE_QUERY = sa.text("SELECT version_num FROM alembic_version")

_probes = {}
_probes_lock = threading.Lock()


class DatabaseProbe:
    """Reads ``database`` every ``interval`` seconds in a daemon thread.

    ``verdict`` is the HealthcheckResult of the last probe that ended (None
    before the first); ``probing_since`` the ``time.monotonic()`` at which
    the running probe began, or None between probes.
    """

    def __init__(self, database, interval):
        self.database = database
        self.interval = interval
        self.verdict = None
        self.probing_since = None
        self._thread = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self):
        """Start probing, unless it runs already (each check calls this)."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="minova-healthcheck-database",
                    daemon=True)
                self._thread.start()

    def stop(self):
        """End the thread after its current probe (at exit, and in tests)."""
        self._stopping.set()

    def _run(self):
        while not self._stopping.is_set():
            self.probing_since = time.monotonic()
            verdict = self.probe()
            previous, self.verdict = self.verdict, verdict
            self.probing_since = None
            if previous is not None and (
                    previous.available != verdict.available):
                (LOG.info if verdict.available else LOG.error)(
                    "health check: the database is %s%s",
                    "available again" if verdict.available else "unavailable",
                    "" if verdict.available else ": " + verdict.details)
            self._stopping.wait(self.interval)

    def probe(self):
        """One read of the database, as a HealthcheckResult."""
        try:
            self.database.run(
                lambda session: session.execute(PROBE_QUERY).scalar(),
                write=False)
        except Exception as exc:
            return pluginbase.HealthcheckResult(
                available=False, reason="DATABASE UNAVAILABLE",
                details=" ".join(str(exc).split()) or type(exc).__name__)
        return pluginbase.HealthcheckResult(available=True, reason="OK")


def probe_for(database, interval):
    """The process's one DatabaseProbe of ``database``.

    The interval of the latest caller applies (a reload may change it).
    """
    with _probes_lock:
        probe = _probes.get(database)
        if probe is None:
            probe = _probes[database] = DatabaseProbe(database, interval)
            atexit.register(probe.stop)
        probe.interval = interval
        return probe


class DatabaseHealthcheck(pluginbase.HealthcheckBaseExtension):
    """oslo.middleware healthcheck backend ``database`` (module docstring)."""

    def __init__(self, oslo_conf, conf):
        super().__init__(oslo_conf, conf)
        self.timeout = self._conf_get("database_check_timeout")
        self.probe = probe_for(db_engine.get_database(oslo_conf),
                               self._conf_get("database_check_interval"))

    def healthcheck(self, server_port):
        probe = self.probe
        probe.start()
        since = probe.probing_since
        if since is not None and time.monotonic() - since > self.timeout:
            return pluginbase.HealthcheckResult(
                available=False, reason="DATABASE DID NOT ANSWER",
                details="a read has waited more than %g s" % self.timeout)
        verdict = probe.verdict
        if verdict is None:
            return pluginbase.HealthcheckResult(
                available=False, reason="DATABASE NOT CHECKED YET",
                details="the first read has not ended yet")
        return verdict

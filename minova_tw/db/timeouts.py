"""Bounds on every wait for a PostgreSQL or MariaDB server, from ``[database]``.

A server that is gone answers at once (refused, reset): the request gets
503. A *silent* one — packets dropped by a firewall, a dead link, a hung
server — answers nothing, and a driver waits for it forever unless told
otherwise; the pool's threads fill and nothing answers at all. So every
wait has a bound derived from the options:

- the pool: ``max_pool_size``, ``max_overflow``, ``pool_timeout`` (waiting
  for a free connection), ``connection_recycle_time``;
- connecting: ``connect_timeout`` (libpq's and PyMySQL's);
- the server itself aborts a statement, or a lock wait, that runs past
  ``statement_timeout`` (PostgreSQL ``statement_timeout``; MariaDB
  ``max_statement_time`` and ``innodb_lock_wait_timeout``): the connection
  stays usable and the error says why;
- the server ends a session whose transaction has waited for its client
  longer than ``idle_transaction_timeout`` (PostgreSQL
  ``idle_in_transaction_session_timeout``, MariaDB
  ``idle_transaction_timeout``): a client the network lost mid-transaction
  would otherwise hold its row locks (``db.locks``) until the server's own
  TCP keepalive gave up, hours later, and every other host's request for
  the same lock would time out meanwhile;
- the client gives up on a server that has not answered for
  ``statement_timeout`` + ``GRACE`` seconds. PyMySQL has that bound itself
  (``read_timeout``, ``write_timeout``: each read of the connection, the
  handshake and the pool's ping included). libpq has none, and TCP
  keepalive or ``tcp_user_timeout`` only fire when nothing acknowledges
  the packets — not behind a proxy, relay or balancer that does. So a
  PostgreSQL engine gets a ``Watchdog``: one thread that shuts down the
  socket of a connection whose statement, commit or ping overran, which
  makes the blocked call fail as a lost connection; SQLAlchemy invalidates
  it and the API answers 503. The pool's ping before use runs under the
  watchdog too (SQLAlchemy's own pre-ping runs before any event could arm
  it).

Nothing here stays broken: a lost connection is replaced on the next use.
"""

import logging
import os
import socket
import threading
import time
import types

import sqlalchemy as sa
from sqlalchemy import event, exc

from minova_tw.conf import api as api_conf

LOG = logging.getLogger(__name__)

#: Seconds the client waits past ``statement_timeout`` before it gives up
#: on the server, so that a live server's own timeout (a clear error, the
#: connection kept) comes first.
GRACE = 1
#: Seconds an idle watchdog thread lingers before it ends (one starts again
#: with the next armed connection); keeps a thread from outliving its use
#: without starting one per request.
WATCHDOG_IDLE = 60.0


#: Every server transaction's isolation level (see minova_tw.db.engine).
ISOLATION_LEVEL = "READ COMMITTED"


def defaults():
    """``[database]``'s defaults, for a Database made without a config."""
    return types.SimpleNamespace(**{
        opt.dest: opt.default for opt in api_conf.database_opts})


def client_timeout(options):
    """Seconds the client waits for one answer of the server."""
    return options.statement_timeout + GRACE


def engine_kwargs(url, options):
    """``sa.create_engine`` keyword arguments for the server ``url``."""
    kwargs = dict(isolation_level=ISOLATION_LEVEL,
                  pool_size=options.max_pool_size,
                  max_overflow=options.max_overflow,
                  pool_timeout=options.pool_timeout,
                  pool_recycle=options.connection_recycle_time,
                  # PostgreSQL pings under the watchdog instead (bound_waits)
                  pool_pre_ping=not _is_postgresql(url))
    if _is_postgresql(url):
        kwargs["connect_args"] = _libpq_args(options)
    elif url.get_backend_name() in ("mysql", "mariadb"):
        kwargs["connect_args"] = _mysql_args(options)
    return kwargs


def _is_postgresql(url):
    return url.get_backend_name() == "postgresql"


def _libpq_args(options):
    args = {
        "connect_timeout": options.connect_timeout,
        "keepalives": int(options.tcp_keepalive),
        "tcp_user_timeout": client_timeout(options) * 1000,
        # statement_timeout counts lock waits too: no lock_timeout needed
        "options": "-c statement_timeout=%d "
                   "-c idle_in_transaction_session_timeout=%d"
                   % (options.statement_timeout * 1000,
                      options.idle_transaction_timeout * 1000),
    }
    if options.tcp_keepalive:
        args.update(keepalives_idle=options.tcp_keepalive_idle,
                    keepalives_interval=options.tcp_keepalive_interval,
                    keepalives_count=options.tcp_keepalive_count)
    return args


def _mysql_args(options):
    return {
        "connect_timeout": options.connect_timeout,
        "read_timeout": client_timeout(options),
        "write_timeout": client_timeout(options),
        "init_command": "SET SESSION max_statement_time = %d, "
                        "innodb_lock_wait_timeout = %d, "
                        "idle_transaction_timeout = %d"
                        % (options.statement_timeout,
                           options.statement_timeout,
                           options.idle_transaction_timeout),
    }


def create_server_engine(url, options=None):
    """An engine for the PostgreSQL or MariaDB ``url`` with ``options``'
    (``conf.database``, or its defaults) pool and timeouts; a PostgreSQL
    one is watched."""
    if options is None:
        options = defaults()
    url = sa.engine.make_url(url)
    engine = sa.create_engine(url, **engine_kwargs(url, options))
    if _is_postgresql(url):
        bound_waits(engine, Watchdog(client_timeout(options)))
    return engine


def bound_waits(engine, watchdog):
    """Arm ``watchdog`` for every wait of ``engine``'s connections on the
    server: the ping at checkout, each statement, commit and rollback (the
    pool's rollback on return too); disarm when the connection goes back
    to the pool or is invalidated."""

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, _record, _proxy):
        watchdog.arm(dbapi_conn)
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool replaces this connection, and every older one: when
            # one connection lost the server, so did the others.
            raise exc.InvalidatePoolError(
                " ".join(str(error).split())) from error

    def _arm(conn, *_args):
        if not (conn.closed or conn.invalidated):  # else nothing will wait
            watchdog.arm(conn.connection.dbapi_connection)

    def _arm_on_reset(dbapi_conn, _record, _state):
        watchdog.arm(dbapi_conn)

    def _disarm(dbapi_conn, _record, *_args):
        watchdog.disarm(dbapi_conn)

    event.listen(engine, "before_cursor_execute", _arm)
    event.listen(engine, "commit", _arm)
    event.listen(engine, "rollback", _arm)
    event.listen(engine, "reset", _arm_on_reset)
    event.listen(engine, "checkin", _disarm)
    event.listen(engine, "invalidate", _disarm)


class Watchdog:
    """Ends a server connection whose current wait overran ``timeout``.

    ``arm(conn)`` starts (or restarts) the connection's deadline,
    ``disarm(conn)`` ends it. All deadlines are ``timeout`` after their
    arming, so the dict of armed connections, in arming order, is in
    deadline order too: the thread sleeps until the first one and needs no
    heap; arming costs a dict update under a lock. The thread runs while
    connections are armed and ``WATCHDOG_IDLE`` seconds after.
    """

    def __init__(self, timeout):
        self.timeout = timeout
        self._deadlines = {}
        self._changed = threading.Condition()
        self._thread = None

    def arm(self, dbapi_conn):
        deadline = time.monotonic() + self.timeout
        with self._changed:
            self._deadlines.pop(dbapi_conn, None)
            self._deadlines[dbapi_conn] = deadline
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._watch, name="minova-db-watchdog",
                    daemon=True)
                self._thread.start()
            elif len(self._deadlines) == 1:
                self._changed.notify()

    def disarm(self, dbapi_conn):
        with self._changed:
            self._deadlines.pop(dbapi_conn, None)

    def _watch(self):
        with self._changed:
            while True:
                if not self._deadlines:
                    self._changed.wait(WATCHDOG_IDLE)
                    if not self._deadlines:
                        self._thread = None
                        return
                    continue
                dbapi_conn, deadline = next(iter(self._deadlines.items()))
                left = deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                del self._deadlines[dbapi_conn]
                # Under the lock: the connection cannot be closed (and its
                # file descriptor reused) before disarm, which needs it.
                _shut_down(dbapi_conn, self.timeout)


def _shut_down(dbapi_conn, timeout):
    """Make the blocked call on ``dbapi_conn`` fail: shut its socket down
    (on a duplicate of its descriptor, which the driver still owns)."""
    try:
        fd = os.dup(dbapi_conn.fileno())
    except Exception:  # closed meanwhile: nothing is waiting on it
        return
    with socket.socket(fileno=fd) as sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return
    LOG.warning("database server did not answer in %ss: connection ended",
                timeout)

"""The listening sockets of an API: bound as nova-api bound them, or probed.

One socket per process serving the API: with several workers they are
SO_REUSEPORT sockets on one address, so the kernel spreads new connections
over them. Every failure is a ConfigError naming the option of the address
or port that cannot be used.
"""

import errno
import functools
import ipaddress
import socket

from minova_tw import conf as minova_conf

LISTEN_BACKLOG = 128


def bind(name, host, port, keepidle, reuse_port=False, options=None):
    """Bind and listen on host:port as nova-api did (reuseaddr, TCP keepalive).

    ``reuse_port`` sets SO_REUSEPORT, so that more sockets can bind the same
    address and the kernel spreads new connections over them. Raises
    ConfigError naming the option when binding is impossible: ``options``
    (address option, port option), by default ``[DEFAULT] <name>_listen``
    and ``[DEFAULT] <name>_listen_port``.
    """
    options = options or _listen_options(name)
    sock = _bound(host, port, options, reuse_port)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, "TCP_KEEPIDLE") and keepidle:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepidle)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise _cannot_listen(options[1], host, port, exc) from None
    sock.setblocking(False)
    return sock


def _listen_options(name):
    return ("[DEFAULT] %s_listen" % name, "[DEFAULT] %s_listen_port" % name)


def _cannot_listen(option, host, port, exc, suffix=""):
    return minova_conf.ConfigError("%s: cannot listen on %s:%s: %s%s" % (
        option, host, port, exc.strerror or exc, suffix))


def _bound(host, port, options, reuse_port, in_use=""):
    """A socket bound to host:port with SO_REUSEADDR (and SO_REUSEPORT if
    ``reuse_port``); ConfigError naming ``options``' address or port option,
    with ``in_use`` after the reason when the address is in use."""
    host_option, port_option = options
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise _cannot_listen(host_option, host, port, exc) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise _cannot_listen(
            port_option, host, port, exc,
            in_use if exc.errno == errno.EADDRINUSE else "") from None
    return sock


def is_loopback(host):
    """Whether ``host`` (an address a socket is bound to) is loopback only."""
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class Listener:
    """Where API ``name`` listens, with how many sockets; bound on demand.

    Startup checks the address at once (``probe``: a port in use stops it
    with one line before twistd daemonizes), and the API's service binds
    it when it starts (``bind``, from ``privilegedStartService``, before
    twistd drops privileges), as Twisted's StreamServerEndpointService
    does. ``inherited`` is the socket systemd passed for the API, if any:
    it is used instead of binding, shared by all the API's processes.
    ``options`` names the address and port options in errors (by default
    ``[DEFAULT] <name>_listen`` and ``<name>_listen_port``).
    """

    def __init__(self, name, host, port, count=1, keepidle=0,
                 inherited=None, options=None):
        self.name = name
        self.host = host
        self.port = port
        self.count = count
        self.keepidle = keepidle
        self.inherited = inherited
        self.options = options or _listen_options(name)

    @classmethod
    def of_api(cls, conf, name, count, inherited):
        """API ``name``'s Listener, for ``count`` processes; ``inherited``
        maps API names to systemd's sockets. ConfigError without a port."""
        port = conf["%s_listen_port" % name]
        if port is None and name not in inherited:
            raise minova_conf.ConfigError(
                "[DEFAULT] %s_listen_port is not set: %s has no default port "
                "(0 picks a free one)" % (name, name))
        return cls(name, conf["%s_listen" % name], port, count,
                   conf.wsgi.tcp_keepidle, inherited.get(name))

    def probe(self):
        """Raise ConfigError if the address cannot be bound now (in use,
        not local, not an address); systemd's socket is not probed.

        A bind without SO_REUSEPORT (with SO_REUSEADDR, so a recently
        stopped server's TIME_WAIT connections do not count) fails whenever
        anything listens there; it is closed at once, never listening, so
        no client connects to it. For several processes this is what keeps
        their SO_REUSEPORT sockets from joining, silently, a port another
        minova (or anything with SO_REUSEPORT) serves and taking a share of
        its clients: the error then says "by another process".
        """
        if self.inherited is None:
            in_use = " by another process" if self.count > 1 else ""
            _bound(self.host, self.port, self.options, reuse_port=False,
                   in_use=in_use).close()

    def bind(self):
        """The listening sockets: systemd's one, else one socket, or
        ``count`` SO_REUSEPORT sockets on the same address (the first may
        get port 0's random port, the others bind that port), once
        ``probe`` found no other process on it (again: it may have come
        since startup's check)."""
        if self.inherited is not None:
            return [self.inherited]
        port = self.port
        if self.count > 1 and port:
            self.probe()
        first = bind(self.name, self.host, port, self.keepidle,
                     reuse_port=self.count > 1, options=self.options)
        port = first.getsockname()[1]
        return [first] + [
            bind(self.name, self.host, port, self.keepidle, reuse_port=True,
                 options=self.options)
            for _ in range(self.count - 1)]

    def rebinder(self, sockets):
        """How a WorkerPool binds a slot's socket again, once it closed it
        while the slot waited to respawn (minova_tw.spawner); None when the
        slots share one socket (systemd's), which stays open."""
        if len(sockets) < 2:
            return None
        host, port = sockets[0].getsockname()[:2]
        return functools.partial(bind, self.name, host, port, self.keepidle,
                                 reuse_port=True, options=self.options)


class Adopted:
    """Sockets that already listen, as a Listener gives them: a worker's,
    which its parent bound, or a test's."""

    def __init__(self, *sockets):
        self.sockets = list(sockets)

    def bind(self):
        return self.sockets

    def rebinder(self, sockets):
        return None

"""systemd integration: the listening sockets it passes, and sd_notify.

Socket activation is automatic: when ``LISTEN_PID`` is this process's pid,
``listen_sockets`` hands each API the fd whose name (``LISTEN_FDNAMES``,
``FileDescriptorName=`` in the .socket unit) is the API's name, or, when
no fd is named after an API, the fds by index in ``enabled_apis`` order.
An API with no fd binds its own socket as usual. Twisted's ``ListenFDs``
reads the variables (it needs systemd >= 227, which always sets
``LISTEN_FDNAMES``). All workers of an API then share systemd's one socket,
so how connections spread over them is up to the kernel's accept queue.

``Notifier`` tells a ``Type=notify`` unit READY=1 once every API and
worker is ready, and STOPPING=1 when minova starts to stop: a datagram to
``$NOTIFY_SOCKET`` (a name starting with "@" is in the abstract namespace).
"""

import os
import socket

from twisted.application import service
from twisted.logger import Logger
from twisted.python.systemd import ListenFDs

from minova_tw import reactors

log = Logger(namespace="minova.systemd")


def listen_sockets(names, environ=None):
    """``{api name: socket}`` for the sockets systemd passed, if any."""
    fds = ListenFDs.fromEnvironment(environ)
    descriptors = fds.inheritedDescriptors()
    named = fds.inheritedNamedDescriptors()
    if any(name in named for name in names):
        chosen = {name: named[name] for name in names if name in named}
    else:
        chosen = dict(zip(names, descriptors))
    sockets = {}
    for name, fd in chosen.items():
        sock = socket.socket(fileno=fd)
        sock.setblocking(False)
        sockets[name] = sock
        log.info("{api} uses the socket systemd passed as fd {fd}", api=name,
                 fd=fd)
    return sockets


def notify(state, environ=None):
    """Send ``state`` (e.g. "READY=1") to systemd; False when not asked to."""
    address = (os.environ if environ is None else environ).get(
        "NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        try:
            sock.sendto(state.encode("ascii"), socket.MSG_DONTWAIT, address)
        except OSError as exc:
            log.warn("cannot tell systemd {state}: {error}", state=state,
                     error=exc)
            return False
    return True


class Notifier(service.Service):
    """READY=1 once ``launcher`` is ready, STOPPING=1 when it starts stopping.

    Add it to the launcher last, so that it is stopped first.
    """

    def __init__(self, launcher, reactor=None):
        self.launcher = launcher
        self.reactor = reactor

    def startService(self):
        super().startService()
        self.reactor = reactors.resolve(self.reactor)
        self.reactor.callWhenRunning(self._whenRunning)

    def _whenRunning(self):
        self.launcher.whenReady().addCallback(
            lambda _: self.running and notify("READY=1"))

    def stopService(self):
        super().stopService()
        notify("STOPPING=1")

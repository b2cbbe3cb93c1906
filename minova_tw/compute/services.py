"""os-services: the services of the fake hosts, and whether a host takes new servers.

Every fake host runs ``nova-compute``; the controller (compute-1) also
runs ``nova-conductor`` and ``nova-scheduler``. Which services exist
follows from ``[minova] fake_hosts``, so their names need no table: the
``services`` table holds only what an operator changed about one
(disabled and why, forced down, deleted), one row per host and binary,
written the first time it changes. Ids are derived, the same in every
worker and after every restart: the integer id (before 2.53) counts the
services in listing order (conductor 1, scheduler 2, compute-N N+2), the
UUID (2.53) is a name-based UUID of host and binary.

Fake services have no heartbeat: one is up unless forced down, and its
``updated_at`` is the moment of the request. A deleted service is gone
for good (no nova-compute comes back to register it again): it is not
listed, its host takes no servers and has no hypervisor. ``is_up``,
``is_enabled`` and ``usable_hosts`` are what the rest of the compute
layer asks; the scheduler places new servers only on usable hosts.
"""

import uuid

import sqlalchemy as sa

from minova_tw.compute import aggregates, base, exception, hosts
from minova_tw.db import locks, models

S = models.Service
I = models.Instance
COMPUTE = "nova-compute"
#: The control services, on the controller host, in nova's start order.
CONTROL = ("nova-conductor", "nova-scheduler")
#: The namespace of the services' name-based UUIDs.
NAMESPACE = uuid.UUID("0b6f3c44-5bd1-4c1e-9d8a-0a6de1f4c1a7")
RULE = "os_compute_api:os-services:%s"


class Service:
    """One service as the API shows it: who, where, and its state."""

    def __init__(self, number, host, binary, row, zone):
        self.id = number
        self.uuid = str(uuid.uuid5(NAMESPACE, "%s/%s" % (host, binary)))
        self.host = host
        self.binary = binary
        self.disabled = bool(row and row.disabled)
        self.disabled_reason = row.disabled_reason if row else None
        self.forced_down = bool(row and row.forced_down)
        self.zone = zone

    @property
    def up(self):
        return not self.forced_down


def _names(conf):
    """[(id, host, binary)] of every service the fleet has, in id order."""
    controller = hosts.controller(conf)
    named = [(controller, binary) for binary in CONTROL]
    named += [(host, COMPUTE) for host in hosts.names(conf)]
    return [(number, host, binary)
            for number, (host, binary) in enumerate(named, 1)]


def _rows(session, host=None):
    stmt = sa.select(S)
    if host is not None:
        stmt = stmt.where(S.host == host)
    return {(row.host, row.binary): row for row in session.scalars(stmt)}


def services(session, conf, host=None):
    """The fleet's services that are not deleted (only ``host``'s if
    given), in id order."""
    rows = _rows(session, host)
    zones = aggregates.host_zones(session, conf)
    found = []
    for number, name, binary in _names(conf):
        row = rows.get((name, binary))
        if (host is not None and name != host) or (row and row.deleted):
            continue
        zone = (zones[name] if binary == COMPUTE
                else conf.internal_service_availability_zone)
        found.append(Service(number, name, binary, row, zone))
    return found


def _compute(session, conf, host):
    for service in services(session, conf, host):
        if service.binary == COMPUTE:
            return service
    return None


def is_up(session, conf, host):
    """Whether ``host``'s nova-compute exists and is not forced down."""
    service = _compute(session, conf, host)
    return service is not None and service.up


def is_enabled(session, conf, host):
    """Whether ``host``'s nova-compute exists and is not disabled."""
    service = _compute(session, conf, host)
    return service is not None and not service.disabled


def usable_hosts(session, conf):
    """The compute hosts the scheduler may place new servers on (service
    there, enabled and up), in host order. Read from the services' rows
    alone: the scheduler asks on every create, and needs no zones."""
    rows = _rows(session)
    return [host for host in hosts.names(conf)
            if not _unusable(rows.get((host, COMPUTE)))]


def _unusable(row):
    """Whether an operator's change (``row``, None if none) keeps a
    nova-compute from taking new servers: deleted, disabled or down."""
    return row is not None and (row.deleted or row.disabled
                                or row.forced_down)


def _find(session, conf, service_id, by_uuid):
    for service in services(session, conf):
        if (service.uuid if by_uuid else str(service.id)) == service_id:
            return service
    raise exception.ServiceNotFound(service_id=service_id)


def _change(session, now, service, **changes):
    """Store ``changes`` to ``service``'s row, making the row first; the
    service's lock makes concurrent first changes one row."""
    locks.hold(session, locks.service(service.host, service.binary))
    row = session.scalars(sa.select(S).where(
        S.host == service.host, S.binary == service.binary)).one_or_none()
    if row is None:
        row = S(host=service.host, binary=service.binary, disabled=False,
                forced_down=False, deleted=False)
        session.add(row)
    for name, value in changes.items():
        setattr(row, name, value)
        if name != "deleted":
            setattr(service, name, value)
    row.updated_at = now
    session.flush()


class ServiceAPI(base.Service):

    @base.reader
    def list(self, session, now, context, host=None, binary=None):
        """The services, filtered by ``host`` and ``binary``; with the
        time they report at (``now``)."""
        context.can(RULE % "list", {})
        found = services(session, self.conf, host)
        if binary:
            found = [s for s in found if s.binary == binary]
        return found, now

    @base.writer
    def update(self, session, now, context, service_id, status=None,
               disabled_reason=None, forced_down=None):
        """2.53's PUT: change the service of UUID ``service_id``: status
        "enabled" or "disabled" (with an optional reason), and/or
        ``forced_down``; return it and ``now``."""
        context.can(RULE % "update", {})
        service = _find(session, self.conf, service_id, by_uuid=True)
        if service.binary != COMPUTE:
            raise exception.ServiceUpdateNotSupported(binary=service.binary)
        changes = {}
        if status == "enabled":
            if disabled_reason:
                raise exception.Invalid(
                    "Specifying 'disabled_reason' with status 'enabled' is "
                    "invalid.")
            changes.update(disabled=False, disabled_reason=None)
        elif status == "disabled":
            changes.update(disabled=True, disabled_reason=disabled_reason)
        if forced_down is not None:
            changes["forced_down"] = forced_down
        if not changes:
            raise exception.Invalid(
                "No updates were requested. Fields 'status' or "
                "'forced_down' should be specified.")
        _change(session, now, service, **changes)
        return service, now

    @base.writer
    def update_by_host(self, session, now, context, host, binary, **changes):
        """The PUTs before 2.53 (enable, disable, disable-log-reason,
        force-down): set ``changes`` (disabled, disabled_reason,
        forced_down) on the service ``binary`` of ``host``."""
        context.can(RULE % "update", {})
        if binary != COMPUTE:
            raise exception.ServiceUpdateNotSupported(binary=binary)
        service = _compute(session, self.conf, host)
        if service is None:
            raise exception.HostBinaryNotFound(host=host, binary=binary)
        _change(session, now, service, **changes)

    @base.writer
    def delete(self, session, now, context, service_id, by_uuid):
        """Delete a service by UUID (2.53) or integer id; a compute
        service with live servers on its host is 409, and a deleted one
        leaves its aggregates."""
        context.can(RULE % "delete", {})
        service = _find(session, self.conf, service_id, by_uuid)
        if service.binary == COMPUTE:
            locks.hold(session, locks.service(service.host, COMPUTE))
            hosting = session.scalar(
                sa.select(sa.func.count(I.id)).where(
                    I.deleted == 0, I.host == service.host))
            if hosting:
                raise exception.ServiceHostsInstances()
            aggregates.forget_host(session, service.host)
        _change(session, now, service, deleted=True)

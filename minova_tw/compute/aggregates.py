"""Host aggregates: named sets of fake hosts with metadata; the zone each host is in.

An aggregate's ``availability_zone`` metadata puts its hosts in that
zone; a host in no such aggregate is in ``default_availability_zone``.
``host_zones`` is what services, availability zones and the scheduler
read. As in nova, a host is in one zone at a time (adding it to an
aggregate of another zone, or giving an aggregate a zone its hosts'
other aggregates contradict, is refused), and a host with servers does
not change zone under them. Names are unique (the database holds it);
changes to one aggregate take its lock, so a host added twice at once is
added once.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception, hosts
from minova_tw.db import locks, models

A = models.Aggregate
AH = models.AggregateHost
AM = models.AggregateMetadata
I = models.Instance
S = models.Service
ZONE_KEY = "availability_zone"
RULE = "os_compute_api:os-aggregates:%s"
ADD, REMOVE, UPDATE, UPDATE_META = ("add host to", "remove host from",
                                    "update", "update metadata of")
_MOVE = ("The host cannot be %s the aggregate as the availability zone of "
         "the host would change from '%s' to '%s' but the host already has "
         "%d instance(s). Changing the AZ of an existing instance is not "
         "supported by this action. Move the instances away from this host "
         "then try again. If you need to move the instances between AZs "
         "then you can use shelve_offload and unshelve to achieve this.")


def host_zones(session, conf):
    """{host: its availability zone} for every fake host."""
    zones = dict.fromkeys(hosts.names(conf), conf.default_availability_zone)
    rows = session.execute(
        sa.select(AH.host, AM.value)
        .join(AM, AM.aggregate_id == AH.aggregate_id)
        .where(AM.key == ZONE_KEY))
    for host, zone in rows:
        if host in zones:
            zones[host] = zone
    return zones


def forget_host(session, host):
    """Take ``host`` out of every aggregate (its service was deleted)."""
    session.execute(sa.delete(AH).where(AH.host == host))


def _zones_of(session, host, but=None):
    """The zones of ``host``'s aggregates other than ``but``."""
    stmt = (sa.select(AM.value).join(AH, AH.aggregate_id == AM.aggregate_id)
            .where(AH.host == host, AM.key == ZONE_KEY))
    if but is not None:
        stmt = stmt.where(AM.aggregate_id != but)
    return set(session.scalars(stmt))


def _servers_on(session, host_names):
    return session.scalar(sa.select(sa.func.count(I.id)).where(
        I.deleted == 0, I.host.in_(list(host_names)))) if host_names else 0


def _get(session, aggregate_id, lock=False):
    try:
        number = int(aggregate_id)
    except (TypeError, ValueError):
        number = None
    if lock and number is not None:
        locks.hold(session, locks.aggregate(number))
    aggregate = (session.get(A, number, populate_existing=True)
                 if number is not None else None)
    if aggregate is None:
        raise exception.AggregateNotFound(aggregate_id=aggregate_id)
    return aggregate


def _check_zone(session, aggregate, metadata, host_names, action,
                check_servers):
    """nova's is_safe_to_update_az: a new zone must not be empty nor
    contradict another aggregate of these hosts, nor move servers."""
    if ZONE_KEY not in metadata:
        return
    zone = metadata[ZONE_KEY]
    if not zone:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=aggregate.id,
            reason="Aggregate %s does not support empty named availability "
                   "zone" % aggregate.name)
    conflicting = sorted({z for host in host_names
                          for z in _zones_of(session, host, aggregate.id)
                          if z != zone})
    if conflicting:
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=aggregate.id,
            reason="One or more hosts already in availability zone(s) %s"
                   % conflicting)
    if (check_servers and aggregate.meta.get(ZONE_KEY) != zone
            and _servers_on(session, host_names)):
        raise exception.InvalidAggregateAction(
            action=action, aggregate_id=aggregate.id,
            reason="One or more hosts contain instances in this zone")


def _set_metadata(session, aggregate, metadata):
    rows = {row.key: row for row in aggregate.metadata_rows}
    for key, value in metadata.items():
        if value is None:
            if key in rows:
                aggregate.metadata_rows.remove(rows[key])
        elif key in rows:
            rows[key].value = value
        else:
            aggregate.metadata_rows.append(AM(key=key, value=value))
    session.flush()


class AggregateAPI(base.Service):

    @base.reader
    def list(self, session, now, context):
        context.can(RULE % "index", {})
        return session.scalars(sa.select(A).order_by(A.id)).all()

    @base.reader
    def get(self, session, now, context, aggregate_id):
        context.can(RULE % "show", {})
        return _get(session, aggregate_id)

    @base.writer
    def create(self, session, now, context, name, zone=None):
        context.can(RULE % "create", {})
        if session.scalar(sa.select(A.id).where(A.name == name)):
            raise exception.AggregateNameExists(aggregate_name=name)
        aggregate = A(name=name, created_at=now, host_rows=[],
                      metadata_rows=[AM(key=ZONE_KEY, value=zone)]
                      if zone else [])
        session.add(aggregate)
        # A name taken at the same moment elsewhere is the unique
        # constraint's IntegrityError: db.run runs this again, and the
        # check above then sees it.
        session.flush()
        return aggregate

    @base.writer
    def update(self, session, now, context, aggregate_id, name=None,
               **zone):
        """Rename and/or (``availability_zone=``) rezone."""
        context.can(RULE % "update", {})
        aggregate = _get(session, aggregate_id, lock=True)
        if name is not None and name != aggregate.name:
            if session.scalar(sa.select(A.id).where(A.name == name)):
                raise exception.AggregateNameExists(aggregate_name=name)
            aggregate.name = name
        _check_zone(session, aggregate, zone, aggregate.hosts, UPDATE, True)
        _set_metadata(session, aggregate, zone)
        aggregate.updated_at = now
        session.flush()
        return aggregate

    @base.writer
    def set_metadata(self, session, now, context, aggregate_id, metadata):
        context.can(RULE % "set_metadata", {})
        aggregate = _get(session, aggregate_id, lock=True)
        _check_zone(session, aggregate, metadata, aggregate.hosts,
                    UPDATE_META, True)
        _set_metadata(session, aggregate, metadata)
        aggregate.updated_at = now
        return aggregate

    @base.writer
    def delete(self, session, now, context, aggregate_id):
        context.can(RULE % "delete", {})
        aggregate = _get(session, aggregate_id, lock=True)
        if aggregate.host_rows:
            raise exception.InvalidAggregateAction(
                action="remove host from", aggregate_id=aggregate_id,
                reason="Host aggregate is not empty")
        session.delete(aggregate)

    def _host_with_servers(self, session, host):
        """How many servers ``host`` runs; ComputeHostNotFound unless it
        is a fake host whose nova-compute was not deleted."""
        deleted = session.scalar(sa.select(S.id).where(
            S.host == host, S.binary == "nova-compute", S.deleted.is_(True)))
        if not hosts.exists(self.conf, host) or deleted:
            raise exception.ComputeHostNotFound(host=host)
        return _servers_on(session, [host])

    @base.writer
    def add_host(self, session, now, context, aggregate_id, host):
        context.can(RULE % "add_host", {})
        servers = self._host_with_servers(session, host)
        aggregate = _get(session, aggregate_id, lock=True)
        if host in aggregate.hosts:
            raise exception.AggregateHostExists(aggregate_id=aggregate.id,
                                                host=host)
        _check_zone(session, aggregate, aggregate.meta, [host], ADD, False)
        zone = aggregate.meta.get(ZONE_KEY)
        if servers and zone:
            old = _zones_of(session, host)
            old = sorted(old)[0] if old else None
            if old != zone:
                raise exception.InvalidAggregateAction(
                    action=ADD, aggregate_id=aggregate.id,
                    reason=_MOVE % ("added to", old, zone, servers))
        aggregate.host_rows.append(AH(host=host))
        session.flush()
        return aggregate

    @base.writer
    def remove_host(self, session, now, context, aggregate_id, host):
        context.can(RULE % "remove_host", {})
        servers = self._host_with_servers(session, host)
        aggregate = _get(session, aggregate_id, lock=True)
        rows = [row for row in aggregate.host_rows if row.host == host]
        if not rows:
            raise exception.AggregateHostNotFound(aggregate_id=aggregate.id,
                                                  host=host)
        zone = aggregate.meta.get(ZONE_KEY)
        if servers and zone:
            new = _zones_of(session, host, but=aggregate.id)
            new = sorted(new)[0] if new else None
            if new != zone:
                raise exception.InvalidAggregateAction(
                    action=REMOVE, aggregate_id=aggregate.id,
                    reason=_MOVE % ("removed from", zone, new, servers))
        aggregate.host_rows.remove(rows[0])
        session.flush()
        return aggregate

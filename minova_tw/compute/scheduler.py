"""Where new servers go: a fake host for each, as its server group's policy allows.

nova's scheduler filters hosts, then weighs the ones left. Here the
filters are the compute service (a host whose nova-compute is disabled,
forced down or deleted takes no new server: nova's ComputeFilter), the
requested availability zone (its aggregates' hosts), the
group's hard policy (affinity: the host its members are on, if they are
on one; anti-affinity: hosts with fewer than ``max_server_per_host``
of its members, 1 by default) and a requested host; the weighing is the
soft policies (soft-affinity: most members first, soft-anti-affinity:
fewest) and then ``hosts.pick``'s least-loaded rule. The servers of one
request are placed one after the other, each counting the ones before
it; when one of them has no host, none of them has (nova fails the whole
request with NoValidHost). The caller holds the group's lock, so
concurrent boots into one group see each other's members; the chosen
hosts' service locks keep a deleted service's host empty.
"""

import collections

import sqlalchemy as sa

from minova_tw.compute import aggregates, hosts, services
from minova_tw.db import locks, models, transitions

M = models.InstanceGroupMember
I = models.Instance

#: The fault a server gets when no host can take it (nova's NoValidHost).
NO_VALID_HOST = ("No valid host was found. There are not enough hosts "
                 "available.")


def no_valid_host_fault(created):
    """The fault (``Instance.fault``) of a server no host took, as of
    ``created``."""
    return {"code": 500, "message": NO_VALID_HOST,
            "details": "nova.exception.NoValidHost: %s" % NO_VALID_HOST,
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _member_hosts(session, group):
    """{host: how many of ``group``'s live members run there} (not those
    being offloaded)."""
    rows = session.execute(
        sa.select(I.host, sa.func.count(I.id)).join(M, M.instance_id == I.id)
        .where(M.group_id == group.id, I.deleted == 0, I.host.is_not(None),
               sa.not_(transitions.LEAVING_HOST))
        .group_by(I.host))
    return collections.Counter(dict(rows.all()))


def _allowed(group, candidates, members):
    if group is None:
        return candidates
    if group.policy == "affinity" and members:
        return [host for host in candidates if members[host]]
    if group.policy == "anti-affinity":
        most = group.rules.get("max_server_per_host", 1)
        return [host for host in candidates if members[host] < most]
    return candidates


def _preference(group, members):
    if group is None:
        return None
    if group.policy == "soft-affinity":
        return lambda host: -members[host]
    if group.policy == "soft-anti-affinity":
        return lambda host: members[host]
    return None


def _place(session, conf, count, group, candidates):
    load = hosts.server_counts(session, conf)
    members = (_member_hosts(session, group) if group is not None
               else collections.Counter())
    chosen = []
    for _ in range(count):
        host = hosts.pick(_allowed(group, candidates, members), load,
                          _preference(group, members))
        if host is None:
            return None
        chosen.append(host)
        load[host] += 1
        members[host] += 1
    return chosen


def _choose(session, conf, place):
    """``place(usable hosts)``'s hosts (None: they do not fit), their
    compute services locked until the transaction ends, so an admin
    deleting one waits and then sees the servers placed there (409); a
    host whose service went away meanwhile is left out and the servers
    placed again."""
    while True:
        chosen = place(services.usable_hosts(session, conf))
        if chosen is None:
            return None
        for host in sorted(set(chosen)):
            locks.hold(session, locks.service(host, services.COMPUTE))
        if set(chosen) <= set(services.usable_hosts(session, conf)):
            return chosen


def select_hosts(session, conf, count, group=None, requested_host=None,
                 zone=None):
    """A host for each of ``count`` new servers, in launch order, or None
    when they do not all fit. ``group`` is the (locked) server group they
    join; ``requested_host`` the one host they must run on; ``zone`` the
    availability zone they must run in."""
    in_zone = _in_zone(session, conf, zone)
    return _choose(session, conf, lambda usable: _place(
        session, conf, count, group,
        [host for host in usable if requested_host in (None, host)
         and in_zone(host)]))


def _in_zone(session, conf, zone):
    """A test of a host: is it in availability zone ``zone`` (every host
    is when ``zone`` is None, and then no zone is read)."""
    if zone is None:
        return lambda host: True
    zones = aggregates.host_zones(session, conf)
    return lambda host: zones[host] == zone


def select_destination(session, conf, instance, group=None,
                       requested_host=None):
    """The host ``instance`` moves to (``requested_host``, or the one a
    boot would take, other than its own), or None when none may take it.
    ``group`` is its (locked) server group: an affinity member has
    nowhere to go, an anti-affinity one only where no other member runs.
    A server pinned to an availability zone (booted into one, or
    unshelved into one) stays in it, as nova's request spec keeps it."""
    in_zone = _in_zone(session, conf, instance.pinned_availability_zone)
    chosen = _choose(session, conf, lambda usable: _place(
        session, conf, 1, group,
        [host for host in usable if host != instance.host
         and requested_host in (None, host) and in_zone(host)]))
    return chosen and chosen[0]


def move(session, conf, instance, host):
    """Put ``instance`` on ``host``, and in that host's availability zone
    (nova's conductor gives a moved or unshelved server its destination's
    zone)."""
    instance.host = host
    instance.availability_zone = aggregates.host_zones(session, conf).get(
        host, conf.default_availability_zone)

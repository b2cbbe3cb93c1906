"""Host aggregates: named sets of fake hosts with metadata; the zone each host is in.

An aggregate's ``availability_zone`` metadata puts its hosts in that
zone; a host in no such aggregate is in ``default_availability_zone``.
``host_zones`` is what services, availability zones and the scheduler
read.
"""

import sqlalchemy as sa

from minova_tw.compute import hosts
from minova_tw.db import models

A = models.Aggregate
AH = models.AggregateHost
AM = models.AggregateMetadata
ZONE_KEY = "availability_zone"


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

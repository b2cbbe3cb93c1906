"""os-hypervisors: one fake hypervisor per fake host, its resources used by the servers on it.

A host's hypervisor (nova's compute node) has the host's name as its
``hypervisor_hostname``, the host's number as its integer id and a
name-based UUID (2.53), so every worker names it the same way; it exists
while the host's nova-compute service does (a deleted service takes its
node along, as in nova). Its totals are the constants below, the same for
every host (a fake host has no hardware to measure); what is used is
summed from the flavors of the live servers on the host, so the numbers
move with every boot and delete. Nothing stops a host from being
over-committed: free RAM and disk then go negative, as nova reports them.
"""

import uuid

import sqlalchemy as sa

from minova_tw.compute import base, exception, services
from minova_tw.db import models, transitions

I = models.Instance
RULE = "os_compute_api:os-hypervisors:%s"
#: What each fake hypervisor has: 64 vCPUs, 256 GiB of RAM, 2 TB of disk.
VCPUS = 64
MEMORY_MB = 262144
LOCAL_GB = 2048
HYPERVISOR_TYPE = "fake"
HYPERVISOR_VERSION = 1000
CPU_INFO = {"arch": "x86_64", "model": "fake", "vendor": "minova",
            "topology": {"sockets": 1, "cores": VCPUS, "threads": 1},
            "features": []}
#: The namespace of the hypervisors' name-based UUIDs.
NAMESPACE = uuid.UUID("5d0e37a3-3f5c-4a39-8f0e-6fb1d3f5b1c2")


class Hypervisor:
    """A fake host's compute node, its service and its servers' sums."""

    def __init__(self, service, used, servers):
        self.host = service.host
        self.service = service
        self.id = int(service.host.rpartition("-")[2])
        self.uuid = str(uuid.uuid5(NAMESPACE, service.host))
        self.hypervisor_hostname = service.host
        self.host_ip = "192.0.2.%d" % self.id
        self.vcpus, self.memory_mb, self.local_gb = VCPUS, MEMORY_MB, LOCAL_GB
        (self.running_vms, self.vcpus_used, self.memory_mb_used,
         self.local_gb_used, self.current_workload) = used
        self.free_ram_mb = self.memory_mb - self.memory_mb_used
        self.free_disk_gb = self.local_gb - self.local_gb_used
        self.disk_available_least = self.free_disk_gb
        #: [(name, uuid)] of its live servers, when asked for.
        self.servers = servers


def _usage(session, now):
    """{host: (servers, vcpus, memory_mb, local_gb, busy servers)} of the
    live servers; a server is busy while it has a task (at ``now``)."""
    rows = session.execute(
        sa.select(I.host, sa.func.count(I.id), sa.func.sum(I.vcpus),
                  sa.func.sum(I.memory_mb),
                  sa.func.sum(I.root_gb + I.ephemeral_gb),
                  sa.func.count(transitions.EFFECTIVE["task_state"]))
        .select_from(transitions.JOINED)
        .where(I.deleted == 0, I.host.is_not(None)).group_by(I.host),
        {"now": now})
    return {host: tuple(int(value or 0) for value in values)
            for host, *values in rows}


def _servers(session, host):
    return session.execute(
        sa.select(I.name, I.uuid).where(I.deleted == 0, I.host == host)
        .order_by(I.id)).all()


def hypervisors(session, now, conf, with_servers=False):
    """Every fake host's hypervisor whose compute service exists, in id
    order, as it is at ``now``."""
    usage = _usage(session, now)
    return [Hypervisor(service, usage.get(service.host, (0,) * 5),
                       _servers(session, service.host) if with_servers
                       else None)
            for service in services.services(session, conf)
            if service.binary == services.COMPUTE]


def uptime(now):
    """A fake host's uptime line, as libvirt's hosts answer `uptime`."""
    return (" %s up 1 day,  0:00,  0 users,  load average: 0.00, 0.00, "
            "0.00" % now.strftime("%H:%M:%S"))


class HypervisorAPI(base.Service):

    @base.reader
    def list(self, session, now, context, rule="list", pattern=None,
             with_servers=False):
        """The hypervisors (those whose hostname contains ``pattern``, if
        given, 404 when none does), after the policy ``rule``; and ``now``
        (their uptime's clock)."""
        context.can(RULE % rule, {})
        found = hypervisors(session, now, self.conf, with_servers)
        if pattern is not None:
            found = [h for h in found if pattern in h.hypervisor_hostname]
            if not found:
                raise exception.NotFound(
                    "No hypervisor matching '%s' could be found." % pattern)
        return found, now

    @base.reader
    def statistics(self, session, now, context):
        """The hypervisors' sums (os-hypervisors/statistics, until 2.87)."""
        context.can(RULE % "statistics", {})
        found = hypervisors(session, now, self.conf)
        fields = ("vcpus", "memory_mb", "local_gb", "vcpus_used",
                  "memory_mb_used", "local_gb_used", "free_ram_mb",
                  "free_disk_gb", "current_workload", "running_vms",
                  "disk_available_least")
        stats = {field: sum(getattr(h, field) for h in found)
                 for field in fields}
        stats["count"] = len(found)
        return stats

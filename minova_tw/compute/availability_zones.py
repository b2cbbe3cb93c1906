"""Availability zones: minova's fake compute hosts in ``default_availability_zone``.

The internal zone (``internal_service_availability_zone``) holds the control
services, on the controller host; like nova, only the detailed (admin)
listing shows it.
"""

from minova_tw.compute import base, hosts

COMPUTE_SERVICES = ("nova-compute",)
INTERNAL_SERVICES = ("nova-conductor", "nova-scheduler")


class AvailabilityZoneAPI(base.Service):

    def list(self, context, detail=False):
        """os-availability-zone's availabilityZoneInfo: [{zoneName,
        zoneState, hosts}] (``hosts`` None unless ``detail``; admin only)."""
        context.can("os_compute_api:os-availability-zone:list")
        if not detail:
            return [self._zone(self.conf.default_availability_zone, None)]
        base.require_admin(context,
                           "os_compute_api:os-availability-zone:detail")
        now = self.clock()
        return [
            self._zone(self.conf.default_availability_zone,
                       self._hosts(hosts.names(self.conf),
                                   COMPUTE_SERVICES, now)),
            self._zone(self.conf.internal_service_availability_zone,
                       self._hosts([hosts.controller(self.conf)],
                                   INTERNAL_SERVICES, now)),
        ]

    @staticmethod
    def _zone(name, hosts):
        return {"zoneName": name, "zoneState": {"available": True},
                "hosts": hosts}

    @staticmethod
    def _hosts(names, binaries, now):
        return {name: {binary: {"available": True, "active": True,
                                "updated_at": now}
                       for binary in binaries}
                for name in names}

"""Availability zones: minova's one compute host in ``default_availability_zone``.

The internal zone (``internal_service_availability_zone``) holds the control
services; like nova, only the detailed (admin) listing shows it.
"""

from minova_tw.compute import base

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
                       self._hosts(COMPUTE_SERVICES, now)),
            self._zone(self.conf.internal_service_availability_zone,
                       self._hosts(INTERNAL_SERVICES, now)),
        ]

    @staticmethod
    def _zone(name, hosts):
        return {"zoneName": name, "zoneState": {"available": True},
                "hosts": hosts}

    def _hosts(self, binaries, now):
        return {self.conf.minova.compute_host: {
            binary: {"available": True, "active": True, "updated_at": now}
            for binary in binaries}}

"""Availability zones: the fake hosts' zones (their aggregates' ``availability_zone``, else ``default_availability_zone``).

A zone is listed when a compute service is in it (available while one of
them is enabled, as nova lists it). The internal zone
(``internal_service_availability_zone``) holds the control services, on
the controller host; like nova, only the detailed (admin) listing shows
it, with each service's state: ``available`` when up, ``active`` when
enabled.
"""

from minova_tw.compute import base, services

INTERNAL_SERVICES = ("nova-conductor", "nova-scheduler")


class AvailabilityZoneAPI(base.Service):

    @base.reader
    def list(self, session, now, context, detail=False):
        """os-availability-zone's availabilityZoneInfo: [{zoneName,
        zoneState, hosts}] (``hosts`` None unless ``detail``; admin only)."""
        context.can("os_compute_api:os-availability-zone:list")
        if detail:
            base.require_admin(context,
                               "os_compute_api:os-availability-zone:detail")
        zones = {}
        for service in services.services(session, self.conf):
            zone = zones.setdefault(service.zone, {"available": False,
                                                   "hosts": {}})
            if service.binary == services.COMPUTE and not service.disabled:
                zone["available"] = True
            zone["hosts"].setdefault(service.host, {})[service.binary] = {
                "available": service.up, "active": not service.disabled,
                "updated_at": now}
        internal = self.conf.internal_service_availability_zone
        if internal in zones:
            zones[internal]["available"] = True
        return [{"zoneName": name,
                 "zoneState": {"available": zone["available"]},
                 "hosts": zone["hosts"] if detail else None}
                for name, zone in sorted(zones.items(),
                                         key=lambda item: item[0] == internal)
                if detail or name != internal]

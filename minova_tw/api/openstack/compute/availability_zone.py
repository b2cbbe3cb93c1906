"""/os-availability-zone: the zones servers can be placed in; ``detail`` (admin) adds hosts.

The internal zone of the control services shows only in the detail
listing, as in nova.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import api as compute


def _hosts(hosts):
    """The detail's ``hosts``, service times as nova writes them."""
    if hosts is None:
        return None
    return {host: {binary: dict(state,
                                updated_at=common.naive_isotime(
                                    state["updated_at"]))
                   for binary, state in services.items()}
            for host, services in hosts.items()}


class AvailabilityZoneController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _zones(self, req, detail):
        zones = self.compute_api.availability_zones.list(
            req.environ["nova.context"], detail=detail)
        return {"availabilityZoneInfo": [
            dict(zone, hosts=_hosts(zone["hosts"])) for zone in zones]}

    @wsgi.expected_errors(())
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req):
        return self._zones(req, detail=False)

    @wsgi.expected_errors(())
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def detail(self, req):
        return self._zones(req, detail=True)

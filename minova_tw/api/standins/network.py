"""The network stand-in: neutron v2.0's read of a port or a network, for the CLI's port lookups.

The mini nova has no network service: its servers' ports are on one network
(``compute.network``), and any UUID is a port a server may attach
(``os-interface``). ``openstack server add port`` and ``server remove
port`` look the port up in neutron first; this app answers them at
``/network``:

- ``GET /network``: the versions document (v2.0).
- ``GET /network/v2.0/ports/<id>``: any UUID as a port on the one network,
  ``ACTIVE`` with its server, address and MAC while a server has it, else
  ``DOWN`` and unbound.
- ``GET /network/v2.0/networks/<id>``: the one network, by its uuid.

Everything else is 404. Nothing is stored or created here.
"""

import webob.dec

from minova_tw.api import standins, validation
from minova_tw.compute import api as compute
from minova_tw.compute import network

PORTS = "/v2.0/ports/"
NETWORKS = "/v2.0/networks/"


def _not_found(kind, identifier):
    """neutron's 404 body."""
    return standins.json_response({"NeutronError": {
        "type": "%sNotFound" % kind, "detail": "",
        "message": "%s %s could not be found." % (kind, identifier)}},
        status=404)


class NetworkStandIn:
    """The WSGI app mounted at ``/network``."""

    def __init__(self, conf):
        self.conf = conf
        self.interfaces = compute.API(conf).interfaces
        self.network_id = network.network_id(conf)
        self.subnet_id = network.subnet_id(conf)

    def network(self):
        """neutron's document of the one network."""
        return {"id": self.network_id, "name": self.conf.minova.network_label,
                "status": "ACTIVE", "admin_state_up": True, "shared": True,
                "subnets": [self.subnet_id], "router:external": False,
                "mtu": 1500, "tenant_id": "", "project_id": ""}

    def port(self, port_id):
        """neutron's document of the port ``port_id``, bound or not."""
        found = self.interfaces.find_port(port_id)
        port = {"id": port_id, "name": "", "network_id": self.network_id,
                "admin_state_up": True, "status": "DOWN", "device_id": "",
                "device_owner": "", "mac_address": "", "fixed_ips": [],
                "tenant_id": "", "project_id": ""}
        if found is not None:
            port.update(
                status="ACTIVE", device_id=found.uuid,
                device_owner="compute:nova", mac_address=found.mac_address,
                fixed_ips=[{"subnet_id": self.subnet_id,
                            "ip_address": found.address}],
                tenant_id=found.project_id, project_id=found.project_id)
        return port

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        if req.method == "GET":
            if path == "":
                return standins.json_response({"versions": [{
                    "id": "v2.0", "status": "CURRENT",
                    "links": [{"rel": "self",
                               "href": req.application_url + "/v2.0/"}]}]})
            if path.startswith(PORTS):
                port_id = path[len(PORTS):]
                if validation.is_uuid(port_id):
                    return standins.json_response({"port": self.port(port_id)})
                return _not_found("Port", port_id)
            if path.startswith(NETWORKS):
                network_id = path[len(NETWORKS):]
                if network_id == self.network_id:
                    return standins.json_response({"network": self.network()})
                return _not_found("Network", network_id)
        return standins.error_response(
            404, "Not Found", "The network stand-in serves only GET of "
            "/v2.0/ports/<id> and /v2.0/networks/<id>.")


factory = standins.standin_factory(NetworkStandIn, with_conf=True)

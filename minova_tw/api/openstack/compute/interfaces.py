"""/servers/{server_id}/os-interface: a server's ports, attached and detached.

Each port is on minova's one network (``compute.network``): attaching one
by its uuid (any uuid the client names) or by the network's uuid, with
the address wanted or not, gives it a new address and MAC and answers
with the port as show does (200); detaching answers 202 and releases the
address. ``tag`` is taken from 2.49 and shown from 2.70. A port the server
does not have is 404, a port another server has 409, a server locked or in
the wrong state 409, with nova's messages.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import interfaces as schema
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import api as compute
from minova_tw.compute import exception, network

#: What neutron says of a port bound to a running server.
PORT_STATE = "ACTIVE"


class InterfaceAttachmentController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)
        self.net_id = network.network_id(conf)
        self.subnet_id = network.subnet_id(conf)

    def _view(self, req, port):
        info = {"net_id": self.net_id, "port_id": port.port_id,
                "mac_addr": port.mac_address, "port_state": PORT_STATE,
                "fixed_ips": [{"ip_address": port.address,
                               "subnet_id": self.subnet_id}]}
        if api_version.is_supported(req, "2.70"):
            info["tag"] = port.tag
        return info

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        ports = self.compute_api.interfaces.list(req.environ["nova.context"],
                                                 server_id)
        return {"interfaceAttachments": [self._view(req, port)
                                         for port in ports]}

    @wsgi.expected_errors((403, 404))
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        port = self.compute_api.interfaces.get(req.environ["nova.context"],
                                               server_id, id)
        return {"interfaceAttachment": self._view(req, port)}

    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    @validation.schema(schema.create_v249, "2.49")
    @validation.schema(schema.create, "2.1", "2.48")
    def create(self, req, server_id, body):
        attachment = (body or {}).get("interfaceAttachment") or {}
        network_id = attachment.get("net_id")
        port_id = attachment.get("port_id")
        fixed_ips = attachment.get("fixed_ips")
        fixed_ip = fixed_ips[0]["ip_address"] if fixed_ips else None
        if network_id and port_id:
            raise webob.exc.HTTPBadRequest(
                explanation="Must not input both network_id and port_id")
        if fixed_ip and not network_id:
            raise webob.exc.HTTPBadRequest(
                explanation="Must input network_id when request IP address")
        try:
            port = self.compute_api.interfaces.attach(
                req.environ["nova.context"], server_id,
                network_id=network_id, port_id=port_id, fixed_ip=fixed_ip,
                tag=attachment.get("tag"))
        except exception.FixedIpAlreadyInUse as exc:
            raise webob.exc.HTTPConflict(
                explanation=exc.format_message()) from None
        except exception.NoMoreFixedIps as exc:
            raise webob.exc.HTTPBadRequest(
                explanation=exc.format_message()) from None
        return {"interfaceAttachment": self._view(req, port)}

    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    def delete(self, req, server_id, id):
        self.compute_api.interfaces.detach(req.environ["nova.context"],
                                           server_id, id)

"""The evacuate server action (admin): rebuild a server of a host whose nova-compute is down on another host.

nova refuses it (400) while the server's host's compute service is up,
so an operator first forces it down (``os-services``). The answer is 200,
not 202 (nova kept its first code); before 2.14 it carries the new
``adminPass`` ([api] enable_instance_password), from 2.14 nothing.
``onSharedStorage`` is required before 2.14 and refuses an adminPass;
``force`` (2.29-2.67) needs a host. From 2.95 the server arrives
stopped. Served on ``/servers/{id}/action`` (routes'
``ACTION_CONTROLLERS``).
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import migrate_server
from minova_tw.api.openstack.compute.schemas import evacuate as schema
from minova_tw.compute import api as compute
from minova_tw.compute import servers as compute_servers


class EvacuateController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.server_actions = compute.API(conf).server_actions

    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("evacuate")
    @common.compute_errors
    @validation.schema(schema.evacuate_v268, "2.68")
    @validation.schema(schema.evacuate_v229, "2.29", "2.67")
    @validation.schema(schema.evacuate_v214, "2.14", "2.28")
    @validation.schema(schema.evacuate, "2.1", "2.13")
    def _evacuate(self, req, id, body):
        params = body["evacuate"]
        host = params.get("host")
        v214 = api_version.is_supported(req, "2.14")
        if api_version.is_supported(req, "2.29"):
            migrate_server.check_force(params, host)
        shared = not v214 and common.parse_bool(params["onSharedStorage"])
        if shared and "adminPass" in params:
            raise webob.exc.HTTPBadRequest(
                explanation="admin password can't be changed on existing "
                "disk")
        self.server_actions.evacuate(
            req.environ["nova.context"], id, host,
            stop=api_version.is_supported(req, "2.95"))
        if v214 or not self.conf.api.enable_instance_password:
            return None
        if shared:
            return {"adminPass": None}
        return {"adminPass": params.get("adminPass")
                or compute_servers.generate_password()}

"""``/servers/{server_id}/os-server-password``: the password the guest posted to the metadata service.

GET answers ``{"password": "<encrypted, or empty>"}``; DELETE forgets it
(204), so the guest may post a new one. Both 404 for a server the caller
cannot see.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import api as compute


class ServerPasswordController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.passwords = compute.API(conf).server_password

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        return {"password": self.passwords.show(req.environ["nova.context"],
                                                server_id)}

    @wsgi.response(204)
    @wsgi.expected_errors(404)
    @common.compute_errors
    def clear(self, req, server_id):
        self.passwords.clear(req.environ["nova.context"], server_id)

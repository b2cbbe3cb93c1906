"""``GET /os-console-auth-tokens/{id}``: what a console token opens, for an admin.

A console proxy would ask this with the token from the URL a console
request handed out: the server and the console's endpoint. Before 2.31
nova served it only for RDP consoles, which are gone, so it answers 400
there; from 2.99 a ``spice-direct`` console also shows its ``tls_port``.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import (
    console_auth_tokens as schema)
from minova_tw.compute import api as compute


class ConsoleAuthTokensController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.query_schema(schema.show_query, "2.1", "2.98")
    @validation.query_schema(schema.show_query_v299, "2.99")
    def show(self, req, id):
        if not api_version.is_supported(req, "2.31"):
            raise webob.exc.HTTPBadRequest()
        token = self.compute_api.consoles.lookup(
            req.environ["nova.context"], id)
        console = {"instance_uuid": token.instance_uuid, "host": token.host,
                   "port": token.port,
                   "internal_access_path": token.internal_access_path}
        if (token.console_type == "spice-direct"
                and api_version.is_supported(req, "2.99")):
            console["tls_port"] = token.tls_port
        return {"console": console}

"""/servers/{server_id}/ips: a server's addresses, all or one network's.

The same addresses as the server's ``addresses`` field, without the IP type
and MAC extensions: ``{"addresses": {network: [{"version", "addr"}]}}`` for
the collection, ``{network: [...]}`` for one network; a network the server
is not on is 404.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.views import servers as views
from minova_tw.compute import api as compute


class IPsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _addresses(self, req, server_id, action):
        instance = self.compute_api.servers.get(
            req.environ["nova.context"], server_id,
            rule="os_compute_api:ips:" + action)
        return views.addresses(instance, extended=False)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        return {"addresses": self._addresses(req, server_id, "index")}

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        addresses = self._addresses(req, server_id, "show")
        if id not in addresses:
            raise webob.exc.HTTPNotFound(
                explanation="Instance is not a member of specified network")
        return {id: addresses[id]}

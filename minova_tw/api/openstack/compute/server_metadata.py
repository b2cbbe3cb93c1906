"""/servers/{server_id}/metadata: a server's user metadata, whole or by key.

POST merges, PUT on the collection replaces everything, PUT on a key sets
that one key (the body's one key must be the URL's). More items than
``[quota] metadata_items`` is 403; a server in a state that forbids
changes (building, rescued, ...) or locked is 409.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import server_metadata as schema
from minova_tw.compute import api as compute


class ServerMetadataController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _update(self, req, server_id, metadata, replace, rule=None):
        return self.compute_api.servers.update_metadata(
            req.environ["nova.context"], server_id, metadata,
            replace=replace, rule=rule)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        return {"metadata": self.compute_api.servers.get_metadata(
            req.environ["nova.context"], server_id)}

    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    @validation.schema(schema.create)
    def create(self, req, server_id, body):
        return {"metadata": self._update(req, server_id, body["metadata"],
                                         replace=False)}

    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update_all)
    def update_all(self, req, server_id, body):
        return {"metadata": self._update(req, server_id, body["metadata"],
                                         replace=True)}

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        value = self.compute_api.servers.get_metadata_item(
            req.environ["nova.context"], server_id, id)
        return {"meta": {id: value}}

    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update)
    def update(self, req, server_id, id, body):
        meta = body["meta"]
        if id not in meta:
            raise webob.exc.HTTPBadRequest(
                explanation="Request body and URI mismatch")
        self._update(req, server_id, meta, replace=False,
                     rule="os_compute_api:server-metadata:update")
        return {"meta": meta}

    @wsgi.response(204)
    @wsgi.expected_errors((404, 409))
    @common.compute_errors
    def delete(self, req, server_id, id):
        self.compute_api.servers.delete_metadata_item(
            req.environ["nova.context"], server_id, id)

"""/servers/{server_id}/tags (2.26): a server's tags, whole or one at a time.

GET lists them, PUT replaces them all, DELETE removes them all; on
``/tags/{tag}`` GET answers 204 when the server has the tag (404 if not),
PUT adds it (201 with its Location, or 204 when it was there already),
DELETE removes it. A server has at most 50 tags of 1-60 characters without
``/`` or ``,`` (400); changing them while the server is building, rescued,
resizing and the like is 409, as in nova.
"""

import jsonschema
import webob
import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import server_tags as schema
from minova_tw.compute import api as compute


def _check_tag(tag):
    """nova's 400 for a tag in the URL that its tag schema refuses."""
    try:
        jsonschema.validate(tag, pt.tag)
    except jsonschema.ValidationError as error:
        raise webob.exc.HTTPBadRequest(explanation=(
            "Tag '%s' is invalid. It must be a non empty string without "
            "characters '/' and ','. Validation error message: %s"
            % (tag, error.message))) from None


class ServerTagsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.tags = compute.API(conf).server_tags

    @wsgi.api_version("2.26")
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        return {"tags": self.tags.list(req.environ["nova.context"],
                                       server_id)}

    @wsgi.api_version("2.26")
    @wsgi.response(204)
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        if not self.tags.exists(req.environ["nova.context"], server_id, id):
            raise webob.exc.HTTPNotFound(
                explanation="Server %s has no tag '%s'" % (server_id, id))

    @wsgi.api_version("2.26")
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update)
    def update(self, req, server_id, id, body=None):
        _check_tag(id)
        if not self.tags.add(req.environ["nova.context"], server_id, id):
            return webob.Response(status_int=204)
        location = "%s/tags/%s" % (
            common.Links(self.conf, req).href("servers", server_id), id)
        return wsgi.ResponseObject(None, code=201,
                                   headers={"Location": location})

    @wsgi.api_version("2.26")
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update_all)
    def update_all(self, req, server_id, body):
        return {"tags": self.tags.replace(req.environ["nova.context"],
                                          server_id, body["tags"])}

    @wsgi.api_version("2.26")
    @wsgi.response(204)
    @wsgi.expected_errors((404, 409))
    @common.compute_errors
    def delete(self, req, server_id, id):
        self.tags.delete(req.environ["nova.context"], server_id, id)

    @wsgi.api_version("2.26")
    @wsgi.response(204)
    @wsgi.expected_errors((404, 409))
    @common.compute_errors
    def delete_all(self, req, server_id):
        self.tags.delete_all(req.environ["nova.context"], server_id)

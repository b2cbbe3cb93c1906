"""/os-keypairs: import or generate, list, show and delete a user's key pairs.

Each user sees their own key pairs; an admin may name another user
(``user_id``, 2.10). 2.2 adds ``type`` (ssh or x509) and moves create to
201 and delete to 204; 2.35 pages the listing by name; from 2.92 a public
key must be given (nova no longer generates one) and names may hold "@"
and ".".
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import keypairs as schema
from minova_tw.compute import api as compute


def _user_id(req):
    """The ``user_id`` query parameter (2.10), None otherwise."""
    if api_version.is_supported(req, "2.10"):
        return req.GET.get("user_id")
    return None


def _view(keypair, typed, fields=()):
    """A key pair as the API shows it; ``typed`` (2.2) adds its type."""
    view = {"name": keypair.name, "public_key": keypair.public_key,
            "fingerprint": keypair.fingerprint}
    for field in fields:
        view[field] = getattr(keypair, field)
    if typed:
        view["type"] = keypair.type
    return view


class KeypairController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors((400, 403, 409))
    @common.compute_errors
    @validation.schema(schema.create_v292, "2.92")
    @validation.schema(schema.create_v210, "2.10", "2.91")
    @validation.schema(schema.create_v22, "2.2", "2.9")
    @validation.schema(schema.create, "2.1", "2.1")
    def create(self, req, body):
        """Import or generate; 200 before 2.2, 201 from it. The schema has
        let in only the fields of the request's version."""
        ctx = req.environ["nova.context"]
        params = body["keypair"]
        keypair, private_key = self.compute_api.keypairs.create(
            ctx, params["name"], public_key=params.get("public_key"),
            key_type=params.get("type", "ssh"),
            user_id=params.get("user_id"))
        view = _view(keypair, api_version.is_supported(req, "2.2"),
                     ("user_id",))
        if private_key is not None:
            view["private_key"] = private_key
        return wsgi.ResponseObject(
            {"keypair": view},
            code=201 if api_version.is_supported(req, "2.2") else 200)

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.index_query_v275, "2.75")
    @validation.query_schema(schema.index_query_v235, "2.35", "2.74")
    @validation.query_schema(schema.index_query_v210, "2.10", "2.34")
    @validation.query_schema(schema.index_query, "2.1", "2.9")
    def index(self, req):
        # Before the cache, whose hits run no check.
        ctx = req.environ["nova.context"]
        ctx.can("os_compute_api:os-keypairs:index",
                {"user_id": _user_id(req) or ctx.user_id})
        return common.cached_json(self.compute_api.keypairs.views, req,
                                  lambda: self._index(req))

    def _index(self, req):
        ctx = req.environ["nova.context"]
        limit = marker = None
        if api_version.is_supported(req, "2.35"):
            limit, marker = common.get_pagination_params(req)
        keypairs = self.compute_api.keypairs.list(
            ctx, user_id=_user_id(req), limit=limit, marker=marker)
        typed = api_version.is_supported(req, "2.2")
        body = {"keypairs": [{"keypair": _view(keypair, typed)}
                             for keypair in keypairs]}
        if api_version.is_supported(req, "2.35"):
            links = common.collection_links(
                self.conf, req, [k["keypair"] for k in body["keypairs"]],
                "os-keypairs", "name")
            if links:
                body["keypairs_links"] = links
        return body

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.show_query_v275, "2.75")
    @validation.query_schema(schema.show_query_v210, "2.10", "2.74")
    @validation.query_schema(schema.show_query, "2.1", "2.9")
    def show(self, req, id):
        ctx = req.environ["nova.context"]
        keypair = self.compute_api.keypairs.get(ctx, id,
                                                user_id=_user_id(req))
        view = _view(keypair, api_version.is_supported(req, "2.2"),
                     ("user_id", "id"))
        view.update(created_at=common.naive_isotime(keypair.created_at),
                    updated_at=common.naive_isotime(keypair.updated_at),
                    deleted=False, deleted_at=None)
        return {"keypair": view}

    @wsgi.api_version("2.1", "2.1")
    @wsgi.response(202)
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.show_query)
    def delete(self, req, id):
        self.compute_api.keypairs.delete(req.environ["nova.context"], id)

    @delete.api_version("2.2")
    @wsgi.response(204)
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.show_query_v275, "2.75")
    @validation.query_schema(schema.show_query_v210, "2.10", "2.74")
    @validation.query_schema(schema.show_query, "2.1", "2.9")
    def delete(self, req, id):  # noqa: F811
        self.compute_api.keypairs.delete(req.environ["nova.context"], id,
                                         user_id=_user_id(req))

"""/flavors: list, detail and show for everyone; create, update and delete for admins.

A non-admin sees public flavors and the private ones shared with their
project; an admin picks with ``is_public`` (true, false or none). Paging is
by flavor id (``marker``) under ``[api] max_limit``.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import flavors as schema
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.views import flavors as views
from minova_tw.compute import api as compute

_NONE_STRINGS = ("none",)


def _int_filter(req, name):
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation="Invalid %s filter [%s]" % (name, value)) from None


def _is_public(req):
    """An admin's ``is_public`` filter: True by default, None for "none"."""
    value = req.GET.get("is_public")
    if value is None:
        return True
    if value.lower() in _NONE_STRINGS:
        return None
    lowered = value.strip().lower()
    if lowered in ("1", "t", "true", "on", "y", "yes"):
        return True
    if lowered in ("0", "f", "false", "off", "n", "no"):
        return False
    raise webob.exc.HTTPBadRequest(
        explanation="Invalid is_public filter [%s]" % value)


class FlavorsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _list(self, req):
        ctx = req.environ["nova.context"]
        limit, marker = common.get_pagination_params(req)
        kwargs = dict(
            min_ram=_int_filter(req, "minRam"),
            min_disk=_int_filter(req, "minDisk"),
            name=req.GET.get("name"),
            sort_key=req.GET.get("sort_key", "flavorid"),
            sort_dir=req.GET.get("sort_dir", "asc"),
            limit=limit, marker=marker,
            is_public=_is_public(req) if ctx.is_admin else True)
        return self.compute_api.flavors.list(ctx, **kwargs)

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.index_query_v2102, "2.102")
    @validation.query_schema(schema.index_query_v275, "2.75", "2.101")
    @validation.query_schema(schema.index_query, "2.1", "2.74")
    def index(self, req):
        return common.cached_json(
            self.compute_api.flavors.views, req,
            lambda: views.ViewBuilder(self.conf, req).index(self._list(req)),
            "index")

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.index_query_v2102, "2.102")
    @validation.query_schema(schema.index_query_v275, "2.75", "2.101")
    @validation.query_schema(schema.index_query, "2.1", "2.74")
    def detail(self, req):
        return common.cached_json(
            self.compute_api.flavors.views, req,
            lambda: views.ViewBuilder(self.conf, req).index(self._list(req),
                                                            detail=True),
            "detail")

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        ctx = req.environ["nova.context"]
        flavor = self.compute_api.flavors.get(ctx, id)
        return {"flavor": views.ViewBuilder(self.conf, req).show(flavor)}

    @wsgi.expected_errors((400, 409))
    @common.compute_errors
    @validation.schema(schema.create_v2102, "2.102")
    @validation.schema(schema.create_v255, "2.55", "2.101")
    @validation.schema(schema.create, "2.1", "2.54")
    def create(self, req, body):
        ctx = req.environ["nova.context"]
        values = body["flavor"]
        kwargs = dict(
            name=values["name"].strip() if req.is_legacy_v2()
            else values["name"],
            memory_mb=int(values["ram"]), vcpus=int(values["vcpus"]),
            root_gb=int(values["disk"]),
            flavorid=values.get("id"),
            ephemeral_gb=int(values.get("OS-FLV-EXT-DATA:ephemeral", 0)),
            swap=int(values.get("swap", 0)),
            rxtx_factor=float(values.get("rxtx_factor", 1.0)),
            is_public=common.parse_bool(
                values.get("os-flavor-access:is_public", True)),
            description=values.get("description"))
        flavor = self.compute_api.flavors.create(ctx, **kwargs)
        return {"flavor": views.ViewBuilder(self.conf, req).show(flavor)}

    @wsgi.api_version("2.55")
    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.schema(schema.update)
    def update(self, req, id, body):
        ctx = req.environ["nova.context"]
        flavor = self.compute_api.flavors.update(
            ctx, id, body["flavor"]["description"])
        return {"flavor": views.ViewBuilder(self.conf, req).show(flavor)}

    @wsgi.response(202)
    @wsgi.expected_errors(404)
    @common.compute_errors
    def delete(self, req, id):
        self.compute_api.flavors.delete(req.environ["nova.context"], id)

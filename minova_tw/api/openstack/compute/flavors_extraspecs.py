"""/flavors/{flavor_id}/os-extra_specs: a flavor's extra specs, read by all, set by admins.

Values arrive as strings, numbers or booleans and are kept as strings; the
create and update answers echo what was stored. From 2.86 keys in the
namespaces nova knows are validated (``extra_specs_validation``).
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import extra_specs_validation
from minova_tw.api.openstack.compute.schemas import (
    flavors_extraspecs as schema)
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import api as compute


def _stringify(req, specs):
    """Specs as stored: every value a string (True -> "True"), checked
    against nova's registry from 2.86."""
    specs = {key: value if isinstance(value, str) else str(value)
             for key, value in specs.items()}
    if api_version.is_supported(req, "2.86"):
        extra_specs_validation.validate(specs)
    return specs


class FlavorExtraSpecsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, flavor_id):
        ctx = req.environ["nova.context"]
        return {"extra_specs":
                self.compute_api.flavors.get_extra_specs(ctx, flavor_id)}

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.schema(schema.create)
    def create(self, req, flavor_id, body):
        ctx = req.environ["nova.context"]
        specs = _stringify(req, body["extra_specs"])
        self.compute_api.flavors.update_extra_specs(ctx, flavor_id, specs,
                                                    action="create")
        return {"extra_specs": specs}

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, flavor_id, id):
        ctx = req.environ["nova.context"]
        return {id: self.compute_api.flavors.get_extra_spec(ctx, flavor_id,
                                                            id)}

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.schema(schema.update)
    def update(self, req, flavor_id, id, body):
        if id not in body:
            raise webob.exc.HTTPBadRequest(
                explanation="Request body and URI mismatch")
        ctx = req.environ["nova.context"]
        specs = _stringify(req, body)
        self.compute_api.flavors.update_extra_specs(ctx, flavor_id, specs)
        return specs

    @wsgi.expected_errors(404)
    @common.compute_errors
    def delete(self, req, flavor_id, id):
        ctx = req.environ["nova.context"]
        self.compute_api.flavors.delete_extra_spec(ctx, flavor_id, id)

"""Which projects may use a private flavor: listed, added and removed by admins.

``GET /flavors/{flavor_id}/os-flavor-access`` lists the projects;
``POST /flavors/{id}/action`` with ``addTenantAccess`` or
``removeTenantAccess`` changes the list and answers with it. A public flavor
has no list (404), and from 2.7 access to it cannot be added (409). The
rows live in ``flavor_projects``, so every worker sees the same list.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import flavor_access as schema
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import api as compute


def _flavor_access(flavorid, project_ids):
    """nova's body: one ``{flavor_id, tenant_id}`` pair per project."""
    return {"flavor_access": [{"flavor_id": flavorid, "tenant_id": project}
                              for project in project_ids]}


class FlavorAccessController(wsgi.Controller):
    """``/flavors/{flavor_id}/os-flavor-access`` and ``/flavors/{id}/action``
    (nova's flavor actions are both about access)."""

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, flavor_id):
        ctx = req.environ["nova.context"]
        return _flavor_access(
            flavor_id, self.compute_api.flavors.list_access(ctx, flavor_id))

    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("addTenantAccess")
    @common.compute_errors
    @validation.schema(schema.add_tenant_access)
    def _add_tenant_access(self, req, id, body):
        ctx = req.environ["nova.context"]
        projects = self.compute_api.flavors.add_access(
            ctx, id, body["addTenantAccess"]["tenant"],
            refuse_public=api_version.is_supported(req, "2.7"))
        return _flavor_access(id, projects)

    @wsgi.expected_errors((400, 403, 404))
    @wsgi.action("removeTenantAccess")
    @common.compute_errors
    @validation.schema(schema.remove_tenant_access)
    def _remove_tenant_access(self, req, id, body):
        ctx = req.environ["nova.context"]
        projects = self.compute_api.flavors.remove_access(
            ctx, id, body["removeTenantAccess"]["tenant"])
        return _flavor_access(id, projects)

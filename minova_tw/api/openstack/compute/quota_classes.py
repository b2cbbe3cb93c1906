"""/os-quota-class-sets/{id}: the limits of a quota class, shown and set by admins.

The class ``default`` is the one that counts: its limits are every
project's defaults (``GET /os-quota-sets/{id}/defaults``). Any other name
is stored and shown, as nova does, and changes nothing. Before 2.50 the
bodies leave out the server group quotas; from 2.50 they leave out the
network ones, from 2.57 the personality ones too.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import quota_sets
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import quota_sets as schema
from minova_tw.compute import api as compute


def _body(req, values, identifier=None):
    return quota_sets.quota_body(
        "quota_class_set", values,
        quota_sets.left_out(req, "2.50", server_groups_until="2.50"),
        identifier)


class QuotaClassSetsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(())
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        values = self.compute_api.quota_sets.get_class(
            req.environ["nova.context"], id)
        return _body(req, values, id)

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.schema(schema.class_update_v257, "2.57")
    @validation.schema(schema.class_update_v250, "2.50", "2.56")
    @validation.schema(schema.class_update, "2.1", "2.49")
    def update(self, req, id, body):
        """Set the limits given; the answer has no ``id`` (as nova's)."""
        values = self.compute_api.quota_sets.update_class(
            req.environ["nova.context"], id,
            {resource: int(limit)
             for resource, limit in body["quota_class_set"].items()})
        return _body(req, values)

"""/os-quota-sets/{project_id}: a project's (or a user's) limits, their defaults, usage and changes.

``GET`` shows the limits in effect (``?user_id=`` a user's in the
project), ``/detail`` each with ``in_use`` and ``reserved``, ``/defaults``
what a project without limits of its own has; ``PUT`` sets limits (not
below usage unless ``force``) and ``DELETE`` (202) returns the project, or
the user, to the defaults. The network quotas leave the bodies in 2.36,
the personality ones in 2.57. Any project id is a project: there is no
keystone to ask whether it exists.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import quota_sets as schema
from minova_tw.compute import api as compute
from minova_tw.compute import quotas


def left_out(req, network_until, personality_until="2.57",
             server_groups_until=None):
    """The resources the request's microversion does not show: the
    network ones from ``network_until``, the personality ones from
    ``personality_until``, the server group ones before
    ``server_groups_until``."""
    gone = set()
    if api_version.is_supported(req, network_until):
        gone.update(schema.NETWORK)
    if api_version.is_supported(req, personality_until):
        gone.update(schema.PERSONALITY)
    if server_groups_until and not api_version.is_supported(
            req, server_groups_until):
        gone.update(schema.SERVER_GROUPS)
    return gone


def quota_body(key, values, gone, identifier=None):
    """``{key: {"id"?, resource: value, ...}}`` in nova's resource order,
    without the resources in ``gone``."""
    body = {} if identifier is None else {"id": identifier}
    body.update((resource, values[resource]) for resource in quotas.RESOURCES
                if resource not in gone)
    return {key: body}


def _user_id(req):
    return req.GET.get("user_id") or None


class QuotaSetsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _body(self, req, values, identifier=None):
        return quota_body("quota_set", values, left_out(req, "2.36"),
                          identifier)

    def _read(self, req, id, read):
        """The body of ``read(context, id, user_id=...)``'s values."""
        values = read(req.environ["nova.context"], id, user_id=_user_id(req))
        return self._body(req, values, id)

    @wsgi.expected_errors(400)
    @validation.query_schema(schema.query_v275, "2.75")
    @validation.query_schema(schema.query, "2.1", "2.74")
    def show(self, req, id):
        return self._read(req, id, self.compute_api.quota_sets.get)

    @wsgi.expected_errors(400)
    @validation.query_schema(schema.query_v275, "2.75")
    @validation.query_schema(schema.query, "2.1", "2.74")
    def detail(self, req, id):
        return self._read(req, id, self.compute_api.quota_sets.get_detail)

    @wsgi.expected_errors(400)
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def defaults(self, req, id):
        values = self.compute_api.quota_sets.get_defaults(
            req.environ["nova.context"], id)
        return self._body(req, values, id)

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.schema(schema.update_v257, "2.57")
    @validation.schema(schema.update_v236, "2.36", "2.56")
    @validation.schema(schema.update, "2.1", "2.35")
    @validation.query_schema(schema.query_v275, "2.75")
    @validation.query_schema(schema.query, "2.1", "2.74")
    def update(self, req, id, body):
        """Set the limits given; the answer has no ``id`` (as nova's)."""
        values = dict(body["quota_set"])
        force = common.parse_bool(values.pop("force", False))
        values = self.compute_api.quota_sets.update(
            req.environ["nova.context"], id,
            {resource: int(limit) for resource, limit in values.items()},
            user_id=_user_id(req), force=force)
        return self._body(req, values)

    @wsgi.response(202)
    @wsgi.expected_errors(())
    @validation.query_schema(schema.query_v275, "2.75")
    @validation.query_schema(schema.query, "2.1", "2.74")
    def delete(self, req, id):
        self.compute_api.quota_sets.delete(req.environ["nova.context"], id,
                                           user_id=_user_id(req))

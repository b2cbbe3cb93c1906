"""/os-server-groups: create, list, show and delete server groups.

A group shows its id, name, members (the live servers that joined it at
boot) and, by microversion: ``policies`` (a one-item list) and an empty
``metadata`` before 2.64, ``policy`` and ``rules`` from it; ``project_id``
and ``user_id`` from 2.13. Create answers 200 (403 over the
``server_groups`` quota), delete 204. The listing pages with ``limit``
and ``offset``; ``all_projects`` lists every project's groups for an
admin and is ignored for anyone else, as in nova.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import server_groups as schema
from minova_tw.compute import api as compute


def _view(req, group):
    view = {"id": group.uuid, "name": group.name}
    if api_version.is_supported(req, "2.64"):
        view["policy"] = group.policy
        view["rules"] = group.rules
    else:
        view["policies"] = [group.policy]
        view["metadata"] = {}
    view["members"] = group.members
    if api_version.is_supported(req, "2.13"):
        view["project_id"] = group.project_id
        view["user_id"] = group.user_id
    return view


class ServerGroupController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(400)
    @validation.query_schema(schema.index_query_v275, "2.75")
    @validation.query_schema(schema.index_query, "2.1", "2.74")
    def index(self, req):
        ctx = req.environ["nova.context"]
        try:
            limit, offset = (int(req.GET[name]) if name in req.GET else None
                             for name in ("limit", "offset"))
        except ValueError:  # more digits than int() reads
            raise webob.exc.HTTPBadRequest(
                explanation="limit and offset must be integers of at most "
                "4300 digits") from None
        groups = self.compute_api.server_groups.list(
            ctx, all_projects="all_projects" in req.GET, limit=limit,
            offset=offset or 0)
        return {"server_groups": [_view(req, group) for group in groups]}

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        group = self.compute_api.server_groups.get(
            req.environ["nova.context"], id)
        return {"server_group": _view(req, group)}

    @wsgi.expected_errors((400, 403, 409))
    @common.compute_errors
    @validation.schema(schema.create_v264, "2.64")
    @validation.schema(schema.create_v215, "2.15", "2.63")
    @validation.schema(schema.create, "2.1", "2.14")
    def create(self, req, body):
        params = body["server_group"]
        if "policy" in params:
            policy, rules = params["policy"], params.get("rules")
        else:
            policy, rules = params["policies"][0], None
        group = self.compute_api.server_groups.create(
            req.environ["nova.context"], params["name"], policy, rules)
        return {"server_group": _view(req, group)}

    @wsgi.response(204)
    @wsgi.expected_errors(404)
    @common.compute_errors
    def delete(self, req, id):
        self.compute_api.server_groups.delete(req.environ["nova.context"],
                                              id)

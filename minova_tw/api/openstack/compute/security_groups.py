"""A server's security groups: ``GET /servers/{server_id}/os-security-groups`` and the add/remove actions.

The listing is nova's shape of each group (id, name, description,
tenant_id, rules; minova's groups have no rules), sorted by project and
name. ``addSecurityGroup`` and ``removeSecurityGroup`` are server actions
(routes' ``ACTION_CONTROLLERS``) that answer 202: 404 for a group the
caller's project lacks, a server without a port, or removing a group the
server is not in; 400 for adding one it is in already (compute's
``server_security_groups``). The project's groups themselves are made and
looked up through the network stand-in, as in neutron; nova's
``/os-security-groups`` proxy is not served (404 from 2.36 in nova too).
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import security_groups as schema
from minova_tw.compute import api as compute


def _view(group):
    return {"id": group.id, "name": group.name,
            "description": group.description,
            "tenant_id": group.project_id, "rules": []}


def _group_action(key, method, body_schema):
    """The server action ``key``: ``method`` of compute's
    server_security_groups with the group named in the body (202)."""
    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action(key)
    @common.compute_errors
    @validation.schema(body_schema)
    def action(self, req, id, body):
        name = body[key]["name"]
        if not name.strip():
            raise webob.exc.HTTPBadRequest(
                explanation="Security group name cannot be empty")
        getattr(self.groups, method)(req.environ["nova.context"], id, name)
    action.__name__ = "_%s" % key
    action.__doc__ = "%s: %s a security group." % (key, method)
    return action


class ServerSecurityGroupController(wsgi.Controller):
    """``/servers/{server_id}/os-security-groups``."""

    def __init__(self, conf):
        super().__init__(conf)
        self.groups = compute.API(conf).server_security_groups

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        groups = self.groups.list_for_server(req.environ["nova.context"],
                                             server_id)
        return {"security_groups": [_view(group) for group in groups]}


class SecurityGroupActionController(wsgi.Controller):
    """addSecurityGroup and removeSecurityGroup on ``/servers/{id}/action``."""

    def __init__(self, conf):
        super().__init__(conf)
        self.groups = compute.API(conf).server_security_groups

    _add_security_group = _group_action(
        "addSecurityGroup", "add", schema.add_security_group)
    _remove_security_group = _group_action(
        "removeSecurityGroup", "remove", schema.remove_security_group)

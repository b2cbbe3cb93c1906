"""The network stand-in: neutron v2.0's ports, network and security groups, for the CLI's lookups.

The mini nova has no network service: its servers' ports are on one network
(``compute.network``), and any UUID is a port a server may attach
(``os-interface``). ``openstack server add port`` and ``server remove
port`` look the port up in neutron first, ``server create
--security-group`` the group; this app answers them at ``/network``:

- ``GET /network``: the versions document (v2.0).
- ``GET /network/v2.0/ports/<id>``: any UUID as a port on the one network,
  ``ACTIVE`` with its server, address and MAC while a server has it, else
  ``DOWN`` and unbound.
- ``GET /network/v2.0/networks/<id>``: the one network, by its uuid.
- ``GET /network/v2.0/security-groups`` (filtered by ``name``, ``id``,
  ``project_id``/``tenant_id`` as neutron filters) and ``.../<id>``: the
  token's project's groups (``compute.security_groups``: ``default``
  and the ones it made), without rules.
- ``POST /network/v2.0/security-groups``: make a group of the token's
  project (201); a name the project has already is 409.

Everything else is 404. Only security groups are stored.
"""

import json

import webob.dec

from minova_tw.api import standins, validation
from minova_tw.api.openstack import auth as noauth
from minova_tw.compute import api as compute
from minova_tw.compute import exception, network

PORTS = "/v2.0/ports/"
NETWORKS = "/v2.0/networks/"
SECURITY_GROUPS = "/v2.0/security-groups"
#: The query parameters a security group listing filters on, and the
#: field each compares.
GROUP_FILTERS = {"id": "id", "name": "name", "description": "description",
                 "project_id": "project_id", "tenant_id": "project_id"}


def _neutron_error(status, kind, message):
    """neutron's error body."""
    return standins.json_response({"NeutronError": {
        "type": kind, "detail": "", "message": message}}, status=status)


def _not_found(kind, identifier):
    """neutron's 404 body."""
    return _neutron_error(404, "%sNotFound" % kind,
                          "%s %s could not be found." % (kind, identifier))


def _security_group(group):
    """neutron's document of a group (``compute.security_groups.Group``)."""
    created = group.created_at and group.created_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    return {"id": group.id, "name": group.name,
            "description": group.description, "stateful": True,
            "security_group_rules": [], "tags": [], "shared": False,
            "revision_number": 0, "created_at": created,
            "updated_at": created, "tenant_id": group.project_id,
            "project_id": group.project_id}


def _project(req):
    """The project of the request's noauth2 token."""
    return noauth.parse_token(req.headers.get("X-Auth-Token", ""))[1]


class NetworkStandIn:
    """The WSGI app mounted at ``/network``."""

    def __init__(self, conf):
        self.conf = conf
        api = compute.API(conf)
        self.interfaces = api.interfaces
        self.security_groups = api.security_groups
        self.network_id = network.network_id(conf)
        self.subnet_id = network.subnet_id(conf)

    def network(self):
        """neutron's document of the one network."""
        return {"id": self.network_id, "name": self.conf.minova.network_label,
                "status": "ACTIVE", "admin_state_up": True, "shared": True,
                "subnets": [self.subnet_id], "router:external": False,
                "mtu": 1500, "tenant_id": "", "project_id": ""}

    def port(self, port_id):
        """neutron's document of the port ``port_id``, bound or not."""
        found = self.interfaces.find_port(port_id)
        port = {"id": port_id, "name": "", "network_id": self.network_id,
                "admin_state_up": True, "status": "DOWN", "device_id": "",
                "device_owner": "", "mac_address": "", "fixed_ips": [],
                "tenant_id": "", "project_id": ""}
        if found is not None:
            port.update(
                status="ACTIVE", device_id=found.uuid,
                device_owner="compute:nova", mac_address=found.mac_address,
                fixed_ips=[{"subnet_id": self.subnet_id,
                            "ip_address": found.address}],
                tenant_id=found.project_id, project_id=found.project_id)
        return port

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        if req.method == "GET":
            if path == "":
                return standins.json_response({"versions": [{
                    "id": "v2.0", "status": "CURRENT",
                    "links": [{"rel": "self",
                               "href": req.application_url + "/v2.0/"}]}]})
            if path.startswith(PORTS):
                port_id = path[len(PORTS):]
                if validation.is_uuid(port_id):
                    return standins.json_response({"port": self.port(port_id)})
                return _not_found("Port", port_id)
            if path == SECURITY_GROUPS:
                return self.list_security_groups(req)
            if path.startswith(SECURITY_GROUPS + "/"):
                return self.show_security_group(
                    req, path[len(SECURITY_GROUPS) + 1:])
            if path.startswith(NETWORKS):
                network_id = path[len(NETWORKS):]
                if network_id == self.network_id:
                    return standins.json_response({"network": self.network()})
                return _not_found("Network", network_id)
        if req.method == "POST" and path == SECURITY_GROUPS:
            return self.create_security_group(req)
        return standins.error_response(
            404, "Not Found", "The network stand-in serves only GET of "
            "/v2.0/ports/<id>, /v2.0/networks/<id> and "
            "/v2.0/security-groups[/<id>], and POST of "
            "/v2.0/security-groups.")

    def list_security_groups(self, req):
        groups = self.security_groups.list_project(_project(req))
        for param, field in GROUP_FILTERS.items():
            wanted = req.GET.getall(param)
            if wanted:
                groups = [group for group in groups
                          if getattr(group, field) in wanted]
        return standins.json_response(
            {"security_groups": [_security_group(group)
                                 for group in groups]})

    def show_security_group(self, req, group_id):
        group = self.security_groups.get_project(_project(req), group_id)
        if group is None:
            return _neutron_error(
                404, "SecurityGroupNotFound",
                "Security group %s does not exist" % group_id)
        return standins.json_response(
            {"security_group": _security_group(group)})

    def create_security_group(self, req):
        try:
            wanted = json.loads(req.body)["security_group"]
            name = wanted.get("name", "")
            description = wanted.get("description", "")
            project_id = wanted.get("project_id") or _project(req)
            valid = all(isinstance(value, str) and len(value) <= 255
                        for value in (name, description, project_id))
        except (ValueError, TypeError, KeyError, AttributeError):
            valid = False
        if not valid:
            return _neutron_error(
                400, "HTTPBadRequest", "Invalid input: a security_group "
                "object with a name and a description of at most 255 "
                "characters is required.")
        try:
            group = self.security_groups.create(project_id, name,
                                                description)
        except exception.SecurityGroupExists as error:
            return _neutron_error(409, "SecurityGroupExists",
                                  error.format_message())
        return standins.json_response(
            {"security_group": _security_group(group)}, status=201)


factory = standins.standin_factory(NetworkStandIn, with_conf=True)

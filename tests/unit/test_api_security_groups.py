"""A server's security groups through the compute router: create, show, os-security-groups, addSecurityGroup, removeSecurityGroup."""

import pytest

from minova_tw.compute import api as compute_api
from minova_tw.compute import security_groups

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


@pytest.fixture
def web(conf):
    """project-a's group "web"."""
    return compute_api.API(conf).security_groups.create("project-a", "web",
                                                        "HTTP")


def _message(res):
    return next(iter(res.json.values()))["message"]


def _action(api, server, action, name, **kwargs):
    return api("POST", "/servers/%s/action" % server,
               {action: {"name": name}}, **kwargs)


def _shown(api, server):
    return api("GET", "/servers/" + server).json["server"].get(
        "security_groups")


def test_create_echoes_the_request_and_show_names_the_groups(api, web):
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "security_groups": [{"name": web.id}]}})
    assert res.status_int == 202, res.text
    assert res.json["server"]["security_groups"] == [{"name": web.id}]
    assert _shown(api, res.json["server"]["id"]) == [{"name": "web"}]
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "security_groups": [{"name": "db"}]}})
    assert res.status_int == 400
    assert _message(res) == (
        "Unable to find security_group with name or id 'db'")


def test_list_a_servers_groups(api, server, web):
    base = "/servers/%s/os-security-groups" % server
    assert _action(api, server, "addSecurityGroup", "web").status_int == 202
    res = api("GET", base)
    assert res.status_int == 200
    assert res.json == {"security_groups": [
        {"id": security_groups.unstored_group("project-a", "default").id,
         "name": "default", "description": "Default security group",
         "tenant_id": "project-a", "rules": []},
        {"id": web.id, "name": "web", "description": "HTTP",
         "tenant_id": "project-a", "rules": []}]}
    assert api("GET", base, project="project-b").status_int == 404
    assert api("GET", "/servers/%s/os-security-groups"
               % IMAGE).status_int == 404


def test_add_and_remove(api, server, web):
    res = _action(api, server, "addSecurityGroup", web.id)
    assert res.status_int == 202 and res.body == b""
    assert _shown(api, server) == [{"name": "default"}, {"name": "web"}]
    assert _action(api, server, "removeSecurityGroup",
                   "default").status_int == 202
    assert _action(api, server, "removeSecurityGroup",
                   "web").status_int == 202
    # nova omits the key when the server is in no group.
    assert _shown(api, server) is None


@pytest.mark.parametrize("action, name, status, message", [
    ("addSecurityGroup", "default", 400,
     "Invalid input for security_groups. Reason: Duplicate items in the "
     "list: '%s'." % security_groups.unstored_group("project-a",
                                                    "default").id),
    ("addSecurityGroup", "db", 404,
     "Security group db is not found for project project-a"),
    ("removeSecurityGroup", "db", 404,
     "Security group db is not found for project project-a"),
    ("removeSecurityGroup", "web", 404,
     "Security group web not associated with the instance {server}"),
    ("addSecurityGroup", "  ", 400, "Security group name cannot be empty"),
])
def test_the_errors_nova_gives(api, server, web, action, name, status,
                               message):
    res = _action(api, server, action, name)
    assert res.status_int == status, res.text
    assert _message(res) == message.format(server=server)


@pytest.mark.parametrize("body", [
    {"addSecurityGroup": {}}, {"addSecurityGroup": {"name": ""}},
    {"addSecurityGroup": "web"},
    {"addSecurityGroup": {"name": "web", "extra": 1}},
    {"removeSecurityGroup": {"name": 5}}])
def test_bad_bodies_are_400(api, server, body):
    res = api("POST", "/servers/%s/action" % server, body)
    assert res.status_int == 400, res.text


def test_another_projects_server_is_not_found(api, server):
    res = _action(api, server, "addSecurityGroup", "default",
                  project="project-b")
    assert res.status_int == 404


def test_a_server_without_ports_has_nowhere_to_put_a_group(api):
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "networks": "none"}}, version="2.37")
    server = res.json["server"]["id"]
    res = _action(api, server, "removeSecurityGroup", "default")
    assert res.status_int == 404
    assert _message(res) == ("instance_id %s could not be found as device "
                             "id on any ports" % server)

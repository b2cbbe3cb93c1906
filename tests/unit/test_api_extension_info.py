"""extension_info: nova's extension entries for what minova serves, worked out from the route table."""


from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute import APIRouterV21, extension_info
from minova_tw.api.openstack.compute import removed
from tests.unit.compute_router import call_as


class Things(wsgi.Controller):
    """Test-only controller."""

    def index(self, req):
        return {}

    @wsgi.action("os-start")
    def _start(self, req, id, body):
        return {}


class Shelving(wsgi.Controller):
    """Test-only action controller."""

    @wsgi.action("shelve")
    def _shelve(self, req, id, body):
        return {}


def test_index_and_show(conf):
    router = APIRouterV21(conf)
    res = call_as(router, "GET", "/extensions")
    assert res.status_int == 200
    by_alias = {e["alias"]: e for e in res.json["extensions"]}
    assert by_alias["os-simple-tenant-usage"] == {
        "alias": "os-simple-tenant-usage",
        "description": "Simple tenant usage extension.", "links": [],
        "name": "SimpleTenantUsage",
        "namespace": "http://docs.openstack.org/compute/ext/fake_xml",
        "updated": "2014-12-03T00:00:00Z"}
    for alias in ("os-console-auth-tokens", "os-keypairs",
                  "os-flavor-manage", "os-server-start-stop", "OS-EXT-STS",
                  "os-shelve", "os-deferred-delete", "os-create-backup",
                  "os-admin-actions"):
        assert alias in by_alias
    # removed by nova (410 here) or not served by minova
    for alias in ("os-cells", "os-agents", "os-fixed-ips", "os-networks",
                  "os-volumes", "OS-EXT-IMG-SIZE"):
        assert alias not in by_alias
    res = call_as(router, "GET", "/extensions/os-keypairs")
    assert res.json == {"extension": by_alias["os-keypairs"]}
    res = call_as(router, "GET", "/extensions/os-cells")
    assert res.status_int == 404
    assert res.json["itemNotFound"]["code"] == 404


def test_served_aliases_follow_the_routes():
    def served(route_list, action_controllers=None):
        return set(extension_info.served_aliases(route_list,
                                                 action_controllers or {}))

    assert served([]) == {alias for alias, _, _, ways
                          in extension_info.EXTENSIONS
                          if ways == extension_info.SHOWN}
    shown = served([])
    assert served([("/os-services", {"GET": (Things, "index")})]) == (
        shown | {"os-services"})
    gone = (removed.RemovedController, "gone")
    assert served([("/os-services", {"GET": gone})]) == shown
    # a path with the method the extension needs
    assert served([("/flavors", {"GET": (Things, "index")})]) == shown
    assert served([("/flavors", {"POST": (Things, "index")})]) == (
        shown | {"os-flavor-manage"})
    # actions of the action route, and of the controllers it also serves
    actions = [("/servers/{id}/action", {"POST": (Things, "action")})]
    assert served(actions) == shown | {"os-server-start-stop"}
    assert served(actions, {Things: (Shelving,)}) == (
        shown | {"os-server-start-stop", "os-shelve"})

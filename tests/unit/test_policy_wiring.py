"""The compute router's resources ask oslo.policy with nova's rule names: a project reader reads, a member writes.

Each case is a pair of requests on the same server of project-a: the
read goes through for a token with only the reader role, the write is 403
with nova's message naming the rule; the operator's resources
(ADMIN_CASES) refuse a reader even a read and let an admin through. The
resources are those that came after the policy module, so that none of
them authorizes by hand.
"""

import pytest
import webob

from minova_tw import context
from minova_tw.api.openstack.compute import APIRouterV21

VOLUME = "5e3a2f6c-7d5b-4a51-9b1e-1f2d3c4b5a69"
CASES = [
    ("GET", "/servers/{id}/tags", None, "2.26", None),
    ("PUT", "/servers/{id}/tags/a", None, "2.26",
     "os_compute_api:os-server-tags:update"),
    ("GET", "/servers/{id}/os-interface", None, "2.1", None),
    ("POST", "/servers/{id}/os-interface", {"interfaceAttachment": {}},
     "2.1", "os_compute_api:os-attach-interfaces:create"),
    ("GET", "/servers/{id}/os-volume_attachments", None, "2.1", None),
    ("POST", "/servers/{id}/os-volume_attachments",
     {"volumeAttachment": {"volumeId": VOLUME}}, "2.1",
     "os_compute_api:os-volumes-attachments:create"),
    ("GET", "/servers/{id}/os-instance-actions", None, "2.1", None),
    ("GET", "/servers/{id}/ips", None, "2.1", None),
    ("POST", "/servers/{id}/remote-consoles",
     {"remote_console": {"protocol": "vnc", "type": "novnc"}}, "2.6",
     "os_compute_api:os-remote-consoles"),
    ("GET", "/os-server-groups", None, "2.1", None),
    ("POST", "/os-server-groups",
     {"server_group": {"name": "g", "policies": ["affinity"]}}, "2.1",
     "os_compute_api:os-server-groups:create"),
    ("GET", "/servers/{id}/os-security-groups", None, "2.1", None),
    ("POST", "/servers/{id}/action", {"addSecurityGroup": {"name": "x"}},
     "2.1", "os_compute_api:os-security-groups:add"),
    ("POST", "/servers/{id}/action",
     {"removeSecurityGroup": {"name": "default"}}, "2.1",
     "os_compute_api:os-security-groups:remove"),
    ("GET", "/servers/{id}/os-server-password", None, "2.1", None),
    ("DELETE", "/servers/{id}/os-server-password", None, "2.1",
     "os_compute_api:os-server-password:clear"),
    ("GET", "/os-quota-sets/project-a", None, "2.1", None),
    ("GET", "/os-simple-tenant-usage/project-a", None, "2.1", None),
    ("POST", "/servers/{id}/action", {"migrate": None}, "2.1",
     "os_compute_api:os-migrate-server:migrate"),
    ("POST", "/servers/{id}/action",
     {"os-migrateLive": {"host": None, "block_migration": "auto"}}, "2.25",
     "os_compute_api:os-migrate-server:migrate_live"),
    ("POST", "/servers/{id}/action", {"evacuate": {}}, "2.14",
     "os_compute_api:os-evacuate"),
    # Migrations are the operators' business: even reading them is not
    # a project reader's.
    ("GET", "/os-migrations", None, "2.1",
     "os_compute_api:os-migrations:index"),
    ("GET", "/servers/{id}/migrations", None, "2.23",
     "os_compute_api:servers:migrations:index"),
    ("DELETE", "/servers/{id}/migrations/1", None, "2.24",
     "os_compute_api:servers:migrations:delete"),
    ("POST", "/servers/{id}/migrations/1/action", {"force_complete": None},
     "2.22", "os_compute_api:servers:migrations:force_complete"),
    ("POST", "/servers/{id}/action", {"shelve": None}, "2.1",
     "os_compute_api:os-shelve:shelve"),
    ("POST", "/servers/{id}/action", {"unshelve": None}, "2.1",
     "os_compute_api:os-shelve:unshelve"),
    ("POST", "/servers/{id}/action", {"restore": None}, "2.1",
     "os_compute_api:os-deferred-delete:restore"),
    ("POST", "/servers/{id}/action", {"forceDelete": None}, "2.1",
     "os_compute_api:os-deferred-delete:force"),
    ("POST", "/servers/{id}/action",
     {"createBackup": {"name": "b", "backup_type": "daily", "rotation": 1}},
     "2.1", "os_compute_api:os-create-backup"),
]


@pytest.fixture
def as_reader(conf):
    router = APIRouterV21(conf)

    def request(method, path, body, version):
        req = webob.Request.blank(path, method=method, headers={
            "OpenStack-API-Version": "compute %s" % version})
        if body is not None:
            req.json = body
        req.environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id="user", project_id="project-a", roles=["reader"])
        return req.get_response(router)
    return request


@pytest.mark.parametrize("method, path, body, version, rule", CASES,
                         ids=["%s %s%s" % (case[0], case[1],
                                           " " + next(iter(case[2]))
                                           if case[1].endswith("/action")
                                           else "")
                              for case in CASES])
def test_a_reader_reads_and_may_not_write(server, as_reader, method,
                                          path, body, version, rule):
    res = as_reader(method, path.format(id=server), body, version)
    if rule is None:
        assert res.status_int == 200, res.text
    else:
        assert res.status_int == 403, res.text
        assert res.json["forbidden"]["message"] == (
            "Policy doesn't allow %s to be performed." % rule)


#: The operator's resources: a project reader may not even read them; an
#: admin may (the answer is not 403).
ADMIN_CASES = [
    ("GET", "/os-services", None, "2.1",
     "os_compute_api:os-services:list"),
    ("PUT", "/os-services/disable",
     {"host": "compute-1", "binary": "nova-compute"}, "2.1",
     "os_compute_api:os-services:update"),
    ("DELETE", "/os-services/3", None, "2.1",
     "os_compute_api:os-services:delete"),
    ("GET", "/os-hypervisors", None, "2.1",
     "os_compute_api:os-hypervisors:list"),
    ("GET", "/os-hypervisors/detail", None, "2.1",
     "os_compute_api:os-hypervisors:list-detail"),
    ("GET", "/os-hypervisors/1", None, "2.1",
     "os_compute_api:os-hypervisors:show"),
    ("GET", "/os-hypervisors/statistics", None, "2.1",
     "os_compute_api:os-hypervisors:statistics"),
    ("GET", "/os-hypervisors/1/uptime", None, "2.1",
     "os_compute_api:os-hypervisors:uptime"),
    ("GET", "/os-hypervisors/compute/search", None, "2.1",
     "os_compute_api:os-hypervisors:search"),
    ("GET", "/os-hypervisors/compute/servers", None, "2.1",
     "os_compute_api:os-hypervisors:servers"),
    ("GET", "/os-aggregates", None, "2.1",
     "os_compute_api:os-aggregates:index"),
    ("POST", "/os-aggregates", {"aggregate": {"name": "a"}}, "2.1",
     "os_compute_api:os-aggregates:create"),
]


@pytest.mark.parametrize("method, path, body, version, rule", ADMIN_CASES,
                         ids=["%s %s" % case[:2] for case in ADMIN_CASES])
def test_only_an_admin_sees_the_fleet(conf, as_reader, method, path, body,
                                      version, rule):
    res = as_reader(method, path, body, version)
    assert res.status_int == 403, res.text
    assert res.json["forbidden"]["message"] == (
        "Policy doesn't allow %s to be performed." % rule)
    req = webob.Request.blank(path, method=method, headers={
        "OpenStack-API-Version": "compute %s" % version})
    if body is not None:
        req.json = body
    req.environ[context.ENVIRON_KEY] = context.RequestContext(
        user_id="admin", project_id="admin-project",
        roles=["admin", "member", "reader"])
    assert req.get_response(APIRouterV21(conf)).status_int < 400

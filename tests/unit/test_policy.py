"""minova_tw.policy and minova_tw.policies: nova's rules, its defaults for
admin / member / reader / another project, policy.yaml overrides, and the
403 through the whole paste stack."""

import os
import subprocess
import sys

import pytest
from oslo_policy import policy as oslo_policy
from paste.deploy import loadapp
import webob

from minova_tw import conf as minova_conf
from minova_tw import context, policies, policy
from minova_tw.compute import base, exception

PASTE = os.path.join(os.path.dirname(__file__), "..", "..", "etc",
                     "api-paste.ini")
ROLES = {"admin": ["admin", "member", "reader"],
         "manager": ["manager", "member", "reader"],
         "member": ["member", "reader"],
         "reader": ["reader"],
         "service": ["service"],
         "none": []}
MINE = {"project_id": "p1", "user_id": "u1"}
THEIRS = {"project_id": "p2", "user_id": "u2"}


def caller(persona, project="p1", user="u1", enforcer=None):
    return context.RequestContext(user_id=user, project_id=project,
                                  roles=ROLES[persona], enforcer=enforcer)


def test_every_nova_rule_is_registered_once_and_project_scoped():
    rules = policies.list_rules()
    names = [rule.name for rule in rules]
    assert len(names) == len(set(names)) == 212
    for name in ("os_compute_api:servers:create",
                 "os_compute_api:os-quota-sets:update",
                 "os_compute_api:os-server-groups:index:all_projects",
                 "os_compute_api:os-server-tags:update_all",
                 "os_compute_api:os-instance-actions:events:details",
                 "os_compute_api:os-remote-consoles",
                 "os_compute_api:os-simple-tenant-usage:list",
                 "os_compute_api:os-services:update",
                 "os_compute_api:os-hypervisors:servers",
                 "os_compute_api:os-aggregates:add_host",
                 "os_compute_api:os-migrations:index",
                 "os_compute_api:os-shelve:unshelve_to_host",
                 "os_compute_api:os-attach-interfaces:create",
                 "os_compute_api:os-volumes-attachments:swap"):
        assert name in names
    documented = [rule for rule in rules
                  if isinstance(rule, oslo_policy.DocumentedRuleDefault)]
    assert len(documented) == 203
    assert all(rule.scope_types == ["project"] for rule in documented)


# rule, target, the personas it allows (in project p1, user u1)
DEFAULTS = [
    ("os_compute_api:servers:index", MINE, {"admin", "manager", "member",
                                            "reader"}),
    ("os_compute_api:servers:show", THEIRS, {"admin"}),
    ("os_compute_api:servers:create", MINE, {"admin", "manager",
                                             "member"}),
    ("os_compute_api:servers:delete", THEIRS, {"admin"}),
    ("os_compute_api:servers:index:get_all_tenants", MINE, {"admin"}),
    ("os_compute_api:os-flavor-manage:create", MINE, {"admin"}),
    ("os_compute_api:os-flavor-extra-specs:index", MINE,
     {"admin", "manager", "member", "reader"}),
    ("os_compute_api:os-keypairs:index", {"user_id": "u1"}, set(ROLES)),
    ("os_compute_api:os-keypairs:index", {"user_id": "u2"}, {"admin"}),
    ("os_compute_api:limits", MINE, set(ROLES)),
    ("os_compute_api:os-migrate-server:migrate", MINE, {"admin",
                                                        "manager"}),
    ("os_compute_api:os-volumes-attachments:swap", MINE, {"admin",
                                                          "service"}),
    ("compute:servers:resize:cross_cell", MINE, set()),
]


@pytest.mark.parametrize("rule, target, allowed", DEFAULTS)
def test_novas_defaults(rule, target, allowed):
    judged = {persona for persona in ROLES
              if caller(persona).can(rule, target, fatal=False)}
    assert judged == allowed


def test_a_refusal_is_novas_403():
    with pytest.raises(exception.PolicyNotAuthorized) as err:
        caller("reader").can("os_compute_api:servers:create")
    assert err.value.code == 403
    assert err.value.format_message() == (
        "Policy doesn't allow os_compute_api:servers:create to be performed.")


def test_an_unknown_rule_is_a_bug_not_a_refusal():
    with pytest.raises(oslo_policy.PolicyNotRegistered):
        caller("admin").can("os_compute_api:servers:fly")


def test_a_system_scoped_token_is_refused_by_project_rules():
    ctx = context.RequestContext(user_id="u1", roles=["admin"],
                                 system_scope="all")
    with pytest.raises(exception.PolicyNotAuthorized):
        ctx.can("os_compute_api:os-flavor-manage:create")


def test_is_admin_is_the_context_is_admin_rule():
    assert caller("admin").is_admin is True
    assert caller("member").is_admin is False
    assert context.RequestContext(roles=["member"],
                                  is_admin=True).is_admin is True


def test_require_admin_enforces_the_rule_it_names():
    base.require_admin(caller("member"), "os_compute_api:servers:create")
    with pytest.raises(exception.PolicyNotAuthorized):
        base.require_admin(caller("member"),
                           "os_compute_api:os-flavor-manage:create")
    with pytest.raises(exception.PolicyNotAuthorized):
        base.require_admin(caller("member"), "os_compute_api:servers:delete",
                           THEIRS)


def load(tmp_path, policy_yaml=None):
    """A noauth2 configuration in ``tmp_path``, with ``policy.yaml`` next
    to it when given."""
    if policy_yaml is not None:
        (tmp_path / "policy.yaml").write_text(policy_yaml)
    path = tmp_path / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = state\n"
                    "[api]\nauth_strategy = noauth2\n")
    return minova_conf.load([str(path)])


def test_the_enforcer_is_one_per_configuration(tmp_path):
    conf = load(tmp_path)
    assert policy.enforcer(conf) is policy.enforcer(conf)
    assert policy.enforcer(conf) is not policy.enforcer(load(tmp_path))


def test_policy_yaml_next_to_the_config_overrides_a_default(tmp_path):
    conf = load(tmp_path, '"os_compute_api:os-flavor-manage:create": '
                          '"rule:project_reader_or_admin"\n')
    judge = policy.enforcer(conf)
    assert caller("reader", enforcer=judge).can(
        "os_compute_api:os-flavor-manage:create")
    assert not caller("reader", enforcer=judge).can(
        "os_compute_api:os-flavor-manage:delete", fatal=False)
    assert not caller("reader").can(
        "os_compute_api:os-flavor-manage:create", fatal=False)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_changed_policy_yaml_counts_after_a_recheck(tmp_path):
    conf = load(tmp_path, '"os_compute_api:servers:index": "!"\n')
    clock = Clock()
    judge = policy.enforcer(conf, clock=clock)
    member = caller("member", enforcer=judge)
    assert not member.can("os_compute_api:servers:index", fatal=False)
    path = tmp_path / "policy.yaml"
    path.write_text('"os_compute_api:servers:index": "@"\n')
    later = path.stat().st_mtime + 10  # newer, whatever the file system
    os.utime(path, (later, later))
    clock.now += policy.RECHECK - 0.01
    assert not member.can("os_compute_api:servers:index", fatal=False)
    clock.now += 0.01
    assert member.can("os_compute_api:servers:index")


def test_decisions_are_kept_by_every_credential_a_check_may_read():
    ctx = caller("member")
    assert len(policy._credentials(ctx)) == len(ctx.to_policy_values())
    assert not caller("reader").can("os_compute_api:servers:create",
                                    fatal=False)
    assert caller("member").can("os_compute_api:servers:create")
    assert not caller("member", project="p2").can(
        "os_compute_api:servers:create", MINE, fatal=False)


def stack(conf):
    return loadapp("config:" + os.path.abspath(PASTE), name="osapi_compute",
                   global_conf=minova_conf.paste_global_conf(conf))


def call(app, method, path, token, body=None):
    req = webob.Request.blank("/v2.1" + path, method=method, headers={
        "X-Auth-Token": token, "OpenStack-API-Version": "compute 2.1"})
    if body is not None:
        req.json = body
    return req.get_response(app)


FLAVOR = {"flavor": {"name": "f", "ram": 64, "vcpus": 1, "disk": 1,
                     "id": "f1"}}


def forbidden(rule):
    return {"forbidden": {"code": 403, "message": (
        "Policy doesn't allow %s to be performed." % rule)}}


def test_the_stack_answers_novas_403_and_reads_the_override(tmp_path):
    app = stack(load(tmp_path, '"os_compute_api:os-flavor-manage:create": '
                               '"rule:project_reader_or_admin"\n'
                               '"os_compute_api:servers:index": "!"\n'))
    res = call(app, "POST", "/servers", "ann:p1:reader", {"server": {
        "name": "vm", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}})
    assert res.status_int == 403
    assert res.json == forbidden("os_compute_api:servers:create")
    res = call(app, "GET", "/servers", "ann:p1")
    assert res.status_int == 403
    assert res.json == forbidden("os_compute_api:servers:index")
    assert call(app, "GET", "/servers/detail", "ann:p1").status_int == 200
    res = call(app, "POST", "/flavors", "ann:p1:reader", FLAVOR)
    assert res.status_int == 200
    assert res.json["flavor"]["id"] == "f1"


def tool(name, *args):
    """Run the venv's oslopolicy ``name``; its stdout."""
    return subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), name), *args],
        capture_output=True, text=True, check=True).stdout


def test_the_sample_generator_lists_every_rule_with_its_default():
    out = tool("oslopolicy-sample-generator", "--namespace", "minova")
    assert ('#"os_compute_api:servers:create": '
            '"rule:project_member_or_admin"') in out
    assert '#"context_is_admin": "role:admin"' in out
    assert out.count('\n#"') == 212


def test_the_policy_generator_merges_the_operators_file(tmp_path):
    load(tmp_path, '"os_compute_api:servers:index": "!"\n'
                   '"os_compute_api:servers:show": '
                   '"rule:project_reader_or_admin"\n')
    config = ["--namespace", "minova", "--config-file",
              str(tmp_path / "api.conf")]
    out = tool("oslopolicy-policy-generator", *config)
    assert '"os_compute_api:servers:index": "!"' in out.splitlines()
    assert ('"os_compute_api:servers:create": '
            '"rule:project_member_or_admin"') in out.splitlines()
    redundant = tool("oslopolicy-list-redundant", *config)
    assert "os_compute_api:servers:show" in redundant
    assert "os_compute_api:servers:index" not in redundant

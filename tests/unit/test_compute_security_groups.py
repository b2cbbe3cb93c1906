"""minova_tw.compute.security_groups and server_security_groups: a project's groups, a server's, and the 400/404s nova gives."""

import pytest

from minova_tw.compute import exception, security_groups

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def _boot(compute, ctx, **kwargs):
    return compute.servers.create(ctx, "vm", "1", IMAGE, **kwargs)[0].uuid


def test_every_project_has_default_with_one_id(compute, ctx, other_ctx):
    mine = compute.security_groups.list_project(ctx.project_id)
    theirs = compute.security_groups.list_project(other_ctx.project_id)
    assert [(g.name, g.description) for g in mine] == [
        ("default", "Default security group")]
    assert mine == compute.security_groups.list_project(ctx.project_id)
    assert mine[0].id != theirs[0].id
    assert compute.security_groups.get_project(
        ctx.project_id, mine[0].id) == mine[0]
    assert compute.security_groups.get_project(
        other_ctx.project_id, mine[0].id) is None


def test_create_a_group_once_per_project(compute, ctx, other_ctx):
    web = compute.security_groups.create(ctx.project_id, "web", "HTTP")
    assert (web.name, web.description, web.project_id) == (
        "web", "HTTP", ctx.project_id)
    assert [g.name for g in compute.security_groups.list_project(
        ctx.project_id)] == ["default", "web"]
    for name in ("web", "default"):
        with pytest.raises(exception.SecurityGroupExists) as caught:
            compute.security_groups.create(ctx.project_id, name)
        assert caught.value.code == 400
    assert compute.security_groups.create(other_ctx.project_id, "web").id \
        != web.id


def test_a_server_is_in_default_unless_it_asks(compute, ctx):
    web = compute.security_groups.create(ctx.project_id, "web")
    assert compute.servers.get(ctx, _boot(compute, ctx)).security_groups == [
        "default"]
    # By name or by id (what the CLI sends), each once.
    server = _boot(compute, ctx, security_groups=[web.id, "web", "default"])
    assert compute.servers.get(ctx, server).security_groups == [
        "web", "default"]
    with pytest.raises(exception.SecurityGroupNotFound) as caught:
        _boot(compute, ctx, security_groups=["db"])
    assert caught.value.format_message() == (
        "Unable to find security_group with name or id 'db'")


def test_add_and_remove(compute, ctx):
    web = compute.security_groups.create(ctx.project_id, "web", "HTTP")
    server = _boot(compute, ctx)
    groups = compute.server_security_groups
    groups.add(ctx, server, web.id)
    listed = groups.list_for_server(ctx, server)
    assert [(g.name, g.id, g.description, g.project_id) for g in listed] == [
        ("default", security_groups.unstored_group(ctx.project_id,
                                                   "default").id,
         "Default security group", ctx.project_id),
        ("web", web.id, "HTTP", ctx.project_id)]
    assert compute.servers.get(ctx, server).security_groups == [
        "default", "web"]
    groups.remove(ctx, server, "default")
    assert compute.servers.get(ctx, server).security_groups == ["web"]


def test_the_errors_nova_gives(compute, ctx, other_ctx):
    web = compute.security_groups.create(ctx.project_id, "web")
    server = _boot(compute, ctx)
    groups = compute.server_security_groups
    with pytest.raises(exception.SecurityGroupCannotBeApplied) as caught:
        groups.add(ctx, server, "default")
    assert caught.value.code == 400
    assert "Duplicate items in the list" in caught.value.format_message()
    with pytest.raises(exception.SecurityGroupNotFound) as caught:
        groups.remove(ctx, server, "web")
    assert caught.value.format_message() == (
        "Security group web not associated with the instance %s" % server)
    with pytest.raises(exception.SecurityGroupNotFound) as caught:
        groups.add(ctx, server, "db")
    assert caught.value.format_message() == (
        "Security group db is not found for project project-a")
    # Another project's group is not the caller's; its server not found.
    with pytest.raises(exception.SecurityGroupNotFound):
        groups.add(ctx, server, compute.security_groups.create(
            other_ctx.project_id, "x").id)
    with pytest.raises(exception.InstanceNotFound):
        groups.add(other_ctx, server, "default")
    portless = _boot(compute, ctx, networks="none")
    with pytest.raises(exception.SecurityGroupNotFound) as caught:
        groups.add(ctx, portless, web.name)
    assert caught.value.format_message() == (
        "instance_id %s could not be found as device id on any ports"
        % portless)


def test_a_plain_boot_looks_no_group_up(compute, ctx, count_queries):
    _boot(compute, ctx, security_groups=["default"])
    assert not [s for s in count_queries if "FROM security_groups" in s]
    _boot(compute, ctx, security_groups=["default", "default"])
    _boot(compute, ctx, security_groups=[security_groups.unstored_group(
        ctx.project_id, "default").id])
    assert [s for s in count_queries if "FROM security_groups" in s]

"""minova_tw.compute.server_tags: add, check, replace, delete; the 50-tag limit; the states nova refuses."""

import pytest

from minova_tw.compute import exception

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


@pytest.fixture
def server(compute, ctx, clock):
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE, tags=["boot"])[0].uuid
    clock.advance(2)
    return uuid


def test_add_check_delete(compute, ctx, server):
    tags = compute.server_tags
    assert tags.add(ctx, server, "b") is True
    assert tags.add(ctx, server, "b") is False
    assert tags.list(ctx, server) == ["b", "boot"]
    assert tags.exists(ctx, server, "b") and not tags.exists(ctx, server, "c")
    tags.delete(ctx, server, "b")
    assert tags.list(ctx, server) == ["boot"]
    with pytest.raises(exception.InstanceTagNotFound) as caught:
        tags.delete(ctx, server, "b")
    assert caught.value.format_message() == (
        "Instance %s has no tag 'b'" % server)


def test_replace_and_delete_all(compute, ctx, server):
    tags = compute.server_tags
    assert tags.replace(ctx, server, ["z", "a", "z", "boot"]) == [
        "a", "boot", "z"]
    assert compute.servers.get(ctx, server).tags == ["a", "boot", "z"]
    tags.delete_all(ctx, server)
    assert tags.list(ctx, server) == []


def test_fifty_tags_at_most(compute, ctx, server):
    tags = compute.server_tags
    tags.replace(ctx, server, ["t%d" % n for n in range(50)])
    # nova counts before it looks: even a tag already there is refused.
    for tag in ("new", "t0"):
        with pytest.raises(exception.TooManyTags) as caught:
            tags.add(ctx, server, tag)
        assert caught.value.format_message() == (
            "The number of tags exceeded the per-server limit 50")
    with pytest.raises(exception.TooManyTags):
        tags.replace(ctx, server, ["u%d" % n for n in range(51)])


def test_refused_while_building_allowed_when_locked(compute, ctx, admin_ctx,
                                                    clock):
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    tags = compute.server_tags
    for change, action in (
            (lambda: tags.add(ctx, uuid, "a"), "update tag"),
            (lambda: tags.replace(ctx, uuid, ["a"]), "update tags"),
            (lambda: tags.delete(ctx, uuid, "a"), "delete tag"),
            (lambda: tags.delete_all(ctx, uuid), "delete tags")):
        with pytest.raises(exception.InstanceInvalidState) as caught:
            change()
        assert caught.value.format_message() == (
            "Cannot '%s' instance %s while it is in vm_state building"
            % (action, uuid))
    assert tags.list(ctx, uuid) == []
    clock.advance(2)
    compute.server_actions.lock(admin_ctx, uuid)
    assert tags.add(ctx, uuid, "a") is True


def test_other_projects_cannot_see_or_change(compute, other_ctx, server):
    tags = compute.server_tags
    for call in (lambda: tags.list(other_ctx, server),
                 lambda: tags.exists(other_ctx, server, "boot"),
                 lambda: tags.add(other_ctx, server, "x"),
                 lambda: tags.delete_all(other_ctx, server)):
        with pytest.raises(exception.InstanceNotFound):
            call()

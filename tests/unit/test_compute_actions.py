"""minova_tw.compute.actions and lifecycle: every move of the state machine, every 409."""

import pytest

from minova_tw.compute import exception, states

ACTION_TIME = 1


def _status(server):
    return states.status(server.vm_state, server.task_state)


@pytest.fixture
def boot(compute, ctx, clock):
    """An ACTIVE server of ``ctx`` (m1.tiny)."""
    def boot(**kwargs):
        server = compute.servers.create(ctx, "vm", "1", **kwargs)[0]
        clock.advance(2)
        return server.uuid
    return boot


def _get(compute, ctx, uuid):
    return compute.servers.get(ctx, uuid)


#: status -> how to get there from ACTIVE (then wait out the action).
SETUP = {
    "ACTIVE": None,
    "SHUTOFF": lambda a, c, u: a.stop(c, u),
    "PAUSED": lambda a, c, u: a.pause(c, u),
    "SUSPENDED": lambda a, c, u: a.suspend(c, u),
    "RESCUE": lambda a, c, u: a.rescue(c, u),
    "VERIFY_RESIZE": lambda a, c, u: a.resize(c, u, "2"),
}


@pytest.fixture
def server_in(compute, ctx, clock, boot):
    def server_in(status):
        uuid = boot()
        if SETUP[status]:
            SETUP[status](compute.server_actions, ctx, uuid)
            clock.advance(ACTION_TIME)
        assert _status(_get(compute, ctx, uuid)) == status
        return uuid
    return server_in


# (action, start status, status while it runs, end status, end power_state)
FLOWS = [
    (lambda a, c, u: a.reboot(c, u, "SOFT"), "ACTIVE", "REBOOT", "ACTIVE", 1),
    (lambda a, c, u: a.reboot(c, u, "HARD"), "ACTIVE", "HARD_REBOOT",
     "ACTIVE", 1),
    (lambda a, c, u: a.reboot(c, u, "HARD"), "SHUTOFF", "SHUTOFF", "ACTIVE",
     1),
    (lambda a, c, u: a.stop(c, u), "ACTIVE", "ACTIVE", "SHUTOFF", 4),
    (lambda a, c, u: a.stop(c, u), "RESCUE", "RESCUE", "SHUTOFF", 4),
    (lambda a, c, u: a.start(c, u), "SHUTOFF", "SHUTOFF", "ACTIVE", 1),
    (lambda a, c, u: a.pause(c, u), "ACTIVE", "ACTIVE", "PAUSED", 3),
    (lambda a, c, u: a.unpause(c, u), "PAUSED", "PAUSED", "ACTIVE", 1),
    (lambda a, c, u: a.suspend(c, u), "ACTIVE", "ACTIVE", "SUSPENDED", 7),
    (lambda a, c, u: a.resume(c, u), "SUSPENDED", "SUSPENDED", "ACTIVE", 1),
    (lambda a, c, u: a.rescue(c, u), "ACTIVE", "ACTIVE", "RESCUE", 1),
    (lambda a, c, u: a.rescue(c, u), "SHUTOFF", "SHUTOFF", "RESCUE", 1),
    (lambda a, c, u: a.unrescue(c, u), "RESCUE", "RESCUE", "ACTIVE", 1),
    (lambda a, c, u: a.change_password(c, u, "pw"), "ACTIVE", "PASSWORD",
     "ACTIVE", 1),
    (lambda a, c, u: a.create_image(c, u, "snap"), "ACTIVE", "ACTIVE",
     "ACTIVE", 1),
    (lambda a, c, u: a.create_image(c, u, "snap"), "PAUSED", "PAUSED",
     "PAUSED", 3),
    (lambda a, c, u: a.rebuild(c, u, "img2"), "ACTIVE", "REBUILD", "ACTIVE",
     1),
    (lambda a, c, u: a.rebuild(c, u, "img2"), "SHUTOFF", "REBUILD",
     "SHUTOFF", 4),
    (lambda a, c, u: a.resize(c, u, "2"), "ACTIVE", "RESIZE",
     "VERIFY_RESIZE", 1),
    (lambda a, c, u: a.resize(c, u, "2"), "SHUTOFF", "RESIZE",
     "VERIFY_RESIZE", 4),
    (lambda a, c, u: a.revert_resize(c, u), "VERIFY_RESIZE", "REVERT_RESIZE",
     "ACTIVE", 1),
]


@pytest.mark.parametrize("action,start,during,end,power", FLOWS)
def test_flow(compute, ctx, clock, server_in, action, start, during, end,
              power):
    uuid = server_in(start)
    action(compute.server_actions, ctx, uuid)
    assert _status(_get(compute, ctx, uuid)) == during
    clock.advance(ACTION_TIME - 0.001)
    assert _status(_get(compute, ctx, uuid)) == during
    clock.advance(0.001)
    server = _get(compute, ctx, uuid)
    assert (_status(server), server.task_state, server.power_state) == (
        end, None, power)
    assert server.updated_at == clock.now


# Where each action is allowed (nova's check_instance_state), by status.
ALLOWED = {
    "reboot": {"ACTIVE"},
    "stop": {"ACTIVE", "RESCUE"},
    "start": {"SHUTOFF"},
    "pause": {"ACTIVE"},
    "unpause": {"PAUSED"},
    "suspend": {"ACTIVE"},
    "resume": {"SUSPENDED"},
    "rescue": {"ACTIVE", "SHUTOFF"},
    "unrescue": {"RESCUE"},
    "rebuild": {"ACTIVE", "SHUTOFF"},
    "resize": {"ACTIVE", "SHUTOFF"},
    "confirmResize": {"VERIFY_RESIZE"},
    "revertResize": {"VERIFY_RESIZE"},
    "changePassword": {"ACTIVE"},
    "createImage": {"ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"},
}
CALLS = {
    "reboot": lambda a, c, u: a.reboot(c, u, "SOFT"),
    "stop": lambda a, c, u: a.stop(c, u),
    "start": lambda a, c, u: a.start(c, u),
    "pause": lambda a, c, u: a.pause(c, u),
    "unpause": lambda a, c, u: a.unpause(c, u),
    "suspend": lambda a, c, u: a.suspend(c, u),
    "resume": lambda a, c, u: a.resume(c, u),
    "rescue": lambda a, c, u: a.rescue(c, u),
    "unrescue": lambda a, c, u: a.unrescue(c, u),
    "rebuild": lambda a, c, u: a.rebuild(c, u, "img"),
    "resize": lambda a, c, u: a.resize(c, u, "3"),
    "confirmResize": lambda a, c, u: a.confirm_resize(c, u),
    "revertResize": lambda a, c, u: a.revert_resize(c, u),
    "changePassword": lambda a, c, u: a.change_password(c, u, "pw"),
    "createImage": lambda a, c, u: a.create_image(c, u, "snap"),
}
VM_STATE = {"ACTIVE": "active", "SHUTOFF": "stopped", "PAUSED": "paused",
            "SUSPENDED": "suspended", "RESCUE": "rescued",
            "VERIFY_RESIZE": "resized"}


@pytest.mark.parametrize("status", sorted(SETUP))
def test_conflicts_by_vm_state(compute, ctx, server_in, status):
    uuid = server_in(status)
    for name, call in CALLS.items():
        if status in ALLOWED[name]:
            continue
        with pytest.raises(exception.InstanceInvalidState) as err:
            call(compute.server_actions, ctx, uuid)
        assert str(err.value) == (
            "Cannot '%s' instance %s while it is in vm_state %s"
            % (name, uuid, VM_STATE[status])), name
        assert (err.value.code, err.value.safe) == (409, True)
    assert _status(_get(compute, ctx, uuid)) == status


def test_conflicts_while_building(compute, ctx):
    uuid = compute.servers.create(ctx, "vm", "1")[0].uuid
    for name, call in CALLS.items():
        with pytest.raises(exception.InstanceInvalidState,
                           match="Cannot '%s' instance %s while it is in "
                           "vm_state building$" % (name, uuid)):
            call(compute.server_actions, ctx, uuid)
    with pytest.raises(exception.InstanceNotReady) as err:
        compute.server_actions.get_console_output(ctx, uuid)
    assert err.value.code == 409


def test_conflicts_during_a_task(compute, ctx, boot):
    uuid = boot()
    compute.server_actions.reboot(ctx, uuid, "SOFT")
    for name, call in CALLS.items():
        # The vm_state is checked first.
        where = ("task_state rebooting" if "ACTIVE" in ALLOWED[name]
                 else "vm_state active")
        with pytest.raises(exception.InstanceInvalidState,
                           match="Cannot '%s' instance %s while it is in "
                           "%s$" % (name, uuid, where)):
            call(compute.server_actions, ctx, uuid)
    # A hard reboot may take over a soft one.
    compute.server_actions.reboot(ctx, uuid, "HARD")
    assert _status(_get(compute, ctx, uuid)) == "HARD_REBOOT"
    with pytest.raises(exception.Invalid):
        compute.server_actions.reboot(ctx, uuid, "MEDIUM")


def test_delete_is_allowed_in_any_state(compute, ctx, boot):
    uuid = boot()
    compute.server_actions.reboot(ctx, uuid, "HARD")
    compute.servers.delete(ctx, uuid)
    building = compute.servers.create(ctx, "vm", "1")[0].uuid
    compute.servers.delete(ctx, building)
    assert compute.servers.list(ctx) == []


def test_lock(compute, ctx, admin_ctx, clock, boot):
    uuid = boot()
    compute.server_actions.lock(ctx, uuid, reason="maintenance")
    server = _get(compute, ctx, uuid)
    assert (server.locked, server.locked_by, server.locked_reason) == (
        True, "owner", "maintenance")
    assert compute.servers.list(ctx, filters={"locked": True})
    for call in (lambda: compute.server_actions.stop(ctx, uuid),
                 lambda: compute.server_actions.reboot(ctx, uuid, "HARD"),
                 lambda: compute.servers.update_metadata(ctx, uuid, {"a": "b"}),
                 lambda: compute.servers.delete_metadata_item(ctx, uuid, "a"),
                 lambda: compute.servers.delete(ctx, uuid)):
        with pytest.raises(exception.InstanceIsLocked,
                           match="Instance %s is locked" % uuid) as err:
            call()
        assert err.value.code == 409
    compute.server_actions.create_image(ctx, uuid, "snap")  # not lock-checked
    clock.advance(ACTION_TIME)
    compute.server_actions.stop(admin_ctx, uuid)  # admins pass a lock
    compute.server_actions.unlock(ctx, uuid)
    server = _get(compute, ctx, uuid)
    assert (server.locked, server.locked_by, server.locked_reason) == (
        False, None, None)


def test_admin_lock_needs_admin_to_unlock(compute, ctx, admin_ctx, boot):
    uuid = boot()
    compute.server_actions.lock(admin_ctx, uuid)
    assert _get(compute, ctx, uuid).locked_by == "admin"
    with pytest.raises(exception.Forbidden) as err:
        compute.server_actions.unlock(ctx, uuid)
    assert err.value.code == 403
    compute.server_actions.unlock(admin_ctx, uuid)
    assert not _get(compute, ctx, uuid).locked


def test_resize_confirm(compute, ctx, clock, boot):
    uuid = boot()
    compute.server_actions.resize(ctx, uuid, "2")
    clock.advance(ACTION_TIME)
    server = _get(compute, ctx, uuid)
    assert (server.flavorid, server.memory_mb, server.old_flavor["name"]) == (
        "2", 2048, "m1.tiny")
    assert server.launched_at == clock.now
    compute.server_actions.confirm_resize(ctx, uuid)
    server = _get(compute, ctx, uuid)
    assert (_status(server), server.flavor["name"], server.old_flavor) == (
        "ACTIVE", "m1.small", None)
    assert "old_vm_state" not in server.system_meta
    assert compute.quotas.get_limits(ctx)["totalRAMUsed"] == 2048


def test_resize_stopped_confirms_to_shutoff(compute, ctx, clock, boot):
    uuid = boot()
    compute.server_actions.stop(ctx, uuid)
    clock.advance(ACTION_TIME)
    compute.server_actions.resize(ctx, uuid, "2")
    clock.advance(ACTION_TIME)
    compute.server_actions.confirm_resize(ctx, uuid)
    assert _status(_get(compute, ctx, uuid)) == "SHUTOFF"


def test_resize_revert_restores_flavor(compute, ctx, clock, boot):
    uuid = boot()
    compute.server_actions.resize(ctx, uuid, "2")
    clock.advance(ACTION_TIME)
    compute.server_actions.revert_resize(ctx, uuid)
    server = _get(compute, ctx, uuid)
    assert (_status(server), server.flavorid, server.vcpus) == (
        "REVERT_RESIZE", "1", 1)
    clock.advance(ACTION_TIME)
    assert _status(_get(compute, ctx, uuid)) == "ACTIVE"


def test_resize_errors(compute, ctx, boot, override, admin_ctx):
    uuid = boot()
    with pytest.raises(exception.CannotResizeToSameFlavor) as err:
        compute.server_actions.resize(ctx, uuid, "1")
    assert err.value.code == 400
    with pytest.raises(exception.FlavorNotFound):
        compute.server_actions.resize(ctx, uuid, "nope")
    compute.flavors.create(admin_ctx, "small-disk", 64, 1, 0, flavorid="s")
    with pytest.raises(exception.ResizeError,
                       match="Unable to resize disk down."):
        compute.server_actions.resize(ctx, uuid, "s")
    override("cores", 2, "quota")
    with pytest.raises(exception.TooManyInstances,
                       match="Quota exceeded for cores: Requested 3, but "
                             "already used 1 of 2 cores"):
        compute.server_actions.resize(ctx, uuid, "4")
    compute.server_actions.resize(ctx, uuid, "3")  # +1 core fits


def test_rebuild_changes(compute, ctx, clock, boot):
    compute.keypairs.create(ctx, "k1")
    uuid = boot(key_name="k1", metadata={"old": "1"})
    key2, _ = compute.keypairs.create(ctx, "k2")
    server = compute.server_actions.rebuild(
        ctx, uuid, "img-new", name="new", metadata={"new": "2"},
        key_name="k2", user_data="dXNlcg==", description="d")
    assert (server.image_ref, server.name, server.meta, server.key_name,
            server.key_data, server.user_data, server.description) == (
        "img-new", "new", {"new": "2"}, "k2", key2.public_key, "dXNlcg==",
        "d")
    clock.advance(ACTION_TIME)
    compute.server_actions.rebuild(ctx, uuid, "img-3", key_name=None)
    server = _get(compute, ctx, uuid)
    assert (server.key_name, server.key_data, server.key_type) == (
        None, None, None)
    with pytest.raises(TypeError):
        compute.server_actions.rebuild(ctx, uuid, "i", vm_state="active")


def test_create_image_returns_an_id(compute, ctx, boot):
    uuid = boot()
    image_id = compute.server_actions.create_image(ctx, uuid, "snap",
                                                   {"a": "b"})
    assert len(image_id) == 36 and image_id != uuid
    assert _get(compute, ctx, uuid).task_state == "image_snapshot"


def test_console_output(compute, ctx, boot):
    uuid = boot()
    full = compute.server_actions.get_console_output(ctx, uuid)
    lines = full.splitlines()
    assert lines[-1] == "vm login: " and "10.0.0.2" in full
    assert compute.server_actions.get_console_output(ctx, uuid, -1) == full
    assert compute.server_actions.get_console_output(ctx, uuid, 1) == \
        "vm login: \n"
    assert compute.server_actions.get_console_output(ctx, uuid, 0) == ""

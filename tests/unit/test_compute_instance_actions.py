"""minova_tw.compute.instance_actions: what each action records, events finishing with their transition, paging, deleted servers."""

import datetime

import pytest

from minova_tw.compute import exception
from tests.unit.conftest import START

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
BUILD_DONE = START + datetime.timedelta(seconds=2)


def _at(seconds):
    return START + datetime.timedelta(seconds=seconds)


@pytest.fixture
def server(compute, ctx, clock):
    """An ACTIVE server of ``ctx``, booted at START (build_time 2 s)."""
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    clock.advance(2)
    return uuid


def _names(compute, ctx, uuid, **kwargs):
    return [row.action for row in compute.instance_actions.list(
        ctx, uuid, **kwargs)]


def _events(compute, ctx, uuid, request_id):
    action, events, _ = compute.instance_actions.get(ctx, uuid, request_id,
                                                     read_deleted=True)
    return action, [(e.event, e.start_time, e.finish_time, e.result)
                    for e in events]


def test_create_finishes_when_the_server_is_built(compute, make_context,
                                                  clock):
    ctx = make_context(request_id="req-boot")
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    clock.advance(1)
    action, events = _events(compute, ctx, uuid, "req-boot")
    assert (action.action, action.instance_uuid, action.user_id,
            action.project_id, action.start_time, action.updated_at,
            action.message) == ("create", uuid, "user-a", "project-a",
                                START, START, None)
    # Newest first; not finished while the server builds.
    assert events == [
        ("compute__do_build_and_run_instance", START, None, None),
        ("conductor_schedule_and_build_instances", START, None, None)]
    clock.advance(1)
    action, events = _events(compute, ctx, uuid, "req-boot")
    assert action.updated_at == BUILD_DONE
    assert {event[2:] for event in events} == {(BUILD_DONE, "Success")}


#: (call on ServerActionAPI, nova's action name, its events)
ACTIONS = [
    (lambda a, c, u: a.reboot(c, u, "SOFT"), "reboot",
     ["compute_reboot_instance"]),
    (lambda a, c, u: a.stop(c, u), "stop", ["compute_stop_instance"]),
    (lambda a, c, u: a.pause(c, u), "pause", ["compute_pause_instance"]),
    (lambda a, c, u: a.suspend(c, u), "suspend",
     ["compute_suspend_instance"]),
    (lambda a, c, u: a.rescue(c, u), "rescue", ["compute_rescue_instance"]),
    (lambda a, c, u: a.change_password(c, u, "pw"), "changePassword",
     ["compute_set_admin_password"]),
    (lambda a, c, u: a.create_image(c, u, "snap"), "createImage",
     ["compute_snapshot_instance"]),
    (lambda a, c, u: a.rebuild(c, u, IMAGE), "rebuild",
     ["compute_rebuild_instance", "conductor_rebuild_server"]),
    (lambda a, c, u: a.resize(c, u, "2"), "resize",
     ["compute_finish_resize", "compute_resize_instance",
      "compute_prep_resize", "conductor_migrate_server"]),
    (lambda a, c, u: a.lock(c, u), "lock", []),
    (lambda a, c, u: a.trigger_crash_dump(c, u), "trigger_crash_dump",
     ["compute_trigger_crash_dump"]),
]


@pytest.mark.parametrize("call, name, events", ACTIONS,
                         ids=[name for _, name, _ in ACTIONS])
def test_each_action_records_nova_names(compute, make_context, clock,
                                        server, call, name, events):
    ctx = make_context(request_id="req-act")
    call(compute.server_actions, ctx, server)
    action, recorded = _events(compute, ctx, server, "req-act")
    assert action.action == name
    assert [event[0] for event in recorded] == events
    assert _names(compute, ctx, server) == [name, "create"]


def test_the_way_back_records_too(compute, ctx, clock, server):
    actions = compute.server_actions
    for forth, back in ((actions.stop, actions.start),
                        (actions.pause, actions.unpause),
                        (actions.suspend, actions.resume),
                        (actions.rescue, actions.unrescue)):
        forth(ctx, server)
        clock.advance(1)
        back(ctx, server)
        clock.advance(1)
    actions.resize(ctx, server, "2")
    clock.advance(1)
    actions.confirm_resize(ctx, server)
    actions.resize(ctx, server, "3")
    clock.advance(1)
    actions.revert_resize(ctx, server)
    actions.lock(ctx, server)
    actions.unlock(ctx, server)
    compute.servers.delete(ctx, server)
    assert _names(compute, ctx, server, read_deleted=True) == [
        "delete", "unlock", "lock", "revertResize", "resize",
        "confirmResize", "resize", "unrescue", "rescue", "resume",
        "suspend", "unpause", "pause", "start", "stop", "create"]


def test_event_finishes_with_the_transition(compute, make_context, clock,
                                            server):
    ctx = make_context(request_id="req-stop")
    compute.server_actions.stop(ctx, server)
    clock.advance(0.5)
    assert _events(compute, ctx, server, "req-stop")[1] == [
        ("compute_stop_instance", BUILD_DONE, None, None)]
    clock.advance(0.5)
    action, events = _events(compute, ctx, server, "req-stop")
    assert events == [("compute_stop_instance", BUILD_DONE, _at(3),
                       "Success")]
    assert (action.start_time, action.updated_at) == (BUILD_DONE, _at(3))


def test_a_replaced_transition_ends_its_events_failed(
        compute, make_context, clock, server):
    soft = make_context(request_id="req-soft")
    hard = make_context(request_id="req-hard")
    compute.server_actions.reboot(soft, server, "SOFT")
    clock.advance(0.5)
    compute.server_actions.reboot(hard, server, "HARD")
    clock.advance(5)
    action, events = _events(compute, soft, server, "req-soft")
    assert action.message == "Error"
    assert events == [("compute_reboot_instance", BUILD_DONE, _at(2.5),
                       "Error")]
    action, events = _events(compute, hard, server, "req-hard")
    assert action.message is None
    assert events == [("compute_reboot_instance", _at(2.5), _at(3.5),
                       "Success")]


def test_delete_while_building_fails_the_build(compute, make_context, clock):
    ctx = make_context(request_id="req-boot")
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    clock.advance(1)
    compute.servers.delete(make_context(request_id="req-del"), uuid)
    clock.advance(5)
    action, events = _events(compute, ctx, uuid, "req-boot")
    assert action.message == "Error"
    assert {event[2:] for event in events} == {(_at(1), "Error")}
    _, events = _events(compute, ctx, uuid, "req-del")
    assert events == [("compute_terminate_instance", _at(1), _at(1),
                       "Success")]


def test_deleted_servers_actions_need_read_deleted(compute, ctx, server):
    compute.servers.delete(ctx, server)
    with pytest.raises(exception.InstanceNotFound):
        compute.instance_actions.list(ctx, server)
    assert _names(compute, ctx, server, read_deleted=True) == [
        "delete", "create"]


def test_other_projects_see_nothing_admins_everything(
        compute, other_ctx, admin_ctx, ctx, server):
    with pytest.raises(exception.InstanceNotFound):
        compute.instance_actions.list(other_ctx, server)
    with pytest.raises(exception.InstanceNotFound):
        compute.instance_actions.get(other_ctx, server, "req-x")
    assert _names(compute, admin_ctx, server) == ["create"]
    with pytest.raises(exception.InstanceActionNotFound) as caught:
        compute.instance_actions.get(ctx, server, "req-x")
    assert caught.value.format_message() == "Action req-x not found"


def test_paging_and_changes_window(compute, make_context, clock, server):
    for n in range(3):
        compute.server_actions.lock(make_context(request_id="req-%d" % n),
                                    server)
        clock.advance(1)
    page = compute.instance_actions.list
    ctx = make_context()
    rows = page(ctx, server, paged=True, limit=2)
    assert [r.request_id for r in rows] == ["req-2", "req-1"]
    rows = page(ctx, server, paged=True, marker="req-1")
    assert [r.request_id for r in rows][:1] == ["req-0"]
    assert [r.action for r in rows] == ["lock", "create"]
    assert page(ctx, server, paged=True, limit=0) == []
    rows = page(ctx, server, paged=True, changes_since=_at(3),
                changes_before=_at(3))
    assert [r.request_id for r in rows] == ["req-1"]
    with pytest.raises(exception.MarkerNotFound):
        page(ctx, server, paged=True, marker="req-none")

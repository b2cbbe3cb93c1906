"""minova_tw.compute.volume_attachments and volumes: attach with device names, one server per volume, update and swap, detach, the states nova refuses."""

import pytest

from minova_tw.compute import exception

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
VOL = "6f6b8a16-5a6e-4d2b-9d2c-3a1c1f5a0b01"
VOL2 = "6f6b8a16-5a6e-4d2b-9d2c-3a1c1f5a0b02"


@pytest.fixture
def server(compute, ctx, clock):
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    clock.advance(2)
    return uuid


def test_devices_are_the_next_free_ones(compute, ctx, server):
    volumes = compute.volume_attachments
    assert volumes.attach(ctx, server, VOL, device="/dev/vdc").device_name == (
        "/dev/vdc")
    assert volumes.attach(ctx, server, VOL2).device_name == "/dev/vdb"
    assert [(r.volume_id, r.device_name) for r in volumes.list(
        ctx, server)] == [(VOL, "/dev/vdc"), (VOL2, "/dev/vdb")]
    with pytest.raises(exception.InvalidDevicePath):
        volumes.attach(ctx, server, IMAGE, device="vdz")


def test_attach_and_detach_record_actions(compute, ctx, server):
    compute.volume_attachments.attach(ctx, server, VOL, tag="t",
                                      delete_on_termination=True)
    row = compute.volume_attachments.get(ctx, server, VOL)
    assert (row.tag, row.delete_on_termination, row.boot_index) == (
        "t", True, None)
    compute.volume_attachments.detach(ctx, server, VOL)
    with pytest.raises(exception.VolumeNotAttached):
        compute.volume_attachments.get(ctx, server, VOL)
    actions = compute.instance_actions.list(ctx, server)
    assert [a.action for a in actions][:2] == ["detach_volume",
                                                "attach_volume"]


def test_another_project_sees_no_server(compute, ctx, other_ctx, server):
    with pytest.raises(exception.InstanceNotFound):
        compute.volume_attachments.attach(other_ctx, server, VOL)


def test_update_and_swap(compute, ctx, admin_ctx, server):
    volumes = compute.volume_attachments
    volumes.attach(ctx, server, VOL)
    volumes.update(ctx, server, VOL, VOL, {"delete_on_termination": True,
                                           "device": "/dev/vdb"})
    assert volumes.get(ctx, server, VOL).delete_on_termination is True
    with pytest.raises(exception.Invalid) as caught:
        volumes.update(ctx, server, VOL, VOL, {"tag": "new"})
    assert caught.value.format_message() == "The tag property is not mutable"
    with pytest.raises(exception.PolicyNotAuthorized):
        volumes.update(ctx, server, VOL, VOL2, {})
    volumes.update(admin_ctx, server, VOL, VOL2)
    assert [r.volume_id for r in volumes.list(ctx, server)] == [VOL2]
    volumes.attach(ctx, server, VOL)
    with pytest.raises(exception.InvalidVolume):
        volumes.update(admin_ctx, server, VOL, VOL2)


def test_server_delete_frees_the_volume(compute, ctx, clock, server):
    compute.volume_attachments.attach(ctx, server, VOL)
    compute.servers.delete(ctx, server)
    other = compute.servers.create(ctx, "vm2", "1", IMAGE)[0].uuid
    clock.advance(2)
    assert compute.volume_attachments.attach(ctx, other, VOL).volume_id == VOL


def test_boot_from_volume(compute, ctx):
    [instance] = compute.servers.create(ctx, "bfv", "1", "", block_devices=[
        {"volume_id": VOL, "boot_index": 0, "delete_on_termination": True}])
    assert [(r.volume_id, r.device_name, r.boot_index)
            for r in instance.volume_attachments] == [(VOL, "/dev/vda", 0)]
    with pytest.raises(exception.InvalidVolume):
        compute.servers.create(ctx, "again", "1", "", block_devices=[
            {"volume_id": VOL, "boot_index": 0,
             "delete_on_termination": False}])


def test_refused_while_building(compute, ctx):
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    with pytest.raises(exception.InstanceInvalidState):
        compute.volume_attachments.attach(ctx, uuid, VOL)
    assert compute.volume_attachments.find_volume(VOL) is None

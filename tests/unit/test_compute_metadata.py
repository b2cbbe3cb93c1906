"""minova_tw.compute.metadata: the metadata service's lookups and the guest password."""

import pytest

from minova_tw.compute import exception, metadata


@pytest.fixture
def server(compute, ctx):
    return compute.servers.create(ctx, "vm", "1", user_data="aGk=")[0]


def test_by_address(compute, server):
    found = compute.metadata.get_by_address("10.0.0.2")
    assert (found.uuid, found.user_data) == (server.uuid, "aGk=")
    with pytest.raises(exception.InstanceNotFound):
        compute.metadata.get_by_address("10.0.0.3")


def test_by_address_not_after_delete(compute, ctx, server):
    compute.servers.delete(ctx, server.uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.metadata.get_by_address("10.0.0.2")


def test_by_uuid_with_project(compute, server):
    assert compute.metadata.get_by_uuid(server.uuid).uuid == server.uuid
    assert compute.metadata.get_by_uuid(server.uuid, "project-a").uuid == \
        server.uuid
    with pytest.raises(exception.InstanceNotFound):
        compute.metadata.get_by_uuid(server.uuid, "project-b")


def test_password_set_once(compute, server):
    assert metadata.password(compute.metadata.get_by_uuid(server.uuid)) == ""
    secret = "x" * 300 + "y" * 720
    compute.metadata.set_password(server.uuid, secret)
    stored = compute.metadata.get_by_uuid(server.uuid)
    assert metadata.password(stored) == secret
    assert [len(stored.system_meta["password_%d" % i]) for i in range(4)] == [
        255, 255, 255, 255]
    with pytest.raises(exception.PasswordAlreadySet) as err:
        compute.metadata.set_password(server.uuid, "other")
    assert err.value.code == 409
    assert metadata.password(compute.metadata.get_by_uuid(server.uuid)) == \
        secret


def test_password_too_long(compute, server):
    with pytest.raises(exception.PasswordTooLong) as err:
        compute.metadata.set_password(server.uuid, "z" * 1021)
    assert err.value.code == 400
    compute.metadata.set_password(server.uuid, "short")
    assert metadata.password(compute.metadata.get_by_uuid(server.uuid)) == \
        "short"

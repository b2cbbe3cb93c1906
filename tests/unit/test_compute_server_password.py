"""minova_tw.compute.server_password: what the guest posted, read back and cleared."""

import pytest

from minova_tw.compute import exception, metadata

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def test_show_and_clear(compute, ctx, other_ctx):
    server = compute.servers.create(ctx, "vm", "1", IMAGE,
                                    metadata={"k": "v"})[0].uuid
    passwords = compute.server_password
    assert passwords.show(ctx, server) == ""
    compute.metadata.set_password(server, "s" * 600)
    assert passwords.show(ctx, server) == "s" * 600
    with pytest.raises(exception.InstanceNotFound):
        passwords.show(other_ctx, server)
    with pytest.raises(exception.InstanceNotFound):
        passwords.clear(other_ctx, server)
    passwords.clear(ctx, server)
    assert passwords.show(ctx, server) == ""
    stored = compute.metadata.get_by_uuid(server)
    assert not any(key.startswith("password_") for key in stored.system_meta)
    assert stored.meta == {"k": "v"}
    # Cleared, the guest may post again.
    compute.metadata.set_password(server, "new")
    assert metadata.password(compute.metadata.get_by_uuid(server)) == "new"

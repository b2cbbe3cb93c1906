"""RequestContext: nova's extra fields, admin from roles, round trip."""

from minova_tw import context


def test_admin_role_makes_admin_unless_said_otherwise():
    assert context.RequestContext(roles=["Admin"]).is_admin is True
    assert context.RequestContext(roles=["reader"]).is_admin is False
    assert context.RequestContext(roles=["admin"], is_admin=False
                                  ).is_admin is False


def test_round_trip_keeps_nova_fields():
    ctx = context.RequestContext(
        user_id="u", project_id="p", remote_address="10.0.0.1",
        service_catalog=[{"type": "image"}], request_id="req-1",
        global_request_id="req-2")
    copy = context.RequestContext.from_dict(ctx.to_dict())
    assert (copy.user_id, copy.project_id, copy.remote_address,
            copy.service_catalog, copy.request_id,
            copy.global_request_id) == (
        "u", "p", "10.0.0.1", [{"type": "image"}], "req-1", "req-2")


def test_elevated_is_an_admin_copy():
    ctx = context.RequestContext(user_id="u", roles=["reader"])
    admin = ctx.elevated()
    assert admin.is_admin and "admin" in admin.roles
    assert not ctx.is_admin and ctx.roles == ["reader"]


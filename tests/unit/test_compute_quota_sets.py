"""minova_tw.compute.quota_sets, and the limits compute.quotas enforces, on every database."""

import pytest

from minova_tw.compute import exception

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def test_the_closest_limit_wins(compute, ctx, admin_ctx, override):
    """user > project > class "default" > [quota]; delete goes back."""
    qs = compute.quota_sets
    override("instances", 9, "quota")
    assert qs.get(ctx, "project-a")["instances"] == 9
    qs.update_class(admin_ctx, "default", {"instances": 8, "cores": 7})
    assert qs.get_defaults(ctx, "any")["instances"] == 8
    assert qs.get_class(admin_ctx, "other")["instances"] == 9
    qs.update(admin_ctx, "project-a", {"instances": 6})
    qs.update(admin_ctx, "project-a", {"instances": 5}, user_id="user-a")
    qs.update(admin_ctx, "project-a", {"instances": 4}, user_id="user-a")
    assert qs.get(ctx, "project-a")["instances"] == 6
    assert qs.get(ctx, "project-a", user_id="user-a")["instances"] == 4
    assert qs.get(ctx, "project-a", user_id="user-a")["cores"] == 7
    assert qs.get(admin_ctx, "project-b")["instances"] == 8
    qs.update_class(admin_ctx, "default", {"instances": 3})
    assert qs.get_defaults(ctx, "any") == qs.get(admin_ctx, "project-b")
    assert qs.get_defaults(ctx, "any")["instances"] == 3
    qs.delete(admin_ctx, "project-a", user_id="user-a")
    assert qs.get(ctx, "project-a", user_id="user-a")["instances"] == 6
    qs.update(admin_ctx, "project-a", {"cores": 1}, user_id="user-a")
    qs.delete(admin_ctx, "project-a")  # its users' limits go too
    assert qs.get(ctx, "project-a", user_id="user-a") == qs.get_defaults(
        ctx, "project-a")
    with pytest.raises(exception.Forbidden):
        qs.get(ctx, "project-b")


def test_ranges_of_a_new_limit(compute, ctx, admin_ctx):
    qs = compute.quota_sets
    compute.servers.create(ctx, "vm", "3", IMAGE, max_count=2)  # 2 vCPUs
    with pytest.raises(exception.Invalid, match=(
            "Quota limit 3 for cores must be greater than or equal to "
            "already used and reserved 4.")):
        qs.update(admin_ctx, "project-a", {"cores": 3})
    assert qs.update(admin_ctx, "project-a", {"cores": 3},
                     force=True)["cores"] == 3
    qs.update(admin_ctx, "project-a", {"cores": 20, "instances": 10})
    # A user may have what the project has not given to others.
    qs.update(admin_ctx, "project-a", {"instances": 6}, user_id="user-b")
    with pytest.raises(exception.Invalid, match=(
            "Quota limit 5 for instances must be less than or equal to 4.")):
        qs.update(admin_ctx, "project-a", {"instances": 5},
                  user_id="user-a")
    with pytest.raises(exception.Invalid, match="less than or equal to 4"):
        qs.update(admin_ctx, "project-a", {"instances": -1},
                  user_id="user-a")
    with pytest.raises(exception.Invalid, match=(
            "greater than or equal to already used and reserved 2")):
        qs.update(admin_ctx, "project-a", {"instances": 1},
                  user_id="user-a")
    qs.update(admin_ctx, "project-a", {"instances": 4}, user_id="user-a")
    # The project may not drop below what its users have (6 + 4).
    with pytest.raises(exception.Invalid, match="reserved 10"):
        qs.update(admin_ctx, "project-a", {"instances": 9})
    assert qs.update(admin_ctx, "project-a", {"instances": -1})[
        "instances"] == -1
    detail = qs.get_detail(ctx, "project-a", user_id="user-a")
    assert detail["instances"] == {"limit": 4, "in_use": 2, "reserved": 0}
    assert detail["key_pairs"] == {"limit": 100, "in_use": 0, "reserved": 0}


def test_every_check_reads_the_limits_in_effect(compute, ctx, other_ctx,
                                                admin_ctx, make_context,
                                                clock, conf):
    qs = compute.quota_sets
    qs.update(admin_ctx, "project-a", {"instances": 5, "metadata_items": 1})
    qs.update(admin_ctx, "project-a", {"instances": 1, "key_pairs": 1},
              user_id="user-a")
    server = compute.servers.create(ctx, "vm", "1", IMAGE, max_count=3)[0]
    assert compute.servers.create(
        other_ctx, "vm", "1", IMAGE, max_count=3)  # another project
    with pytest.raises(exception.TooManyInstances, match=(
            "Requested 1, but already used 1 of 1 instances")):
        compute.servers.create(ctx, "vm", "1", IMAGE)
    with pytest.raises(exception.MetadataLimitExceeded,
                       match="exceeds 1"):
        compute.servers.create(make_context("user-c", "project-a"), "vm",
                               "1", IMAGE, metadata={"a": "1", "b": "2"})
    clock.advance(conf.minova.build_time)
    with pytest.raises(exception.MetadataLimitExceeded):
        compute.servers.update_metadata(ctx, server.uuid,
                                        {"a": "1", "b": "2"})
    compute.keypairs.create(ctx, "one")
    with pytest.raises(exception.KeypairLimitExceeded):
        compute.keypairs.create(ctx, "two")
    qs.update_class(admin_ctx, "default", {"server_group_members": 2})
    limits = compute.quotas.get_limits(ctx)
    assert (limits["maxTotalInstances"], limits["maxServerMeta"],
            limits["maxTotalKeypairs"], limits["maxServerGroupMembers"],
            limits["totalInstancesUsed"]) == (5, 1, 100, 2, 1)
    theirs = compute.quotas.get_limits(admin_ctx, project_id="project-a")
    assert theirs == limits

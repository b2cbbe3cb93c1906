"""minova_tw.compute.flavors: visibility, filters, sorting, paging, admin changes."""

import pytest

from minova_tw.compute import exception


def _ids(flavors):
    return [f.flavorid for f in flavors]


def test_list_defaults_to_flavorid_order(compute, ctx):
    assert _ids(compute.flavors.list(ctx)) == ["1", "2", "3", "4", "5"]


def test_filters(compute, ctx):
    assert _ids(compute.flavors.list(ctx, min_ram=4096)) == ["3", "4", "5"]
    assert _ids(compute.flavors.list(ctx, min_disk=80)) == ["4", "5"]
    assert _ids(compute.flavors.list(ctx, name="m1.small")) == ["2"]
    # a regular expression searched in the name, as nova's REGEXP
    assert _ids(compute.flavors.list(ctx, name="large$")) == ["4", "5"]
    assert _ids(compute.flavors.list(ctx, name="^m1\\.(tiny|xlarge)")) == [
        "1", "5"]
    with pytest.raises(exception.Invalid,
                       match=r"Invalid regular expression: m1\($"):
        compute.flavors.list(ctx, name="m1(")


def test_sort_and_invalid_sort(compute, ctx):
    flavors = compute.flavors.list(ctx, sort_key="memory_mb", sort_dir="desc")
    assert _ids(flavors) == ["5", "4", "3", "2", "1"]
    with pytest.raises(exception.InvalidSortKey):
        compute.flavors.list(ctx, sort_key="bogus")
    with pytest.raises(exception.Invalid):
        compute.flavors.list(ctx, sort_dir="sideways")


def test_paging(compute, ctx, override):
    assert _ids(compute.flavors.list(ctx, limit=2)) == ["1", "2"]
    assert _ids(compute.flavors.list(ctx, limit=2, marker="2")) == ["3", "4"]
    assert _ids(compute.flavors.list(ctx, marker="5")) == []
    assert _ids(compute.flavors.list(ctx, limit=0)) == []
    override("max_limit", 3, "api")
    assert _ids(compute.flavors.list(ctx, limit=100)) == ["1", "2", "3"]
    with pytest.raises(exception.MarkerNotFound,
                       match=r"marker \[nope\] not found") as err:
        compute.flavors.list(ctx, marker="nope")
    assert err.value.code == 400 and err.value.safe


def test_private_flavors(compute, ctx, other_ctx, admin_ctx):
    compute.flavors.create(admin_ctx, "private", 256, 1, 1, flavorid="p1",
                           is_public=False)
    assert "p1" not in _ids(compute.flavors.list(ctx))
    with pytest.raises(exception.FlavorNotFound):
        compute.flavors.get(ctx, "p1")
    with pytest.raises(exception.MarkerNotFound):
        compute.flavors.list(ctx, marker="p1")
    compute.flavors.add_access(admin_ctx, "p1", ctx.project_id)
    assert "p1" in _ids(compute.flavors.list(ctx))
    assert compute.flavors.get(ctx, "p1").name == "private"
    assert "p1" not in _ids(compute.flavors.list(other_ctx))
    assert _ids(compute.flavors.list(admin_ctx, is_public=False)) == ["p1"]
    assert len(compute.flavors.list(admin_ctx, is_public=None)) == 6
    assert compute.flavors.list_access(admin_ctx, "p1") == [
        "admin-project", "project-a"]
    with pytest.raises(exception.FlavorAccessExists):
        compute.flavors.add_access(admin_ctx, "p1", ctx.project_id)
    compute.flavors.remove_access(admin_ctx, "p1", ctx.project_id)
    with pytest.raises(exception.FlavorAccessNotFound):
        compute.flavors.remove_access(admin_ctx, "p1", ctx.project_id)
    assert "p1" not in _ids(compute.flavors.list(ctx))


def test_create_update_delete(compute, ctx, admin_ctx, clock):
    flavor = compute.flavors.create(admin_ctx, "new", 1024, 2, 10,
                                    description="d")
    assert len(flavor.flavorid) == 36 and flavor.created_at == clock.now
    with pytest.raises(exception.FlavorExists,
                       match="Flavor with name new already exists."):
        compute.flavors.create(admin_ctx, "new", 1, 1, 1)
    with pytest.raises(exception.FlavorIdExists) as err:
        compute.flavors.create(admin_ctx, "other", 1, 1, 1, flavorid="1")
    assert err.value.code == 409
    clock.advance(5)
    updated = compute.flavors.update(admin_ctx, flavor.flavorid, "new d")
    assert (updated.description, updated.updated_at) == ("new d", clock.now)
    compute.flavors.delete(admin_ctx, flavor.flavorid)
    with pytest.raises(exception.FlavorNotFound,
                       match="Flavor %s could not be found." % flavor.flavorid):
        compute.flavors.get(ctx, flavor.flavorid)


@pytest.mark.parametrize("call", [
    lambda c, x: c.flavors.create(x, "n", 1, 1, 1),
    lambda c, x: c.flavors.update(x, "1", "d"),
    lambda c, x: c.flavors.delete(x, "1"),
    lambda c, x: c.flavors.update_extra_specs(x, "1", {"a": "b"}),
    lambda c, x: c.flavors.delete_extra_spec(x, "1", "a"),
    lambda c, x: c.flavors.add_access(x, "1", "p"),
])
def test_admin_only(compute, ctx, call):
    with pytest.raises(exception.Forbidden) as err:
        call(compute, ctx)
    assert err.value.code == 403


def test_extra_specs(compute, ctx, admin_ctx):
    assert compute.flavors.get_extra_specs(ctx, "1") == {}
    assert compute.flavors.update_extra_specs(
        admin_ctx, "1", {"hw:cpu_policy": "dedicated", "a": "1"}) == {
        "a": "1", "hw:cpu_policy": "dedicated"}
    assert compute.flavors.update_extra_specs(admin_ctx, "1", {"a": "2"}) == {
        "a": "2", "hw:cpu_policy": "dedicated"}
    assert compute.flavors.get_extra_spec(ctx, "1", "a") == "2"
    compute.flavors.delete_extra_spec(admin_ctx, "1", "a")
    with pytest.raises(exception.FlavorExtraSpecsNotFound,
                       match="Flavor 1 has no extra specs with key a."):
        compute.flavors.get_extra_spec(ctx, "1", "a")
    with pytest.raises(exception.FlavorExtraSpecsNotFound):
        compute.flavors.delete_extra_spec(admin_ctx, "1", "a")
    assert compute.flavors.get(ctx, "1").extra_specs_dict == {
        "hw:cpu_policy": "dedicated"}
    compute.flavors.delete(admin_ctx, "1")
    with pytest.raises(exception.FlavorNotFound):
        compute.flavors.get_extra_specs(ctx, "1")

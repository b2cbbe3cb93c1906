"""minova_tw.db.generations: a process's cached flavors and key pairs follow other processes' writes."""

from minova_tw.compute import api


def test_another_process_sees_writes_at_once(conf, compute, ctx, admin_ctx,
                                              clock, count_queries):
    other = api.API(conf, clock=clock)  # as another worker would
    assert len(other.flavors.list(ctx)) == 5
    compute.flavors.create(admin_ctx, "new", 64, 1, 0, flavorid="new")
    assert [f.flavorid for f in other.flavors.list(ctx)][-1] == "new"
    assert other.keypairs.list(ctx) == []
    compute.keypairs.create(ctx, "k")
    assert [k.name for k in other.keypairs.list(ctx)] == ["k"]
    compute.keypairs.delete(ctx, "k")
    assert other.keypairs.list(ctx) == []


def test_a_current_copy_is_not_read_again(conf, compute, ctx,
                                          count_queries):
    """Only the generation is looked up (on a raw DB-API cursor, which the
    engine's statement events do not see)."""
    compute.flavors.list(ctx)
    assert any("FROM flavors" in q for q in count_queries)
    del count_queries[:]
    compute.flavors.list(ctx, min_ram=1024)
    assert count_queries == []

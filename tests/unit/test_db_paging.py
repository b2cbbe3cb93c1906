"""minova_tw.db.paging: multi-key keyset paging resumes exactly after the marker."""

import datetime

import pytest
import sqlalchemy as sa

from minova_tw.db import engine as db_engine
from minova_tw.db import models, paging

F = models.Flavor


def _add(conf):
    now = datetime.datetime(2024, 1, 1)
    rows = [F(flavorid="x%d" % i, name="n%d" % i, memory_mb=[64, 128][i % 2],
              vcpus=i % 3, root_gb=1, created_at=now) for i in range(10)]
    db_engine.get_database(conf).run(lambda s: s.add_all(rows), write=True)


def _page(conf, keys, marker=None, limit=None):
    def work(session):
        clause = None if marker is None else F.flavorid == marker
        stmt = paging.page(session, sa.select(F.flavorid).where(
            F.flavorid.like("x%")), keys, clause, limit)
        return session.scalars(stmt).all()
    return db_engine.get_database(conf).run(work, write=False)


@pytest.mark.parametrize("dirs", [("asc", "desc", "asc"),
                                  ("desc", "asc", "desc")])
def test_pages_walk_the_full_order(conf, dirs):
    _add(conf)
    keys = list(zip((F.memory_mb, F.vcpus, F.id), dirs))
    everything = _page(conf, keys)
    assert len(everything) == 10
    walked, marker = [], None
    while True:
        chunk = _page(conf, keys, marker, 3)
        if not chunk:
            break
        walked += chunk
        marker = chunk[-1]
    assert walked == everything


def test_unknown_marker(conf):
    with pytest.raises(paging.MarkerNotFound):
        _page(conf, [(F.id, "asc")], marker="nope")

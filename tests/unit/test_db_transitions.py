"""minova_tw.db.transitions: a scheduled state is applied exactly when due."""

import datetime

import sqlalchemy as sa

from minova_tw.db import engine as db_engine
from minova_tw.db import models, transitions

T0 = datetime.datetime(2024, 1, 1, 10, 0, 0)


def _seconds(n):
    return T0 + datetime.timedelta(seconds=n)


def _instance(session):
    instance = models.Instance(
        uuid="00000000-0000-0000-0000-000000000001", name="a", hostname="a",
        project_id="p", user_id="u", image_ref="", flavorid="1", vcpus=1,
        memory_mb=512, root_gb=1, ephemeral_gb=0, flavor={}, meta={},
        system_meta={}, security_groups=[], vm_state="building",
        task_state="scheduling", reservation_id="r-1",
        availability_zone="nova", created_at=T0, updated_at=T0)
    session.add(instance)
    session.flush()
    return instance


def _run(conf, work, write=True):
    return db_engine.get_database(conf).run(work, write=write)


def _state(conf):
    return _run(conf, lambda s: s.execute(sa.select(
        models.Instance.vm_state, models.Instance.task_state,
        models.Instance.power_state, models.Instance.updated_at,
        models.Instance.launched_at)).one())


def test_applied_when_due_not_before(conf):
    def setup(session):
        transitions.schedule(session, _instance(session), _seconds(2),
                             "active", None, 1, launched=True)
    _run(conf, setup)
    assert _run(conf, lambda s: transitions.apply_due(s, _seconds(1.999))) == 0
    assert _state(conf)[:3] == ("building", "scheduling", 0)
    assert _run(conf, lambda s: transitions.apply_due(s, _seconds(2))) == 1
    assert _state(conf) == ("active", None, 1, _seconds(2), _seconds(2))
    assert _run(conf, lambda s: transitions.apply_due(s, _seconds(9))) == 0


def test_applied_late_keeps_the_due_time(conf):
    def setup(session):
        transitions.schedule(session, _instance(session), _seconds(2),
                             "stopped", None, 4)
    _run(conf, setup)
    _run(conf, lambda s: transitions.apply_due(s, _seconds(60)))
    assert _state(conf) == ("stopped", None, 4, _seconds(2), None)


def test_schedule_replaces_and_cancel_drops(conf):
    def setup(session):
        instance = _instance(session)
        transitions.schedule(session, instance, _seconds(1), "active", None, 1)
        transitions.schedule(session, instance, _seconds(5), "paused", None, 3)
    _run(conf, setup)
    _run(conf, lambda s: transitions.apply_due(s, _seconds(4)))
    assert _state(conf)[0] == "building"
    _run(conf, lambda s: transitions.apply_due(s, _seconds(5)))
    assert _state(conf)[0] == "paused"

    def again(session):
        instance = session.scalars(sa.select(models.Instance)).one()
        transitions.schedule(session, instance, _seconds(6), "active", None, 1)
        transitions.cancel(session, instance)
    _run(conf, again)
    assert _run(conf, lambda s: transitions.apply_due(s, _seconds(99))) == 0
    assert _state(conf)[0] == "paused"

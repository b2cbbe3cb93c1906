"""minova_tw.db.transitions: a scheduled state is seen exactly when due, and stored only by a writer."""

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
    """What is stored: (vm, task, power, updated_at, launched_at)."""
    return _run(conf, lambda s: s.execute(sa.select(
        models.Instance.vm_state, models.Instance.task_state,
        models.Instance.power_state, models.Instance.updated_at,
        models.Instance.launched_at)).one())


def _seen(conf, at):
    """What a reader sees at ``at``, through ``overlay``."""
    def read(session):
        instance = session.scalars(sa.select(models.Instance)).one()
        transitions.overlay(session, instance, at)
        return (instance.vm_state, instance.task_state, instance.power_state,
                instance.updated_at, instance.launched_at)
    return _run(conf, read, write=False)


def _listed(conf, at):
    """What a listing sees at ``at``, through the EFFECTIVE columns."""
    columns = [transitions.effective(c) for c in (
        models.Instance.vm_state, models.Instance.task_state,
        models.Instance.power_state, models.Instance.updated_at,
        models.Instance.launched_at)]
    return _run(conf, lambda s: tuple(s.execute(
        sa.select(*columns).select_from(transitions.JOINED),
        {"now": at}).one()), write=False)


def _fold(conf, at):
    def fold(session):
        instance = session.scalars(
            sa.select(models.Instance).with_for_update()).one()
        return transitions.fold(session, instance, at)
    return _run(conf, fold)


def test_seen_when_due_not_before_and_reads_store_nothing(conf):
    def setup(session):
        transitions.schedule(session, _instance(session), _seconds(2),
                             "active", None, 1, launched=True)
    _run(conf, setup)
    before = ("building", "scheduling", 0, T0, None)
    after = ("active", None, 1, _seconds(2), _seconds(2))
    assert _seen(conf, _seconds(1.999)) == before
    assert _listed(conf, _seconds(1.999)) == before
    assert _seen(conf, _seconds(2)) == after
    assert _listed(conf, _seconds(2)) == after
    assert _state(conf) == before  # the readers stored nothing
    assert _fold(conf, _seconds(1.999)) is False
    assert _state(conf) == before
    assert _fold(conf, _seconds(2)) is True
    assert _state(conf) == after
    assert _fold(conf, _seconds(9)) is False
    assert _seen(conf, _seconds(9)) == _listed(conf, _seconds(9)) == after


def test_stored_late_keeps_the_due_time(conf):
    def setup(session):
        transitions.schedule(session, _instance(session), _seconds(2),
                             "stopped", None, 4)
    _run(conf, setup)
    expected = ("stopped", None, 4, _seconds(2), None)
    assert _seen(conf, _seconds(60)) == expected
    _fold(conf, _seconds(60))
    assert _state(conf) == expected


def test_schedule_replaces_and_cancel_drops(conf):
    def setup(session):
        instance = _instance(session)
        transitions.schedule(session, instance, _seconds(1), "active", None, 1)
        transitions.schedule(session, instance, _seconds(5), "paused", None, 3)
    _run(conf, setup)
    assert _seen(conf, _seconds(4))[0] == "building"
    assert _listed(conf, _seconds(5))[0] == "paused"
    _fold(conf, _seconds(5))
    assert _state(conf)[0] == "paused"

    def again(session):
        instance = session.scalars(sa.select(models.Instance)).one()
        transitions.schedule(session, instance, _seconds(6), "active", None, 1)
        transitions.cancel(session, instance)
    _run(conf, again)
    assert _fold(conf, _seconds(99)) is False
    assert _seen(conf, _seconds(99))[0] == "paused"

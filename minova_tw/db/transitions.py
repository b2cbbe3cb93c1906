"""Scheduled lifecycle transitions: a server's next state, seen when due, stored by the next writer.

There is no hypervisor, so "the reboot finished" is a row: the state the
server reaches and the time it reaches it (``InstanceTransition``, at most
one per server; scheduling another replaces it). Nothing runs in the
background, and a read never writes: a reader computes what a server is at
``now`` from its row and its transition (``overlay`` for one server,
``EFFECTIVE`` and ``JOINED`` for a listing in SQL, with ``now`` bound as
the ``now`` parameter). The transition is stored into the server only by
the next unit of work that writes that server (``fold``), under the
server's row lock. So whichever process reads a server, at whatever
moment, it sees the state the clock says it has, and readers never take
the write lock (on SQLite a read that became a writer would wait for, or
fail beside, every other write).

The server's ``updated_at`` (and ``launched_at`` for a transition that
launches it) is the due time, not the time someone looked.
"""

import sqlalchemy as sa

from minova_tw.db import models

I = models.Instance.__table__
T = models.InstanceTransition.__table__

#: The listing's clock: bind it as the statement's ``now`` parameter.
NOW = sa.bindparam("now", type_=models.Timestamp)
#: instances LEFT JOIN their transition when it is due by ``now``.
JOINED = I.outerjoin(T, sa.and_(T.c.instance_id == I.c.id,
                                T.c.due_at <= NOW))
_DUE = T.c.instance_id.is_not(None)


def _when_due(value, otherwise):
    return sa.case((_DUE, value), else_=otherwise)


#: Column name -> what it is at ``now`` (over JOINED): the columns a due
#: transition changes.
EFFECTIVE = {
    "vm_state": _when_due(T.c.vm_state, I.c.vm_state),
    "task_state": _when_due(T.c.task_state, I.c.task_state),
    "power_state": _when_due(T.c.power_state, I.c.power_state),
    "updated_at": _when_due(T.c.due_at, I.c.updated_at),
    "launched_at": sa.case((sa.and_(_DUE, T.c.launched), T.c.due_at),
                           else_=I.c.launched_at),
}


def effective(column):
    """``column`` of ``instances`` as it is at ``now`` (over JOINED)."""
    return EFFECTIVE.get(column.key, column)


def schedule(session, instance, due_at, vm_state, task_state, power_state,
             launched=False):
    """Make ``instance`` reach these states at ``due_at``."""
    cancel(session, instance)
    session.add(models.InstanceTransition(
        instance_id=instance.id, due_at=due_at, vm_state=vm_state,
        task_state=task_state, power_state=power_state, launched=launched))


def cancel(session, instance):
    """Drop ``instance``'s pending transition, if any."""
    session.execute(sa.delete(models.InstanceTransition).where(
        models.InstanceTransition.instance_id == instance.id))


def hurry(session, instance, now):
    """Make ``instance``'s pending transition happen ``now`` and store it
    (a writer, holding the server's row lock); return whether there was
    one."""
    session.execute(sa.update(models.InstanceTransition).where(
        models.InstanceTransition.instance_id == instance.id).values(
        due_at=now))
    return fold(session, instance, now)


def _due(session, instance, now):
    return session.scalars(sa.select(models.InstanceTransition).where(
        models.InstanceTransition.instance_id == instance.id,
        models.InstanceTransition.due_at <= now)).first()


def _reach(instance, step):
    instance.vm_state = step.vm_state
    instance.task_state = step.task_state
    instance.power_state = step.power_state
    instance.updated_at = step.due_at
    if step.launched:
        instance.launched_at = step.due_at


def overlay(session, instance, now):
    """Show ``instance`` (loaded by a reader, never written) as it is at
    ``now``; return it."""
    step = _due(session, instance, now)
    if step is not None:
        _reach(instance, step)
    return instance


def fold(session, instance, now):
    """Store ``instance``'s transition due by ``now`` into it (a writer,
    holding the server's row lock); return whether there was one."""
    step = _due(session, instance, now)
    if step is None:
        return False
    _reach(instance, step)
    session.delete(step)
    session.flush()
    return True

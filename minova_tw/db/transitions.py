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

A transition may have a second step (``then_at``, ``then_vm_state``): a
shelved server offloads on its own some time after its shelve ends. A
server in OFFLOADED has no host, whichever step took it there.
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
_THEN_DUE = sa.and_(_DUE, T.c.then_at <= NOW)
#: The vm_state of a server that has left its host (nova's
#: shelved_offloaded, compute.states.SHELVED_OFFLOADED: db does not import
#: compute).
OFFLOADED = "shelved_offloaded"


def _when_due(value, otherwise):
    return sa.case((_DUE, value), else_=otherwise)


#: Column name -> what it is at ``now`` (over JOINED): the columns a due
#: transition changes.
_VM_STATE = sa.case((_THEN_DUE, T.c.then_vm_state),
                    (_DUE, T.c.vm_state), else_=I.c.vm_state)
EFFECTIVE = {
    "vm_state": _VM_STATE,
    "task_state": _when_due(T.c.task_state, I.c.task_state),
    "power_state": _when_due(T.c.power_state, I.c.power_state),
    "updated_at": sa.case((_THEN_DUE, T.c.then_at),
                          (_DUE, T.c.due_at), else_=I.c.updated_at),
    "launched_at": sa.case((sa.and_(_DUE, T.c.launched), T.c.due_at),
                           else_=I.c.launched_at),
    # A stored offloaded server has no host already (``_reach``); one
    # being unshelved has the host it is going to.
    "host": sa.case((sa.and_(_DUE, _VM_STATE == OFFLOADED), sa.null()),
                    else_=I.c.host),
}


#: Whether a server (a row of ``instances``) is offloaded by its pending
#: transition: its host is no longer its to count, even before it is due.
LEAVING_HOST = sa.exists().where(
    T.c.instance_id == I.c.id,
    sa.or_(T.c.vm_state == OFFLOADED, T.c.then_vm_state == OFFLOADED))


def effective(column):
    """``column`` of ``instances`` as it is at ``now`` (over JOINED)."""
    return EFFECTIVE.get(column.key, column)


def schedule(session, instance, due_at, vm_state, task_state, power_state,
             launched=False, then_at=None, then_vm_state=None):
    """Make ``instance`` reach these states at ``due_at`` (and
    ``then_vm_state`` at ``then_at``, when given)."""
    cancel(session, instance)
    session.add(models.InstanceTransition(
        instance_id=instance.id, due_at=due_at, vm_state=vm_state,
        task_state=task_state, power_state=power_state, launched=launched,
        then_at=then_at, then_vm_state=then_vm_state))


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


def _then_due(step, now):
    return step.then_at is not None and step.then_at <= now


def _reach(instance, step, now):
    then = _then_due(step, now)
    instance.vm_state = step.then_vm_state if then else step.vm_state
    instance.task_state = step.task_state
    instance.power_state = step.power_state
    instance.updated_at = step.then_at if then else step.due_at
    if step.launched:
        instance.launched_at = step.due_at
    if instance.vm_state == OFFLOADED:
        instance.host = None


def overlay(session, instance, now):
    """Show ``instance`` (loaded by a reader, never written) as it is at
    ``now``; return it."""
    step = _due(session, instance, now)
    if step is not None:
        _reach(instance, step, now)
    return instance


def fold(session, instance, now):
    """Store ``instance``'s transition due by ``now`` into it (a writer,
    holding the server's row lock); return whether there was one."""
    step = _due(session, instance, now)
    if step is None:
        return False
    _reach(instance, step, now)
    if step.then_at is not None and not _then_due(step, now):
        # The first step is stored; the second stays pending.
        step.due_at, step.vm_state = step.then_at, step.then_vm_state
        step.launched = False
        step.then_at = step.then_vm_state = None
    else:
        session.delete(step)
    session.flush()
    return True

"""Scheduled lifecycle transitions: a server's next state, applied when due.

There is no hypervisor, so "the reboot finished" is a row: the state the
server reaches and the time it reaches it (``InstanceTransition``, at most
one per server; scheduling another replaces it). Nothing runs in the
background: every unit of work of the compute layer first calls
``apply_due(session, now)`` inside its own transaction, which folds every
transition due by ``now`` into its server and deletes it. So whichever
worker process reads a server, at whatever moment, it sees the state the
clock says it has, and the read and the fold are one consistent
transaction. The server's ``updated_at`` (and ``launched_at`` for a
transition that launches it) is the due time, not the time someone looked.
Two processes folding at once are safe: the due rows are selected FOR
UPDATE, so the second waits and then finds them gone (SQLite serializes
writers and the loser retries, see ``engine.Database.run``).
"""

import sqlalchemy as sa

from minova_tw.db import models


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


def apply_due(session, now):
    """Fold every transition due by ``now`` into its server; return how many."""
    due = session.scalars(
        sa.select(models.InstanceTransition)
        .where(models.InstanceTransition.due_at <= now)
        .with_for_update()).all()
    for step in due:
        values = dict(vm_state=step.vm_state, task_state=step.task_state,
                      power_state=step.power_state, updated_at=step.due_at)
        if step.launched:
            values["launched_at"] = step.due_at
        session.execute(sa.update(models.Instance)
                        .where(models.Instance.id == step.instance_id)
                        .values(**values)
                        .execution_options(synchronize_session=False))
        session.delete(step)
    session.flush()
    return len(due)

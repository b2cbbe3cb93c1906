"""The server state machine: which action may run in which state, and where it leads.

Each action has nova's guard: the vm_states and task_states it is allowed
in (``None`` allows any) and whether a lock stops it. A guard that fails
raises InstanceInvalidState (409) with nova's message naming the action as
the API calls it; a locked server refuses a non-admin (InstanceIsLocked,
409). An action that takes time sets its task_state now and schedules the
transition to its end state (``db.transitions``).
"""

import datetime
from typing import NamedTuple

from minova_tw.compute import exception, instance_actions, states as s
from minova_tw.db import transitions


class Guard(NamedTuple):
    action: str
    vm_states: tuple | None
    task_states: tuple | None = (None,)
    check_lock: bool = True


_REBOOT_TASKS = (None, s.REBOOTING, s.REBOOT_PENDING, s.REBOOT_STARTED,
                 s.REBOOTING_HARD, s.RESUMING, s.UNPAUSING, s.PAUSING,
                 s.SUSPENDING)
_METADATA_VM = (s.ACTIVE, s.PAUSED, s.SUSPENDED, s.STOPPED)

REBOOT_SOFT = Guard("reboot", (s.ACTIVE,))
REBOOT_HARD = Guard("reboot", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED,
                               s.ERROR), _REBOOT_TASKS)
STOP = Guard("stop", (s.ACTIVE, s.RESCUED, s.ERROR))
START = Guard("start", (s.STOPPED,))
PAUSE = Guard("pause", (s.ACTIVE,))
UNPAUSE = Guard("unpause", (s.PAUSED,))
SUSPEND = Guard("suspend", (s.ACTIVE,))
RESUME = Guard("resume", (s.SUSPENDED,))
RESCUE = Guard("rescue", (s.ACTIVE, s.STOPPED, s.ERROR))
UNRESCUE = Guard("unrescue", (s.RESCUED,))
REBUILD = Guard("rebuild", (s.ACTIVE, s.STOPPED, s.ERROR))
RESIZE = Guard("resize", (s.ACTIVE, s.STOPPED))
MIGRATE = Guard("migrate", (s.ACTIVE, s.STOPPED))
LIVE_MIGRATE = Guard("os-migrateLive", (s.ACTIVE, s.PAUSED))
FORCE_COMPLETE = Guard("force_complete", (s.ACTIVE,), (s.MIGRATING,))
ABORT_LIVE_MIGRATION = Guard("abort live migration", None, (s.MIGRATING,))
#: nova does not check the lock before an evacuation.
EVACUATE = Guard("evacuate", (s.ACTIVE, s.STOPPED, s.ERROR),
                 check_lock=False)
CONFIRM_RESIZE = Guard("confirmResize", (s.RESIZED,))
REVERT_RESIZE = Guard("revertResize", (s.RESIZED,))
CHANGE_PASSWORD = Guard("changePassword", (s.ACTIVE,))
CREATE_IMAGE = Guard("createImage", (s.ACTIVE, s.STOPPED, s.PAUSED,
                                     s.SUSPENDED), check_lock=False)
TRIGGER_CRASH_DUMP = Guard("trigger_crash_dump", (
    s.ACTIVE, s.PAUSED, s.RESCUED, s.RESIZED, s.ERROR))
DELETE = Guard("delete", None, None)
#: Like delete, only the lock stops it.
FORCE_DELETE = Guard("forceDelete", None, None)
RESTORE = Guard("restore", (s.SOFT_DELETED,))
SHELVE = Guard("shelve", (s.ACTIVE, s.STOPPED, s.PAUSED, s.SUSPENDED))
SHELVE_OFFLOAD = Guard("shelveOffload", (s.SHELVED,))
UNSHELVE = Guard("unshelve", (s.SHELVED, s.SHELVED_OFFLOADED))
#: Backups are taken locked or not, like snapshots.
CREATE_BACKUP = Guard("createBackup", CREATE_IMAGE.vm_states,
                      check_lock=False)
#: Only the lock stops these.
INJECT_NETWORK_INFO = Guard("injectNetworkInfo", None, None)
UPDATE_METADATA = Guard("update metadata", _METADATA_VM, None)
DELETE_METADATA = Guard("delete metadata", _METADATA_VM, None)
#: Tags change in the states metadata does, locked or not.
UPDATE_TAG = Guard("update tag", _METADATA_VM, None, check_lock=False)
UPDATE_TAGS = Guard("update tags", _METADATA_VM, None, check_lock=False)
DELETE_TAG = Guard("delete tag", _METADATA_VM, None, check_lock=False)
DELETE_TAGS = Guard("delete tags", _METADATA_VM, None, check_lock=False)
#: Volumes attach and detach in these states, interfaces in fewer; none
#: while a task runs.
_VOLUME_VM = (s.ACTIVE, s.PAUSED, s.STOPPED, s.RESIZED, s.SOFT_DELETED,
              s.SHELVED, s.SHELVED_OFFLOADED)
ATTACH_VOLUME = Guard("attach_volume", _VOLUME_VM)
DETACH_VOLUME = Guard("detach_volume", _VOLUME_VM)
SWAP_VOLUME = Guard("swap_volume", (s.ACTIVE, s.PAUSED, s.RESIZED))
ATTACH_INTERFACE = Guard("attach_interface", (s.ACTIVE, s.PAUSED, s.STOPPED))
DETACH_INTERFACE = Guard("detach_interface", (s.ACTIVE, s.PAUSED, s.STOPPED))


def check(context, instance, guard):
    """Raise unless ``guard``'s action may run on ``instance`` now."""
    if guard.check_lock and instance.locked and not context.is_admin:
        raise exception.InstanceIsLocked(instance_uuid=instance.uuid)
    for attr, allowed in (("vm_state", guard.vm_states),
                          ("task_state", guard.task_states)):
        value = getattr(instance, attr)
        if allowed is not None and value not in allowed:
            raise exception.InstanceInvalidState(
                action=guard.action, instance_uuid=instance.uuid, attr=attr,
                state=value)


def begin(session, instance, now, seconds, task_state, vm_state, power_state,
          launched=False, then=None):
    """Set ``task_state`` now; reach (vm_state, no task, power_state) after
    ``seconds``, and ``then`` (``(seconds after that, vm_state)``, if
    given) later; return when the first is reached. A transition still
    pending is replaced, and its action's events end now, failed."""
    due_at = now + datetime.timedelta(seconds=seconds)
    then_at = then_vm_state = None
    if then is not None:
        then_at = due_at + datetime.timedelta(seconds=then[0])
        then_vm_state = then[1]
    instance.task_state = task_state
    instance.updated_at = now
    session.flush()
    instance_actions.cut_short(session, instance, now)
    transitions.schedule(
        session, instance, due_at, vm_state=vm_state, task_state=None,
        power_state=power_state, launched=launched, then_at=then_at,
        then_vm_state=then_vm_state)
    return due_at

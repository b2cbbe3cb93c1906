"""A server's states: vm_state, task_state, power_state, and the API status they make.

The status the API shows is derived from (vm_state, task_state) through
nova's table (``STATUS_MAP``); ``status`` does it in Python and
``status_expression`` does the same in SQL, so listing can filter on a
status without loading every server.
"""

import sqlalchemy as sa

# vm_state
ACTIVE = "active"
BUILDING = "building"
PAUSED = "paused"
SUSPENDED = "suspended"
STOPPED = "stopped"
RESCUED = "rescued"
RESIZED = "resized"
SOFT_DELETED = "soft-delete"
DELETED = "deleted"
ERROR = "error"
SHELVED = "shelved"
SHELVED_OFFLOADED = "shelved_offloaded"

# task_state
SCHEDULING = "scheduling"
REBOOTING = "rebooting"
REBOOT_PENDING = "reboot_pending"
REBOOT_STARTED = "reboot_started"
REBOOTING_HARD = "rebooting_hard"
REBOOT_PENDING_HARD = "reboot_pending_hard"
REBOOT_STARTED_HARD = "reboot_started_hard"
POWERING_OFF = "powering-off"
POWERING_ON = "powering-on"
PAUSING = "pausing"
UNPAUSING = "unpausing"
SUSPENDING = "suspending"
RESUMING = "resuming"
UPDATING_PASSWORD = "updating_password"
IMAGE_SNAPSHOT = "image_snapshot"
REBUILDING = "rebuilding"
REBUILD_BLOCK_DEVICE_MAPPING = "rebuild_block_device_mapping"
REBUILD_SPAWNING = "rebuild_spawning"
MIGRATING = "migrating"
RESIZE_PREP = "resize_prep"
RESIZE_MIGRATING = "resize_migrating"
RESIZE_MIGRATED = "resize_migrated"
RESIZE_FINISH = "resize_finish"
RESIZE_REVERTING = "resize_reverting"
RESCUING = "rescuing"
UNRESCUING = "unrescuing"
IMAGE_BACKUP = "image_backup"
SHELVING = "shelving"
SHELVING_OFFLOADING = "shelving_offloading"
UNSHELVING = "unshelving"

# power_state
NOSTATE = 0
RUNNING = 1
PAUSED_POWER = 3
SHUTDOWN = 4
CRASHED = 6
SUSPENDED_POWER = 7

_REBOOT = {t: "REBOOT" for t in (REBOOTING, REBOOT_PENDING, REBOOT_STARTED)}
_HARD_REBOOT = {t: "HARD_REBOOT" for t in (
    REBOOTING_HARD, REBOOT_PENDING_HARD, REBOOT_STARTED_HARD)}
_REBUILD = {t: "REBUILD" for t in (
    REBUILDING, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING)}
_RESIZE = {t: "RESIZE" for t in (
    RESIZE_PREP, RESIZE_MIGRATING, RESIZE_MIGRATED, RESIZE_FINISH)}

#: vm_state -> {"default": status, task_state: overriding status}
STATUS_MAP = {
    ACTIVE: {"default": "ACTIVE", **_REBOOT, **_HARD_REBOOT, **_REBUILD,
             **_RESIZE, UPDATING_PASSWORD: "PASSWORD",
             MIGRATING: "MIGRATING"},
    BUILDING: {"default": "BUILD"},
    STOPPED: {"default": "SHUTOFF", **_RESIZE, **_REBUILD},
    RESIZED: {"default": "VERIFY_RESIZE", RESIZE_REVERTING: "REVERT_RESIZE"},
    PAUSED: {"default": "PAUSED", MIGRATING: "MIGRATING"},
    SUSPENDED: {"default": "SUSPENDED"},
    RESCUED: {"default": "RESCUE"},
    ERROR: {"default": "ERROR", **_REBUILD},
    DELETED: {"default": "DELETED"},
    SOFT_DELETED: {"default": "SOFT_DELETED"},
    SHELVED: {"default": "SHELVED"},
    SHELVED_OFFLOADED: {"default": "SHELVED_OFFLOADED"},
}

UNKNOWN = "UNKNOWN"

#: Every status a server can have (what a ``status`` filter may ask for).
STATUSES = frozenset(status for by_task in STATUS_MAP.values()
                     for status in by_task.values()) | {UNKNOWN}


def status(vm_state, task_state):
    """The API status of a server in these states."""
    by_task = STATUS_MAP.get(vm_state)
    if by_task is None:
        return UNKNOWN
    return by_task.get(task_state, by_task["default"])


def status_expression(vm_state, task_state):
    """``status`` as an SQL expression over the two columns."""
    whens = []
    for vm, by_task in STATUS_MAP.items():
        for task, name in by_task.items():
            if task != "default":
                whens.append((sa.and_(vm_state == vm, task_state == task),
                              name))
        whens.append((vm_state == vm, by_task["default"]))
    return sa.case(*whens, else_=UNKNOWN)

"""minova_tw.compute.states: nova's status table, in Python and in SQL alike."""

import pytest
import sqlalchemy as sa

from minova_tw.compute import states

TABLE = [
    ("active", None, "ACTIVE"),
    ("active", "rebooting", "REBOOT"),
    ("active", "reboot_pending", "REBOOT"),
    ("active", "reboot_started", "REBOOT"),
    ("active", "rebooting_hard", "HARD_REBOOT"),
    ("active", "reboot_pending_hard", "HARD_REBOOT"),
    ("active", "reboot_started_hard", "HARD_REBOOT"),
    ("active", "updating_password", "PASSWORD"),
    ("active", "rebuilding", "REBUILD"),
    ("active", "rebuild_spawning", "REBUILD"),
    ("active", "migrating", "MIGRATING"),
    ("active", "resize_prep", "RESIZE"),
    ("active", "resize_finish", "RESIZE"),
    ("active", "powering-off", "ACTIVE"),
    ("active", "image_snapshot", "ACTIVE"),
    ("building", None, "BUILD"),
    ("building", "scheduling", "BUILD"),
    ("stopped", None, "SHUTOFF"),
    ("stopped", "resize_prep", "RESIZE"),
    ("stopped", "rebuilding", "REBUILD"),
    ("stopped", "powering-on", "SHUTOFF"),
    ("resized", None, "VERIFY_RESIZE"),
    ("resized", "resize_reverting", "REVERT_RESIZE"),
    ("paused", None, "PAUSED"),
    ("paused", "migrating", "MIGRATING"),
    ("suspended", None, "SUSPENDED"),
    ("rescued", None, "RESCUE"),
    ("error", None, "ERROR"),
    ("error", "rebuilding", "REBUILD"),
    ("deleted", None, "DELETED"),
    ("soft-delete", None, "SOFT_DELETED"),
    ("shelved", None, "SHELVED"),
    ("shelved_offloaded", None, "SHELVED_OFFLOADED"),
    ("no-such-state", None, "UNKNOWN"),
]


@pytest.mark.parametrize("vm_state,task_state,expected", TABLE)
def test_status(vm_state, task_state, expected):
    assert states.status(vm_state, task_state) == expected


def test_sql_expression_agrees():
    engine = sa.create_engine("sqlite://")
    table = sa.table("t", sa.column("vm"), sa.column("task"))
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (vm TEXT, task TEXT)")
        conn.execute(table.insert(), [{"vm": vm, "task": task}
                                      for vm, task, _ in TABLE])
        rows = conn.execute(sa.select(
            table.c.vm, table.c.task,
            states.status_expression(table.c.vm, table.c.task))).all()
    assert sorted(rows, key=str) == sorted(TABLE, key=str)


def test_power_states_are_novas_ints():
    assert (states.NOSTATE, states.RUNNING, states.PAUSED_POWER,
            states.SHUTDOWN, states.CRASHED, states.SUSPENDED_POWER) == (
        0, 1, 3, 4, 6, 7)

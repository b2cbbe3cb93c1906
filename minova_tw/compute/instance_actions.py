"""Instance actions: what was done to a server, by whom, under which request, and its events.

Every unit of work that acts on a server records the action under nova's
name (``create``, ``reboot``, ``confirmResize`` ...) with the request id of
the request that asked (``context.request_id``, the x-openstack-request-id
the API returned), and the events nova's services would report for it
(``compute_reboot_instance`` ...). There is no compute service to finish
the events, so they are stored finished: at the due time of the lifecycle
transition the action scheduled, with result ``Success``. As with the
transition itself (``db.transitions``), a reader shows what that is at
``now``: before the due time an event has no finish time and no result,
and the action's ``updated_at`` is its start. A transition that another
action or a delete replaces before it is due never happens: ``cut_short``
ends its events at that moment with result ``Error``, and the action's
message becomes ``Error``, as nova writes a failed event.

Actions are kept by the server's uuid and outlive it: a deleted server's
actions stay readable (nova reads them with read_deleted from 2.21).
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception
from minova_tw.db import models, paging

A = models.InstanceAction
EV = models.InstanceActionEvent
I = models.Instance

SUCCESS = "Success"
ERROR = "Error"

#: nova's action name -> the events nova's conductor and compute service
#: record for it, in the order they start.
EVENTS = {
    "create": ("conductor_schedule_and_build_instances",
               "compute__do_build_and_run_instance"),
    "delete": ("compute_terminate_instance",),
    "reboot": ("compute_reboot_instance",),
    "stop": ("compute_stop_instance",),
    "start": ("compute_start_instance",),
    "pause": ("compute_pause_instance",),
    "unpause": ("compute_unpause_instance",),
    "suspend": ("compute_suspend_instance",),
    "resume": ("compute_resume_instance",),
    "rescue": ("compute_rescue_instance",),
    "unrescue": ("compute_unrescue_instance",),
    "changePassword": ("compute_set_admin_password",),
    "createImage": ("compute_snapshot_instance",),
    "rebuild": ("conductor_rebuild_server", "compute_rebuild_instance"),
    "resize": ("conductor_migrate_server", "compute_prep_resize",
               "compute_resize_instance", "compute_finish_resize"),
    "confirmResize": ("compute_confirm_resize",),
    "revertResize": ("compute_revert_resize",
                     "compute_finish_revert_resize"),
    "migrate": ("conductor_migrate_server", "compute_prep_resize",
                "compute_resize_instance", "compute_finish_resize"),
    "live-migration": ("conductor_live_migrate_instance",
                       "compute_check_can_live_migrate_destination",
                       "compute_check_can_live_migrate_source",
                       "compute_pre_live_migration",
                       "compute_live_migration",
                       "compute_post_live_migration_at_destination"),
    "live_migration_cancel": ("compute_live_migration_abort",),
    "live_migration_force_complete": (
        "compute_live_migration_force_complete",),
    "evacuate": ("conductor_rebuild_server", "compute_rebuild_instance"),
    "trigger_crash_dump": ("compute_trigger_crash_dump",),
    "attach_interface": ("compute_attach_interface",),
    "detach_interface": ("compute_detach_interface",),
    "attach_volume": ("compute_attach_volume",),
    "detach_volume": ("compute_detach_volume",),
    "swap_volume": ("compute_swap_volume",),
    "shelve": ("compute_shelve_instance",),
    "shelveOffload": ("compute_shelve_offload_instance",),
    "unshelve": ("compute_unshelve_instance",),
    "restore": ("compute_restore_instance",),
    "createBackup": ("compute_backup_instance",),
    # The API records these; no service reports an event for them.
    "lock": (),
    "unlock": (),
    "resetState": (),
}

#: The clock of a read: bind it as the statement's ``now`` parameter.
NOW = sa.bindparam("now", type_=models.Timestamp)
_FINISHED = EV.finish_time <= NOW


def _when_finished(column):
    return sa.case((_FINISHED, column), else_=sa.null())


#: An action's ``updated_at`` at ``now``: when its events finished, once
#: they have.
UPDATED_AT = sa.case((A.finish_time <= NOW, A.finish_time),
                     else_=A.updated_at)
#: What an action's and an event's columns are at ``now``.
ACTION_COLUMNS = (
    A.id, A.action, A.instance_uuid, A.request_id, A.user_id, A.project_id,
    A.start_time, A.message, UPDATED_AT.label("updated_at"),
)
EVENT_COLUMNS = (
    EV.event, EV.start_time, _when_finished(EV.finish_time).label(
        "finish_time"),
    _when_finished(EV.result).label("result"), EV.traceback, EV.host,
    EV.details,
)
#: Newest first, as nova lists them.
ORDER = ((A.start_time, "desc"), (A.id, "desc"))


def record(session, now, context, instance, action, finish_at=None,
           result=SUCCESS):
    """Record ``action`` on ``instance`` as asked by ``context`` at
    ``now``, its events finishing at ``finish_at`` (default: ``now``) with
    ``result`` (ERROR: the action's message is Error too, as nova's)."""
    finish_at = finish_at or now
    row = A(action=action, instance_uuid=instance.uuid,
            request_id=context.request_id, user_id=context.user_id,
            project_id=context.project_id, start_time=now,
            finish_time=finish_at, updated_at=now,
            message=ERROR if result == ERROR else None)
    session.add(row)
    session.flush()
    for name in EVENTS[action]:
        session.add(EV(action_id=row.id, event=name, start_time=now,
                       finish_time=finish_at, result=result,
                       host=instance.host))


def _end_pending(session, instance, now, event_values, action_values):
    """End now ``instance``'s events that were to finish after ``now``,
    setting ``event_values`` on them and ``action_values`` on their
    actions."""
    pending = sa.select(A.id).where(A.instance_uuid == instance.uuid,
                                    A.finish_time > now)
    action_ids = session.scalars(pending).all()
    if not action_ids:
        return
    session.execute(sa.update(EV).where(
        EV.action_id.in_(action_ids), EV.finish_time > now).values(
        finish_time=now, **event_values))
    session.execute(sa.update(A).where(A.id.in_(action_ids)).values(
        finish_time=now, **action_values))


def cut_short(session, instance, now):
    """End ``instance``'s events that were to finish after ``now`` (their
    transition is being replaced or dropped) now, as failed."""
    _end_pending(session, instance, now, {"result": ERROR},
                 {"message": ERROR})


def finish_now(session, instance, now):
    """End ``instance``'s events that were to finish after ``now`` now, as
    they would have (their transition is made to happen now)."""
    _end_pending(session, instance, now, {}, {})


def _server(session, context, server_id, read_deleted, action):
    """``(uuid, project_id)`` of the server ``context`` may see, deleted
    too when ``read_deleted``, once the policy lets it ``action`` (list,
    show) the server's actions; else InstanceNotFound."""
    stmt = sa.select(I.uuid, I.project_id).where(I.uuid == server_id)
    if not read_deleted:
        stmt = stmt.where(I.deleted == 0)
    if not context.is_admin:
        stmt = stmt.where(I.project_id == context.project_id)
    server = session.execute(stmt).first()
    if server is None:
        raise exception.InstanceNotFound(instance_id=server_id)
    context.can("os_compute_api:os-instance-actions:%s" % action,
                {"project_id": server.project_id})
    return server


class InstanceActionAPI(base.Service):

    @base.reader
    def list(self, session, now, context, server_id, read_deleted=False,
             paged=False, limit=None, marker=None, changes_since=None,
             changes_before=None):
        """The server's actions as they are at ``now``, newest first.
        ``paged`` (2.58) applies nova's limit and marker (a request id)
        and the ``updated_at`` window."""
        server = _server(session, context, server_id, read_deleted, "list")
        stmt = sa.select(*ACTION_COLUMNS).where(
            A.instance_uuid == server.uuid)
        params = {"now": now}
        if not paged:
            return session.execute(paging.page(session, stmt, ORDER),
                                   params).all()
        if changes_since is not None:
            stmt = stmt.where(UPDATED_AT >= changes_since)
        if changes_before is not None:
            stmt = stmt.where(UPDATED_AT <= changes_before)
        return base.page(session, stmt, ORDER, marker,
                         sa.and_(A.instance_uuid == server.uuid,
                                 A.request_id == marker),
                         limit, self.conf.api.max_limit, params)

    @base.reader
    def get(self, session, now, context, server_id, request_id,
            read_deleted=False):
        """``(action, events, server project)`` of the server's action
        under ``request_id`` as it is at ``now``, events newest first;
        InstanceActionNotFound if there is none."""
        server = _server(session, context, server_id, read_deleted, "show")
        params = {"now": now}
        action = session.execute(paging.page(
            session, sa.select(*ACTION_COLUMNS).where(
                A.instance_uuid == server.uuid, A.request_id == request_id),
            ORDER), params).first()
        if action is None:
            raise exception.InstanceActionNotFound(request_id=request_id)
        events = session.execute(
            sa.select(*EVENT_COLUMNS).where(EV.action_id == action.id)
            .order_by(EV.start_time.desc(), EV.id.desc()), params).all()
        return action, events, server.project_id

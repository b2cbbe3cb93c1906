"""Migration records: each move of a server between the fake hosts, and reading them.

A cold migration, a resize, a live migration and an evacuation each
record a ``migrations`` row (``start``) when they begin: where from, where
to, which flavors, who asked, and a status that moves on by itself at the
due time of the server's transition (``due_status`` at ``due_at``), as
the server's state does (``db.transitions``): a resize or cold migration
is ``migrating`` until the server is VERIFY_RESIZE, then ``finished``; a
live migration ``running``, then ``completed``; an evacuation
``accepted``, then ``done``. A reader sees the status the clock says
(``STATUS``); the next writer of the row stores it (``settle``).
Confirming makes a finished migration ``confirmed``, reverting makes it
``reverting`` and then ``reverted``; aborting a running live migration
makes it ``cancelled``. A move that no host can take is recorded
``error`` at once (nova's conductor finds that out after the API has
answered 202).

Where nova differs: the server's host (``instances.host``) changes when
the move starts, not when the destination finishes it, and a reverted
or aborted move puts it back at once.

``MigrationAPI`` serves GET /os-migrations and the in-progress live
migrations of a server (list, show, abort, force_complete) with nova's
rules.
"""

import uuid

import sqlalchemy as sa

from minova_tw.compute import (base, exception, instance_actions,
                               lifecycle, scheduler, server_groups, servers)
from minova_tw.db import models, transitions

M = models.Migration

# migration_type
MIGRATION = "migration"
RESIZE = "resize"
LIVE_MIGRATION = "live-migration"
EVACUATION = "evacuation"

#: The statuses a live migration is "in progress" in (nova's list).
LIVE_IN_PROGRESS = ("queued", "preparing", "running", "post-migrating")
#: What abort accepts before 2.65, and what it adds from 2.65.
ABORTABLE = ("running",)
ABORTABLE_QUEUED = ("queued", "preparing")

#: The clock of a read: bind it as the statement's ``now`` parameter.
NOW = sa.bindparam("now", type_=models.Timestamp)
_DUE = sa.and_(M.due_at.is_not(None), M.due_at <= NOW)
#: A migration's status and updated_at at ``now``.
STATUS = sa.case((_DUE, M.due_status), else_=M.status)
UPDATED_AT = sa.case((_DUE, M.due_at), else_=M.updated_at)
COLUMNS = (
    M.id, M.uuid, M.instance_uuid, M.source_compute, M.dest_compute,
    M.source_node, M.dest_node, M.dest_host, STATUS.label("status"),
    M.migration_type, M.old_instance_type_id, M.new_instance_type_id,
    M.user_id, M.project_id, M.created_at, UPDATED_AT.label("updated_at"),
)
#: Newest first, as nova pages them (2.59).
ORDER = ((M.created_at, "desc"), (M.id, "desc"))


def flavor_row_id(session, flavorid):
    """The row id of the flavor ``flavorid`` (nova's instance_type_id), or
    None once it is deleted."""
    return session.scalar(sa.select(models.Flavor.id).where(
        models.Flavor.flavorid == flavorid))


def destination(session, conf, instance, host=None):
    """Where ``instance`` may move: ``host``, or the host the scheduler
    picks among the others, if it takes servers (nova-compute enabled and
    up) and the server's group allows it; else None."""
    return scheduler.select_destination(
        session, conf, instance,
        server_groups.locked_group_of(session, instance), host)


def start(session, now, context, instance, migration_type, dest, status,
          due_at=None, due_status=None, new_flavorid=None):
    """Record ``instance``'s move to host ``dest`` (None: not chosen)
    with ``status``, becoming ``due_status`` at ``due_at``."""
    old_type_id = flavor_row_id(session, instance.flavorid)
    row = M(uuid=str(uuid.uuid4()), instance_uuid=instance.uuid,
            source_compute=instance.host, source_node=instance.host,
            dest_compute=dest, dest_node=dest, status=status,
            due_status=due_status, due_at=due_at,
            migration_type=migration_type,
            old_instance_type_id=old_type_id,
            new_instance_type_id=(old_type_id if new_flavorid is None else
                                  flavor_row_id(session, new_flavorid)),
            user_id=context.user_id, project_id=context.project_id,
            created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def settle(migration, now):
    """Store the status ``migration`` has reached by ``now`` (a writer)."""
    if migration.due_at is not None and migration.due_at <= now:
        migration.status = migration.due_status
        migration.updated_at = migration.due_at
        migration.due_at = migration.due_status = None


def set_status(migration, now, status, due_at=None, due_status=None):
    """``migration`` is ``status`` now (and ``due_status`` at ``due_at``)."""
    migration.status = status
    migration.updated_at = now
    migration.due_at = due_at
    migration.due_status = due_status


def _locked(session, stmt):
    return session.scalars(stmt.with_for_update()).first()


def finished_resize(session, now, instance):
    """The cold migration or resize of ``instance`` waiting to be
    confirmed or reverted (row-locked, settled), or None when there is
    none (a server resized before minova recorded migrations)."""
    rows = session.scalars(sa.select(M).where(
        M.instance_uuid == instance.uuid,
        M.migration_type.in_((MIGRATION, RESIZE)))
        .order_by(M.created_at.desc(), M.id.desc()).with_for_update()).all()
    for row in rows:
        settle(row, now)
        if row.status == "finished":
            return row
    return None


def _migration_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _time_window(stmt, changes_since, changes_before):
    if changes_since is not None:
        stmt = stmt.where(UPDATED_AT >= changes_since)
    if changes_before is not None:
        stmt = stmt.where(UPDATED_AT <= changes_before)
    return stmt


def _filtered(stmt, filters):
    """nova's os-migrations filters (``host`` wins over
    ``source_compute``); the values are single strings."""
    if "status" in filters:
        stmt = stmt.where(STATUS == filters["status"])
    if "host" in filters:
        stmt = stmt.where(sa.or_(M.source_compute == filters["host"],
                                 M.dest_compute == filters["host"]))
    elif "source_compute" in filters:
        stmt = stmt.where(M.source_compute == filters["source_compute"])
    for key in ("migration_type", "instance_uuid", "user_id", "project_id"):
        if key in filters:
            stmt = stmt.where(getattr(M, key) == filters[key])
    if "hidden" in filters:
        # minova never hides a migration (nova hides the source side of
        # a cross-cell resize).
        hidden = str(filters["hidden"]).lower() in ("1", "true", "t", "yes",
                                                    "y", "on")
        stmt = stmt.where(sa.false() if hidden else sa.true())
    return stmt


class MigrationAPI(base.Service):

    @base.reader
    def list(self, session, now, context, filters, paged=False, limit=None,
             marker=None, changes_since=None, changes_before=None):
        """``(rows, show_hosts)``: the migrations ``filters`` select as they
        are at ``now``; all projects' need their own rule unless
        ``project_id`` is the caller's; ``show_hosts`` says whether the
        caller may see the host fields. ``paged`` (2.59): newest first,
        ``limit`` and ``marker`` (a migration uuid), the updated_at
        window."""
        context.can("os_compute_api:os-migrations:index")
        if filters.get("project_id") != context.project_id:
            context.can("os_compute_api:os-migrations:index:all_projects")
        show_hosts = context.can("os_compute_api:os-migrations:index:host",
                                 fatal=False)
        stmt = _filtered(sa.select(*COLUMNS), filters)
        params = {"now": now}
        if not paged:
            rows = session.execute(stmt.order_by(M.id), params).all()
            return rows, show_hosts
        if limit == 0:
            return [], show_hosts
        stmt = _time_window(stmt, changes_since, changes_before)
        rows = base.page(session, stmt, ORDER, marker, M.uuid == marker,
                         limit, self.conf.api.max_limit, params)
        return rows, show_hosts

    def _server(self, session, now, context, server_id, rule):
        return servers.get_instance(session, now, context, server_id,
                                    rule="os_compute_api:servers:migrations:"
                                    + rule)

    @base.reader
    def in_progress(self, session, now, context, server_id):
        """``(rows, show_hosts)``: the server's live migrations in
        progress at ``now``."""
        instance = self._server(session, now, context, server_id, "index")
        show_hosts = context.can("os_compute_api:servers:migrations:index:"
                                 "host", servers.target(instance),
                                 fatal=False)
        rows = session.execute(
            sa.select(*COLUMNS).where(
                M.instance_uuid == instance.uuid,
                M.migration_type == LIVE_MIGRATION,
                STATUS.in_(LIVE_IN_PROGRESS)).order_by(M.id),
            {"now": now}).all()
        return rows, show_hosts

    @base.reader
    def get_in_progress(self, session, now, context, server_id,
                        migration_id):
        """The server's live migration ``migration_id`` while it is in
        progress; MigrationNotInProgress (404, nova's three messages)
        otherwise."""
        instance = self._server(session, now, context, server_id, "show")
        row = session.execute(
            sa.select(*COLUMNS).where(
                M.instance_uuid == instance.uuid,
                M.id == _migration_id(migration_id)), {"now": now}).first()
        ids = {"id": migration_id, "uuid": server_id}
        if row is None:
            raise exception.NotFound(
                "In-progress live migration %(id)s is not found for server "
                "%(uuid)s." % ids)
        if row.migration_type != LIVE_MIGRATION:
            raise exception.NotFound(
                "Migration %(id)s for server %(uuid)s is not "
                "live-migration." % ids)
        if row.status not in LIVE_IN_PROGRESS:
            raise exception.NotFound(
                "Live migration %(id)s for server %(uuid)s is not in "
                "progress." % ids)
        return row

    def _live(self, session, now, context, server_id, migration_id, rule,
              guard, allowed, method):
        """The server (checked by ``guard``) and its live migration
        ``migration_id``, settled, once its status is in ``allowed``."""
        instance = servers.checked_instance(
            session, now, context, server_id, guard,
            "os_compute_api:servers:migrations:" + rule)
        migration = _locked(session, sa.select(M).where(
            M.instance_uuid == instance.uuid,
            M.id == _migration_id(migration_id)))
        if migration is None:
            raise exception.MigrationNotFoundForInstance(
                migration_id=migration_id, instance_id=instance.uuid)
        settle(migration, now)
        if migration.status not in allowed:
            raise exception.InvalidMigrationState(
                migration_id=migration_id, instance_uuid=instance.uuid,
                state=migration.status, method=method)
        return instance, migration

    @base.writer
    def abort(self, session, now, context, server_id, migration_id,
              queued_too=False):
        """Cancel a running live migration (also a queued or preparing one
        from 2.65, ``queued_too``): the server stays where it was, its
        task ends now."""
        instance, migration = self._live(
            session, now, context, server_id, migration_id, "delete",
            lifecycle.ABORT_LIVE_MIGRATION,
            ABORTABLE + (ABORTABLE_QUEUED if queued_too else ()),
            "abort live migration")
        instance_actions.cut_short(session, instance, now)
        transitions.cancel(session, instance)
        scheduler.move(session, self.conf, instance,
                       migration.source_compute)
        instance.task_state = None
        instance.updated_at = now
        set_status(migration, now, "cancelled")
        instance_actions.record(session, now, context, instance,
                                "live_migration_cancel")

    @base.writer
    def force_complete(self, session, now, context, server_id,
                       migration_id):
        """Finish a running live migration now."""
        instance, migration = self._live(
            session, now, context, server_id, migration_id,
            "force_complete", lifecycle.FORCE_COMPLETE, ("running",),
            "force complete")
        transitions.hurry(session, instance, now)
        instance_actions.finish_now(session, instance, now)
        set_status(migration, now, "completed")
        instance_actions.record(session, now, context, instance,
                                "live_migration_force_complete")


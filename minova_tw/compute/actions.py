"""Server actions (POST /servers/{id}/action): the state machine's moves.

Each action checks its guard (``lifecycle``), sets its task_state and
schedules its end state ``[minova] action_time`` seconds later; the API
answers 202 and the server reaches its new status when the transition is
due. confirmResize and lock/unlock change the server at once. Each records
its instance action under nova's name (the guard's), its events finishing
when the server reaches the new state (``instance_actions``).

shelve ends SHELVED and is offloaded ``[DEFAULT] shelved_offload_time``
seconds later (at once for 0 or a volume-backed server, never for a
negative value) -- SHELVED_OFFLOADED, no host; unshelve puts an offloaded
server on a host again, chosen as a new server's is. createImage and
createBackup record the image they make (``images``); a backup keeps the
newest ``rotation`` of its server and type.
"""

from minova_tw.compute import (aggregates, base, exception, flavors, hosts,
                               images, instance_actions, keypairs,
                               lifecycle, migrations, quotas, scheduler,
                               server_groups, servers, services,
                               states as s)
from minova_tw.db import transitions

#: system_meta key holding the vm_state a resize returns to (nova's name).
OLD_VM_STATE = "old_vm_state"
#: What ``rebuild`` may change besides the image.
REBUILDABLE = servers.UPDATABLE | {"metadata", "key_name", "user_data",
                                   "trusted_certs"}
SERVERS = "os_compute_api:servers:"
SHELVE = "os_compute_api:os-shelve:"
ADMIN_ACTIONS = "os_compute_api:os-admin-actions:"
#: os-resetState's states.
RESET_STATES = {"active": s.ACTIVE, "error": s.ERROR}
#: unshelve's ``availability_zone`` when the request does not give one
#: (None is a value: unpin).
UNCHANGED = object()
UNLOCK_OVERRIDE = "os_compute_api:os-lock-server:unlock:unlock_override"
MIGRATE_SERVER = "os_compute_api:os-migrate-server:"
#: Why the scheduler found no host for a move (nova's NoValidHost reason).
NO_HOST_REASON = "There are not enough hosts available."


def _simple(rule, guard, task_state, vm_state, power_state):
    """An action ``(context, server_id)`` that only moves the state: checks
    the policy ``rule`` and ``guard``, sets ``task_state``, ends in
    (vm_state, power_state)."""
    @base.writer
    def action(self, session, now, context, server_id):
        self._act(session, now, context, server_id, rule, guard, task_state,
                  vm_state, power_state)
    action.__doc__ = "%s: %s, then %s." % (
        guard.action, task_state, s.status(vm_state, None))
    return action


class ServerActionAPI(base.Service):

    def _act(self, session, now, context, server_id, rule, guard, task_state,
             vm_state, power_state):
        instance = servers.checked_instance(session, now, context,
                                            server_id, guard, rule)
        self._begin(session, now, context, instance, guard, task_state,
                    vm_state, power_state)

    def _begin(self, session, now, context, instance, guard, task_state,
               vm_state, power_state, launched=False, then=None):
        """``lifecycle.begin`` over ``[minova] action_time``, recording
        ``guard``'s action, which finishes with the transition."""
        due_at = lifecycle.begin(session, instance, now,
                                 self.conf.minova.action_time, task_state,
                                 vm_state, power_state, launched=launched,
                                 then=then)
        instance_actions.record(session, now, context, instance,
                                guard.action, due_at)
        return due_at

    @base.writer
    def reboot(self, session, now, context, server_id, reboot_type="SOFT"):
        """SOFT (status REBOOT) or HARD (HARD_REBOOT), then ACTIVE."""
        if reboot_type.upper() == "HARD":
            guard, task = lifecycle.REBOOT_HARD, s.REBOOTING_HARD
        elif reboot_type.upper() == "SOFT":
            guard, task = lifecycle.REBOOT_SOFT, s.REBOOTING
        else:
            raise exception.Invalid("Argument 'type' for reboot is not HARD "
                                    "or SOFT")
        self._act(session, now, context, server_id, SERVERS + "reboot", guard,
                  task, s.ACTIVE, s.RUNNING)

    stop = _simple(SERVERS + "stop", lifecycle.STOP, s.POWERING_OFF,
                   s.STOPPED, s.SHUTDOWN)
    start = _simple(SERVERS + "start", lifecycle.START, s.POWERING_ON,
                    s.ACTIVE, s.RUNNING)
    pause = _simple("os_compute_api:os-pause-server:pause", lifecycle.PAUSE,
                    s.PAUSING, s.PAUSED, s.PAUSED_POWER)
    unpause = _simple("os_compute_api:os-pause-server:unpause",
                      lifecycle.UNPAUSE, s.UNPAUSING, s.ACTIVE, s.RUNNING)
    suspend = _simple("os_compute_api:os-suspend-server:suspend",
                      lifecycle.SUSPEND, s.SUSPENDING, s.SUSPENDED,
                      s.SUSPENDED_POWER)
    resume = _simple("os_compute_api:os-suspend-server:resume",
                     lifecycle.RESUME, s.RESUMING, s.ACTIVE, s.RUNNING)
    #: The API generates (or takes) the adminPass rescue returns.
    rescue = _simple("os_compute_api:os-rescue", lifecycle.RESCUE,
                     s.RESCUING, s.RESCUED, s.RUNNING)
    unrescue = _simple("os_compute_api:os-unrescue", lifecycle.UNRESCUE,
                       s.UNRESCUING, s.ACTIVE, s.RUNNING)

    @base.writer
    def change_password(self, session, now, context, server_id,
                        admin_password):
        """PASSWORD for a while; the guest's password is not kept."""
        self._act(session, now, context, server_id,
                  "os_compute_api:os-admin-password",
                  lifecycle.CHANGE_PASSWORD, s.UPDATING_PASSWORD, s.ACTIVE,
                  s.RUNNING)

    def _image(self, session, now, context, server_id, name, metadata,
               guard, rule, task_state, backup_type=None):
        """Image the server under ``task_state`` (a backup when
        ``backup_type`` is given); return the image's id."""
        quotas.check_metadata(session, self.conf, context, metadata or {})
        instance = servers.checked_instance(session, now, context,
                                            server_id, guard, rule)
        if backup_type is not None and not instance.image_ref:
            raise exception.Invalid(
                "Backup is not supported for volume-backed instances.")
        self._begin(session, now, context, instance, guard, task_state,
                    instance.vm_state, instance.power_state)
        return images.record(
            session, now, instance, name,
            images.SNAPSHOT if backup_type is None else images.BACKUP,
            backup_type), instance

    @base.writer
    def create_image(self, session, now, context, server_id, name,
                     metadata=None):
        """Snapshot the server; return the new image's id."""
        image_id, _ = self._image(session, now, context, server_id, name,
                                  metadata, lifecycle.CREATE_IMAGE,
                                  SERVERS + "create_image", s.IMAGE_SNAPSHOT)
        return image_id

    @base.writer
    def create_backup(self, session, now, context, server_id, name,
                      backup_type, rotation, metadata=None):
        """Back the server up, keeping its ``rotation`` newest backups of
        ``backup_type`` (``images.rotate``); return the new image's id.
        Not for a server booted from a volume (400)."""
        image_id, instance = self._image(
            session, now, context, server_id, name, metadata,
            lifecycle.CREATE_BACKUP, "os_compute_api:os-create-backup",
            s.IMAGE_BACKUP, backup_type)
        images.rotate(session, instance, backup_type, rotation)
        return image_id

    @base.writer
    def shelve(self, session, now, context, server_id):
        """SHELVING, then SHELVED (powered off) and offloaded
        ``shelved_offload_time`` later (see the module docstring)."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.SHELVE,
            SHELVE + "shelve")
        instance.system_meta = {**instance.system_meta,
                                "image_base_image_ref": instance.image_ref}
        offload = self.conf.shelved_offload_time
        if offload == 0 or not instance.image_ref:
            end, then = s.SHELVED_OFFLOADED, None
        else:
            end = s.SHELVED
            then = (offload, s.SHELVED_OFFLOADED) if offload > 0 else None
        self._begin(session, now, context, instance, lifecycle.SHELVE,
                    s.SHELVING, end, s.SHUTDOWN, then=then)

    shelve_offload = _simple(SHELVE + "shelve_offload",
                             lifecycle.SHELVE_OFFLOAD, s.SHELVING_OFFLOADING,
                             s.SHELVED_OFFLOADED, s.SHUTDOWN)

    @base.writer
    def unshelve(self, session, now, context, server_id,
                 availability_zone=UNCHANGED, host=None):
        """UNSHELVING, then ACTIVE. An offloaded server goes to ``host``
        (admin), or to the host a new server in its group would; an
        ``availability_zone`` (2.77; None unpins, 2.91) or a ``host`` is
        only for an offloaded server. When its group's policy leaves no
        host, the unshelve fails and the server stays offloaded."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.UNSHELVE,
            SHELVE + "unshelve")
        zone_given = availability_zone is not UNCHANGED
        offloaded = instance.vm_state == s.SHELVED_OFFLOADED
        if (zone_given or host) and not offloaded:
            raise exception.UnshelveInstanceInvalidState(
                instance_uuid=instance.uuid, state=instance.vm_state)
        zones = aggregates.host_zones(session, self.conf)
        if zone_given and availability_zone not in (None, *zones.values()):
            raise exception.Invalid(
                "The requested availability zone is not available")
        pinned = (availability_zone if zone_given
                  else instance.pinned_availability_zone)
        if host:
            context.can(SHELVE + "unshelve_to_host",
                        servers.target(instance))
            if not hosts.exists(self.conf, host):
                raise exception.ComputeHostNotFound(host=host)
            if pinned not in (None, zones[host]):
                raise exception.UnshelveHostNotInAZ(
                    host=host, availability_zone=pinned)
        instance.pinned_availability_zone = pinned
        end = (s.ACTIVE, s.RUNNING)
        result = instance_actions.SUCCESS
        if offloaded:
            placed = scheduler.select_hosts(
                session, self.conf, 1,
                server_groups.locked_group_of(session, instance),
                host or None, pinned)
            if placed is None:
                end = (s.SHELVED_OFFLOADED, s.SHUTDOWN)
                result = instance_actions.ERROR
            else:
                scheduler.move(session, self.conf, instance, placed[0])
        due_at = lifecycle.begin(session, instance, now,
                                 self.conf.minova.action_time, s.UNSHELVING,
                                 *end)
        instance_actions.record(session, now, context, instance,
                                lifecycle.UNSHELVE.action, due_at,
                                result=result)

    @base.writer
    def reset_state(self, session, now, context, server_id, state):
        """os-resetState: vm_state ``state`` ("active" or "error") at
        once, no task, any pending transition dropped."""
        instance = servers.get_instance(
            session, now, context, server_id, for_update=True,
            rule=ADMIN_ACTIONS + "reset_state")
        instance_actions.cut_short(session, instance, now)
        transitions.cancel(session, instance)
        instance.vm_state = RESET_STATES[state]
        instance.task_state = None
        instance.updated_at = now
        instance_actions.record(session, now, context, instance,
                                "resetState")

    @base.writer
    def inject_network_info(self, session, now, context, server_id):
        """Refused for a locked server; otherwise nothing to do: minova's
        servers have no guest to inject into."""
        instance = servers.get_instance(
            session, now, context, server_id, for_update=True,
            rule=ADMIN_ACTIONS + "inject_network_info")
        lifecycle.check(context, instance, lifecycle.INJECT_NETWORK_INFO)

    @base.writer
    def rebuild(self, session, now, context, server_id, image_ref,
                **changes):
        """Rebuild from ``image_ref``, changing any of REBUILDABLE
        (``metadata`` replaces all; ``key_name`` None removes the key);
        return the server. A stopped server stays stopped."""
        servers.check_updatable(changes, REBUILDABLE)
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.REBUILD,
            SERVERS + "rebuild")
        if "metadata" in changes:
            instance.meta = dict(changes.pop("metadata"))
            quotas.check_metadata(session, self.conf, context,
                                  instance.meta)
        if "key_name" in changes:
            key_name = changes.pop("key_name")
            key = key_name and keypairs.get_keypair(session, context.user_id,
                                                    key_name)
            instance.key_name = key_name
            instance.key_data = key and key.public_key
            instance.key_type = key and key.type
        for field, value in changes.items():
            setattr(instance, field, value)
        instance.image_ref = image_ref
        if instance.vm_state == s.STOPPED:
            end = (s.STOPPED, s.SHUTDOWN)
        else:
            end = (s.ACTIVE, s.RUNNING)
        self._begin(session, now, context, instance, lifecycle.REBUILD,
                    s.REBUILDING, *end, launched=True)
        return server_groups.load_groups(session, instance)

    @base.writer
    def resize(self, session, now, context, server_id, flavor_ref):
        """RESIZE, then VERIFY_RESIZE with the new flavor (quota checked
        for what grows) on another host (the same one when it is the only
        one, as nova does with allow_resize_to_same_host)."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.RESIZE,
            SERVERS + "resize")
        flavor = flavors.get_flavor(session, context, flavor_ref)
        if flavor.flavorid == instance.flavorid:
            raise exception.CannotResizeToSameFlavor()
        if flavor.root_gb < instance.root_gb:
            raise exception.ResizeError(reason="Unable to resize disk down.")
        new = flavors.flavor_copy(flavor)
        self._check_growth(session, instance, new)
        dest = (migrations.destination(session, self.conf, instance)
                or instance.host)
        migration = migrations.start(session, now, context, instance,
                                     migrations.RESIZE, dest, "migrating",
                                     new_flavorid=flavor.flavorid)
        instance.old_flavor = instance.flavor
        servers.set_flavor(instance, new)
        self._move_to_verify(session, now, context, instance,
                             lifecycle.RESIZE, migration)

    def _move_to_verify(self, session, now, context, instance, guard,
                        migration):
        """RESIZE on ``migration``'s destination, then VERIFY_RESIZE (the
        migration ``finished``) until confirmed or reverted."""
        instance.system_meta = {**instance.system_meta,
                                OLD_VM_STATE: instance.vm_state}
        due_at = self._begin(session, now, context, instance, guard,
                             s.RESIZE_PREP, s.RESIZED, instance.power_state,
                             launched=True)
        migrations.set_status(migration, now, "migrating", due_at,
                              "finished")
        scheduler.move(session, self.conf, instance,
                       migration.dest_compute)

    def _no_host(self, session, now, context, instance, migration_type,
                 action, host=None):
        """The move the scheduler found no host for, after nova's API has
        answered 202: an ``error`` migration and a failed ``action``; the
        server stays as it is."""
        migrations.start(session, now, context, instance, migration_type,
                         host, "error")
        instance_actions.record(session, now, context, instance, action,
                                result=instance_actions.ERROR)

    @base.writer
    def migrate(self, session, now, context, server_id, host=None):
        """Cold migrate (the ``migrate`` action): RESIZE, then
        VERIFY_RESIZE on ``host`` or the least-loaded other host that
        takes servers, then confirmResize or revertResize as after a
        resize. No such host: an ``error`` migration (nova's conductor
        fails it after the API has answered)."""
        rule = MIGRATE_SERVER + ("migrate:host" if host else "migrate")
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.MIGRATE, rule)
        if host is not None:
            if host == instance.host:
                raise exception.CannotMigrateToSameHost()
            if not hosts.exists(self.conf, host):
                raise exception.ComputeHostNotFound(host=host)
        dest = migrations.destination(session, self.conf, instance, host)
        if dest is None:
            self._no_host(session, now, context, instance,
                          migrations.MIGRATION, lifecycle.MIGRATE.action,
                          host)
            return
        migration = migrations.start(session, now, context, instance,
                                     migrations.MIGRATION, dest, "migrating")
        instance.old_flavor = instance.flavor
        self._move_to_verify(session, now, context, instance,
                             lifecycle.MIGRATE, migration)

    @base.writer
    def live_migrate(self, session, now, context, server_id, host=None,
                     checks_async=True):
        """Live migrate (``os-migrateLive``): MIGRATING, then the same
        state on ``host`` or the least-loaded other host that takes
        servers. With ``checks_async`` (2.34) a move no host can take
        answers as nova's does once its checks run after the 202: an
        ``error`` migration and a failed action; before, NoValidHost or
        UnableToMigrateToSelf (400)."""
        rule = MIGRATE_SERVER + ("migrate_live:host" if host
                                 else "migrate_live")
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.LIVE_MIGRATE, rule)
        if host is not None and not hosts.exists(self.conf, host):
            raise exception.ComputeHostNotFound(host=host)
        dest = migrations.destination(session, self.conf, instance, host)
        if dest is None:
            if host == instance.host:
                error = exception.UnableToMigrateToSelf(
                    instance_id=instance.uuid, host=host)
            else:
                error = exception.NoValidHost(reason=NO_HOST_REASON)
            if not checks_async:
                raise error
            self._no_host(session, now, context, instance,
                          migrations.LIVE_MIGRATION, "live-migration", host)
            return
        migration = migrations.start(session, now, context, instance,
                                     migrations.LIVE_MIGRATION, dest,
                                     "running")
        due_at = lifecycle.begin(session, instance, now,
                                 self.conf.minova.action_time, s.MIGRATING,
                                 instance.vm_state, instance.power_state)
        instance_actions.record(session, now, context, instance,
                                "live-migration", due_at)
        migrations.set_status(migration, now, "running", due_at,
                              "completed")
        scheduler.move(session, self.conf, instance, dest)

    @base.writer
    def evacuate(self, session, now, context, server_id, host=None,
                 stop=False):
        """Rebuild the server of a host whose nova-compute is down on
        ``host`` or the least-loaded host that takes servers: REBUILD,
        then ACTIVE there (a stopped server stays stopped; ``stop``, 2.95:
        SHUTOFF whatever it was). No such host: ERROR with nova's
        NoValidHost fault and an ``error`` migration."""
        instance = servers.get_instance(session, now, context, server_id,
                                        for_update=True,
                                        rule="os_compute_api:os-evacuate")
        if host is not None and not hosts.exists(self.conf, host):
            raise exception.NotFound("Compute host %s not found." % host)
        if host == instance.host:
            raise exception.Invalid("The target host can't be the same "
                                    "one.")
        lifecycle.check(context, instance, lifecycle.EVACUATE)
        if services.is_up(session, self.conf, instance.host):
            raise exception.ComputeServiceInUse(host=instance.host)
        dest = migrations.destination(session, self.conf, instance, host)
        if dest is None:
            self._no_host(session, now, context, instance,
                          migrations.EVACUATION, lifecycle.EVACUATE.action,
                          host)
            instance.vm_state, instance.task_state = s.ERROR, None
            instance.fault = scheduler.no_valid_host_fault(now)
            instance.updated_at = now
            return
        migration = migrations.start(session, now, context, instance,
                                     migrations.EVACUATION, dest, "accepted")
        if stop or instance.vm_state == s.STOPPED:
            end = (s.STOPPED, s.SHUTDOWN)
        else:
            end = (s.ACTIVE, s.RUNNING)
        due_at = self._begin(session, now, context, instance,
                             lifecycle.EVACUATE, s.REBUILDING, *end,
                             launched=True)
        migrations.set_status(migration, now, "accepted", due_at, "done")
        scheduler.move(session, self.conf, instance, dest)

    def _check_growth(self, session, instance, new_flavor):
        quotas.servers_that_fit(
            session, self.conf, instance.project_id, instance.user_id,
            {"cores": new_flavor["vcpus"] - instance.vcpus,
             "ram": new_flavor["memory_mb"] - instance.memory_mb}, 1, 1)

    def _end_resize(self, instance):
        """Forget the resize; return the vm_state it started from."""
        meta = dict(instance.system_meta)
        old_vm_state = meta.pop(OLD_VM_STATE, s.ACTIVE)
        instance.system_meta = meta
        instance.old_flavor = None
        return old_vm_state

    @base.writer
    def confirm_resize(self, session, now, context, server_id):
        """Keep the new flavor: back to ACTIVE (or SHUTOFF) at once."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.CONFIRM_RESIZE,
            SERVERS + "confirm_resize")
        instance.vm_state = self._end_resize(instance)
        instance.updated_at = now
        migration = migrations.finished_resize(session, now, instance)
        if migration is not None:
            migrations.set_status(migration, now, "confirmed")
        instance_actions.record(session, now, context, instance,
                                lifecycle.CONFIRM_RESIZE.action)

    @base.writer
    def revert_resize(self, session, now, context, server_id):
        """REVERT_RESIZE with the old flavor back on the source host, then
        the state before."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.REVERT_RESIZE,
            SERVERS + "revert_resize")
        old_flavor = instance.old_flavor
        self._check_growth(session, instance, old_flavor)
        servers.set_flavor(instance, old_flavor)
        migration = migrations.finished_resize(session, now, instance)
        due_at = self._begin(session, now, context, instance,
                             lifecycle.REVERT_RESIZE, s.RESIZE_REVERTING,
                             self._end_resize(instance),
                             instance.power_state)
        if migration is not None:
            migrations.set_status(migration, now, "reverting", due_at,
                                  "reverted")
            scheduler.move(session, self.conf, instance,
                           migration.source_compute)

    @base.writer
    def lock(self, session, now, context, server_id, reason=None):
        instance = servers.get_instance(
            session, now, context, server_id, for_update=True,
            rule="os_compute_api:os-lock-server:lock")
        instance.locked = True
        instance.locked_by = ("owner" if context.project_id ==
                              instance.project_id else "admin")
        instance.locked_reason = reason
        instance.updated_at = now
        instance_actions.record(session, now, context, instance, "lock")

    @base.writer
    def unlock(self, session, now, context, server_id):
        """Unlock; a lock an admin set needs an admin."""
        instance = servers.get_instance(
            session, now, context, server_id, for_update=True,
            rule="os_compute_api:os-lock-server:unlock")
        if instance.locked_by == "admin":
            context.can(UNLOCK_OVERRIDE, servers.target(instance))
        instance.locked = False
        instance.locked_by = instance.locked_reason = None
        instance.updated_at = now
        instance_actions.record(session, now, context, instance, "unlock")

    @base.writer
    def trigger_crash_dump(self, session, now, context, server_id):
        """NMI to the guest (2.17): checked like nova, no state moves."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.TRIGGER_CRASH_DUMP,
            SERVERS + "trigger_crash_dump")
        instance.updated_at = now
        instance_actions.record(session, now, context, instance,
                                lifecycle.TRIGGER_CRASH_DUMP.action)

    @base.reader
    def get_console_output(self, session, now, context, server_id,
                           length=None):
        """The server's console log; the last ``length`` lines (None or -1:
        all). InstanceNotReady while it builds."""
        instance = servers.get_instance(
            session, now, context, server_id,
            rule="os_compute_api:os-console-output")
        if instance.vm_state == s.BUILDING:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        lines = [
            "minova virtual console of %s (%s)" % (instance.hostname,
                                                  instance.uuid),
            "Booting image %s" % (instance.image_ref or "from volume"),
        ]
        lines += ["eth%d: %s %s" % (i, ip.mac_address, ip.address)
                  for i, ip in enumerate(instance.fixed_ips)]
        lines.append("%s login: " % instance.hostname)
        if length is not None and length >= 0:
            lines = lines[len(lines) - length:] if length else []
        return "\n".join(lines) + ("\n" if lines else "")

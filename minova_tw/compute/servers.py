"""Servers: create with quotas, list with nova's filters and paging, get, update, delete, metadata.

A project sees only its own servers; an admin sees any (and lists all
projects with ``all_tenants``). Deleted servers are hidden, except from a
listing with ``changes-since``/``changes-before`` or an admin's ``deleted``
filter. A new server is BUILD (building/scheduling) on a fake host
(``scheduler``) with its fixed IPs allocated and the volumes of its block
device mappings attached (``volumes``), and becomes ACTIVE ``[minova]
build_time`` seconds later; one that no host may take (its server group's
policy) has no IPs and becomes ERROR instead. Create and delete record
their instance actions (``instance_actions``); delete frees the server's
addresses and volumes.

With ``[DEFAULT] reclaim_instance_interval`` > 0 a delete of a server that
has launched only soft-deletes it (SOFT_DELETED, counted in no quota and
listed only with the deleted ones, as in nova), with a transition to
``deleted`` when the interval ends:
from then on every reader sees it gone, and the next server create (or
forceDelete of it) reclaims it for real, freeing what it holds
(``reclaim``). ``restore`` brings it back; ``force_delete`` deletes it at
once.
"""

import base64
import binascii
import datetime
import json
import re
import secrets
import string
import uuid

import sqlalchemy as sa

from minova_tw.compute import (aggregates, base, exception, flavors, hosts,
                               instance_actions, keypairs, lifecycle,
                               network, quotas, scheduler, server_groups,
                               states, volumes)
from minova_tw.compute import security_groups as secgroups
from minova_tw.db import models, transitions

I = models.Instance
#: What a listing filters and sorts on: the server as it is at ``now``.
E = transitions.effective

#: API sort key -> never-NULL column expression (nova's names).
SORT_KEYS = {
    "access_ip_v4": base.nonnull(I.access_ip_v4, ""),
    "access_ip_v6": base.nonnull(I.access_ip_v6, ""),
    "auto_disk_config": I.auto_disk_config,
    "availability_zone": I.availability_zone,
    "config_drive": I.config_drive,
    "created_at": I.created_at,
    "display_description": base.nonnull(I.description, ""),
    "display_name": I.name,
    "host": base.nonnull(E(I.host), ""),
    "hostname": I.hostname,
    "image_ref": I.image_ref,
    "instance_type_id": I.flavorid,
    "key_name": base.nonnull(I.key_name, ""),
    "launch_index": I.launch_index,
    "launched_at": base.nonnull(E(I.launched_at), base.EPOCH),
    "locked": I.locked,
    "locked_by": base.nonnull(I.locked_by, ""),
    "power_state": E(I.power_state),
    "progress": I.progress,
    "project_id": I.project_id,
    "task_state": base.nonnull(E(I.task_state), ""),
    "terminated_at": base.nonnull(I.terminated_at, base.EPOCH),
    "updated_at": base.nonnull(E(I.updated_at), base.EPOCH),
    "user_id": I.user_id,
    "uuid": I.uuid,
    "vm_state": E(I.vm_state),
}
DEFAULT_SORT_KEY = "created_at"
DEFAULT_SORT_DIR = "desc"

_STATUS = states.status_expression(E(I.vm_state), E(I.task_state))


def _regex(column):
    def clause(pattern):
        base.compile_filter(pattern)
        return column.regexp_match(pattern)
    return clause


def _exact(column):
    def clause(value):
        if isinstance(value, (list, tuple, set)):
            return column.in_(list(value))
        return column == value
    return clause


def _status(value):
    wanted = [value] if isinstance(value, str) else list(value)
    wanted = [status.upper() for status in wanted]
    if not all(status in states.STATUSES for status in wanted):
        raise exception.InvalidStatus()
    return _STATUS.in_(wanted)


def _ip(pattern):
    _regex(models.FixedIP.address)(pattern)
    return I.fixed_ips.any(models.FixedIP.address.regexp_match(pattern))


def _has_tag(tag):
    return I.tag_rows.any(models.InstanceTag.tag == tag)


def _tags_all(tags):
    return sa.and_(*(_has_tag(tag) for tag in tags))


def _tags_any(tags):
    return I.tag_rows.any(models.InstanceTag.tag.in_(list(tags)))


#: Filter name (as the API's query parameter) -> value -> WHERE clause.
#: String attributes other than ids match as regular expressions, as nova's
#: database layer does; ``ip6`` matches nothing (minova has no IPv6).
FILTERS = {
    "uuid": _exact(I.uuid),
    "reservation_id": _exact(I.reservation_id),
    "name": _regex(I.name),
    "hostname": _regex(I.hostname),
    "key_name": _regex(I.key_name),
    "availability_zone": _regex(I.availability_zone),
    "config_drive": _regex(I.config_drive),
    "status": _status,
    "image": _exact(I.image_ref),
    "flavor": _exact(I.flavorid),
    "ip": _ip,
    "ip6": lambda pattern: sa.false(),
    "changes-since": lambda when: E(I.updated_at) >= when,
    "changes-before": lambda when: E(I.updated_at) <= when,
    "locked": _exact(I.locked),
    "user_id": _exact(I.user_id),
    # A fake host is its own node (hypervisor_hostname).
    "host": _exact(E(I.host)),
    "node": _regex(E(I.host)),
    "vm_state": _exact(E(I.vm_state)),
    "task_state": _exact(E(I.task_state)),
    "power_state": _exact(E(I.power_state)),
    "progress": _exact(I.progress),
    "created_at": _exact(I.created_at),
    "launched_at": _exact(E(I.launched_at)),
    "terminated_at": _exact(I.terminated_at),
    # Lists of tags: all of them, any of them, not all, none.
    "tags": _tags_all,
    "tags-any": _tags_any,
    "not-tags": lambda tags: sa.not_(_tags_all(tags)),
    "not-tags-any": lambda tags: sa.not_(_tags_any(tags)),
}
#: Filters only an admin may use.
ADMIN_FILTERS = ("all_tenants", "project_id", "tenant_id", "deleted")

#: What ``update`` may change (``rebuild`` also takes these).
UPDATABLE = frozenset(("name", "access_ip_v4", "access_ip_v6",
                       "description", "hostname", "auto_disk_config",
                       "pinned_availability_zone"))


def check_repin(instance, zone):
    """Raise unless the server's pinned zone may become ``zone`` (2.104):
    None unpins; a zone pins only an unpinned server, and only to the zone
    it is in; setting the current value changes nothing."""
    current = instance.pinned_availability_zone
    if zone is None or zone == current:
        return
    if current is not None:
        raise exception.Conflict(
            "Cannot change pinned availability zone directly. Unpin first "
            "by setting pinned_availability_zone to null.")
    if zone != instance.availability_zone:
        raise exception.Conflict(
            "Server can only be pinned to its current availability zone "
            "'%s', but '%s' was requested."
            % (instance.availability_zone, zone))


def generate_password(length=12):
    """A random admin password (what the API returns as adminPass)."""
    groups = (string.ascii_uppercase, string.ascii_lowercase, string.digits)
    alphabet = "".join(groups)
    chars = [secrets.choice(group) for group in groups]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def sanitize_hostname(name, default):
    """nova's hostname from a display name, ``default`` if nothing is left."""
    hostname = re.sub(r"[ _]", "-", name.lower())
    hostname = re.sub(r"[^a-z0-9.-]", "", hostname).strip(".-")
    return hostname[:63].rstrip(".-") or default


def decode_user_data(instance):
    """The server's user data as bytes, or None."""
    if not instance.user_data:
        return None
    try:
        return base64.b64decode(instance.user_data)
    except binascii.Error:
        return instance.user_data.encode()


def find_instance(session, now, instance_uuid, project_id=None,
                  for_update=False):
    """The live server ``instance_uuid`` (of ``project_id`` unless None) as
    it is at ``now``, or InstanceNotFound. With ``for_update`` (a writer)
    it is row-locked and its due transition stored into it."""
    stmt = sa.select(I).where(I.uuid == instance_uuid, I.deleted == 0)
    if project_id is not None:
        stmt = stmt.where(I.project_id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    instance = session.scalars(stmt).first()
    if instance is not None:
        if for_update:
            transitions.fold(session, instance, now)
        else:
            transitions.overlay(session, instance, now)
    if instance is None or instance.vm_state == states.DELETED:
        # A soft-deleted server past its interval is gone, reclaimed or not.
        raise exception.InstanceNotFound(instance_id=instance_uuid)
    return instance


def destroy(session, now, instance):
    """Delete ``instance`` for real now: it leaves its group and frees its
    addresses and volumes."""
    transitions.cancel(session, instance)
    network.release(session, instance)
    server_groups.leave(session, instance)
    instance.volume_attachments.clear()
    instance.vm_state = states.DELETED
    instance.task_state = None
    instance.power_state = states.NOSTATE
    instance.deleted = instance.id
    instance.deleted_at = instance.terminated_at = now
    instance.updated_at = now


def reclaim(session, now):
    """Delete for real every soft-deleted server whose
    ``reclaim_instance_interval`` has passed; return how many.

    Every create calls this, so it must not wait for anybody else's
    servers. A locking read that scans ``instances`` waits for each row
    another transaction holds (InnoDB locks what it scans, even at READ
    COMMITTED): every create's new servers, every action's server, a
    transaction a silent host left on the server. Creates across the
    fleet queued behind all of them. So the due servers are found by a
    plain read, and only those rows are locked, by primary key, and read
    again under the lock: another reclaimer, or a restore, may have come
    first."""
    due = (I.deleted == 0, I.vm_state == states.SOFT_DELETED,
           models.InstanceTransition.vm_state == states.DELETED,
           models.InstanceTransition.due_at <= now)
    found = session.scalars(
        sa.select(I.id).join(models.InstanceTransition).where(*due)).all()
    if not found:
        return 0
    instances = session.scalars(
        sa.select(I).join(models.InstanceTransition)
        .where(I.id.in_(found), *due)
        .order_by(I.id).with_for_update(of=I)).all()
    for instance in instances:
        destroy(session, now, instance)
    return len(instances)


def target(instance):
    """What a rule about a server is checked against: its owner."""
    return {"project_id": instance.project_id, "user_id": instance.user_id}


def get_instance(session, now, context, instance_uuid, for_update=False,
                 rule=None):
    """The live server ``instance_uuid`` as ``context`` may see it at
    ``now`` (another project's is not found, unless the caller is an
    admin), once the policy ``rule`` allows the caller this server."""
    instance = find_instance(
        session, now, instance_uuid,
        None if context.is_admin else context.project_id, for_update)
    if rule is not None:
        context.can(rule, target(instance))
    return instance


def checked_instance(session, now, context, instance_uuid, guard,
                     rule=None):
    """The live server, row-locked for a writer, once the policy ``rule``
    allows the caller this server and ``guard`` (``lifecycle``) allows its
    action now."""
    instance = get_instance(session, now, context, instance_uuid,
                            for_update=True, rule=rule)
    lifecycle.check(context, instance, guard)
    return instance


def set_flavor(instance, flavor_copy):
    """Give ``instance`` the flavor ``flavor_copy`` (``flavors.flavor_copy``)."""
    instance.flavor = flavor_copy
    instance.flavorid = flavor_copy["flavorid"]
    for field in ("vcpus", "memory_mb", "root_gb", "ephemeral_gb"):
        setattr(instance, field, flavor_copy[field])


def _sort(sort_keys, sort_dirs):
    """nova's sort parameters: dirs default to the first one given (else
    desc), created_at and the row id end every order."""
    sort_keys = list(sort_keys or [DEFAULT_SORT_KEY])
    sort_dirs = [base.check_sort_dir(d) for d in sort_dirs or ()]
    if len(sort_dirs) > len(sort_keys):
        raise exception.Invalid("Sort direction size exceeds sort key size")
    default_dir = sort_dirs[0] if sort_dirs else DEFAULT_SORT_DIR
    sort_dirs += [default_dir] * (len(sort_keys) - len(sort_dirs))
    for key in sort_keys:
        if key not in SORT_KEYS:
            raise exception.InvalidSortKey(key=key)
    if DEFAULT_SORT_KEY not in sort_keys:
        sort_keys.append(DEFAULT_SORT_KEY)
        sort_dirs.append(default_dir)
    keys = [(SORT_KEYS[key], d) for key, d in zip(sort_keys, sort_dirs)]
    return keys + [(I.id, default_dir)]


#: What a listing reads of a server, as it is at ``now``: every column but
#: the ones no server view shows (minova's system metadata, the old
#: flavor, the key itself).
LISTED_COLUMNS = tuple(
    (sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON)
     else E(column)).label(column.key)
    for column in I.__table__.columns
    if column.key not in ("system_meta", "old_flavor", "key_data"))
_LISTED_NAMES = tuple(column.key for column in LISTED_COLUMNS)
#: The LISTED_COLUMNS read as JSON text (``_JSONTexts`` decodes them).
_LISTED_JSON = tuple(column.key for column in I.__table__.columns
                     if isinstance(column.type, sa.JSON)
                     and column.key in _LISTED_NAMES)
_IP = models.FixedIP.__table__.c
_TAG = models.InstanceTag.__table__.c
_VOLUME = models.VolumeAttachment.__table__.c
_LISTED_IDS = sa.bindparam("ids", expanding=True)
#: The fixed IPs, tags and volumes of listed servers, in the order the
#: model's relationships give; built once, run with the servers' row ids.
_LISTED_IPS = (sa.select(_IP.instance_id, _IP.address, _IP.mac_address,
                         _IP.network)
               .where(_IP.instance_id.in_(_LISTED_IDS)).order_by(_IP.id))
_LISTED_TAGS = (sa.select(_TAG.instance_id, _TAG.tag)
                .where(_TAG.instance_id.in_(_LISTED_IDS)).order_by(_TAG.tag))
_LISTED_VOLUMES = (sa.select(_VOLUME.instance_id, _VOLUME.volume_id,
                             _VOLUME.delete_on_termination)
                   .where(_VOLUME.instance_id.in_(_LISTED_IDS))
                   .order_by(_VOLUME.id))


class ListedServer:
    """A server as a listing returns it: the LISTED_COLUMNS of its row as
    attributes, its fixed IPs (rows with ``address``, ``mac_address``,
    ``network``), its tags and its volume attachments (rows with
    ``volume_id``, ``delete_on_termination``). A listing of many servers
    is on the hot path, and plain rows cost a fraction of ORM objects."""

    def __init__(self, row, fixed_ips, tags, volume_attachments, decode):
        fields = dict(zip(_LISTED_NAMES, row))
        for name in _LISTED_JSON:
            fields[name] = decode(fields[name])
        self.__dict__ = fields
        self.fixed_ips = fixed_ips
        self.tags = tags
        self.volume_attachments = volume_attachments

    @property
    def instance_name(self):
        return models.instance_name(self.id)


def _listed(session, rows):
    """ListedServers of ``rows``, with three more queries: for all their
    fixed IPs, tags and volumes."""
    ids = [row.id for row in rows]
    if not ids:
        return []
    ips, tags, volumes_of = {}, {}, {}
    for row in session.execute(_LISTED_IPS, {"ids": ids}).all():
        ips.setdefault(row.instance_id, []).append(row)
    for instance_id, name in session.execute(_LISTED_TAGS,
                                             {"ids": ids}).all():
        tags.setdefault(instance_id, []).append(name)
    for row in session.execute(_LISTED_VOLUMES, {"ids": ids}).all():
        volumes_of.setdefault(row.instance_id, []).append(row)
    decode = _JSONTexts()
    return [ListedServer(row, ips.get(row.id, []), tags.get(row.id, []),
                         volumes_of.get(row.id, []), decode)
            for row in rows]


class _JSONTexts(dict):
    """Decodes the JSON columns of one listing, each distinct text once.

    The servers of a listing mostly share their flavor, metadata and
    security groups, so their JSON texts repeat: decoding each text once
    per listing instead of once per server takes about 7% off a detail
    listing of 100 servers (bench.appcost). The decoded values are shared
    by the servers of this listing only, whose views read them and never
    change them. The listing reads the columns cast to text, since a
    driver may decode JSON itself (psycopg does), and a SQL NULL stays
    None.
    """

    def __call__(self, value):
        if value is None:
            return None
        try:
            return self[value]
        except KeyError:
            decoded = self[value] = json.loads(value)
            return decoded


class ServerAPI(base.Service):

    @base.writer
    def create(self, session, now, context, name, flavor_ref, image_ref="",
               key_name=None, user_data=None, metadata=None,
               availability_zone=None, access_ip_v4=None, access_ip_v6=None,
               description=None, hostname=None, config_drive=False,
               auto_disk_config=False, security_groups=None, networks=None,
               min_count=1, max_count=1, tags=None, scheduler_hints=None,
               trusted_certs=None, host=None, hypervisor_hostname=None,
               block_devices=()):
        """Boot ``min_count``..``max_count`` servers (as many as the quota
        allows); return them, in launch order, sharing a reservation_id.

        ``networks`` is None or "auto" (one fixed IP), "none" (no IP), or a
        list of {"fixed_ip"?: address, ...}, one port each.
        ``user_data`` is the base64 text the API received. An explicit
        ``availability_zone`` pins the servers to it. ``host`` and
        ``hypervisor_hostname`` (admin only) must name a fake host, which
        the servers then run on. The ``group`` scheduler hint makes them
        members of that server group; when its policy leaves no host for
        them they are created all the same and end in ERROR with a fault,
        as nova's do.
        ``block_devices`` are the volumes to attach, each {"volume_id",
        "device_name"?, "tag"?, "delete_on_termination", "boot_index"}.
        """
        context.can("os_compute_api:servers:create")
        if isinstance(networks, list):
            context.can("os_compute_api:servers:create:attach_network")
        if trusted_certs:
            context.can("os_compute_api:servers:create:trusted_certs")
        flavor = flavors.get_flavor(session, context, flavor_ref)
        requested_host = self._requested_host(context, host,
                                              hypervisor_hostname)
        reclaim(session, now)
        most = self.conf.minova.max_servers_per_request
        if min_count > most:
            raise exception.Invalid(
                "min_count %d is more than the %d servers one request may "
                "create" % (min_count, most))
        max_count = min(max_count, most)
        metadata = dict(metadata or {})
        quotas.check_metadata(session, self.conf, context, metadata)
        key = None
        if key_name is not None:
            key = keypairs.get_keypair(session, context.user_id, key_name)
        host_zones = aggregates.host_zones(session, self.conf)
        zone = availability_zone and availability_zone.split(":")[0]
        if zone and zone not in host_zones.values():
            raise exception.InvalidAvailabilityZone()
        requested = self._requested_ips(networks, max_count)
        group_names = secgroups.requested_names(
            session, context.project_id, security_groups)
        count = quotas.servers_that_fit(
            session, self.conf, context.project_id, context.user_id,
            {"instances": 1, "cores": flavor.vcpus, "ram": flavor.memory_mb},
            min_count, max_count)
        group = self._group(session, context, scheduler_hints, count)
        placed = scheduler.select_hosts(session, self.conf, count, group,
                                        requested_host, zone)
        reservation_id = "r-" + "".join(
            secrets.choice(string.ascii_lowercase + string.digits)
            for _ in range(8))
        flavor_copy = flavors.flavor_copy(flavor)
        created = []
        for index in range(count):
            instance_uuid = str(uuid.uuid4())
            display_name = name if max_count == 1 else "%s-%d" % (name,
                                                                  index + 1)
            instance = I(
                uuid=instance_uuid, name=display_name,
                hostname=hostname or sanitize_hostname(
                    display_name, "Server-%s" % instance_uuid),
                description=description, project_id=context.project_id,
                user_id=context.user_id, image_ref=image_ref or "",
                key_name=key_name, key_data=key and key.public_key,
                key_type=key and key.type, user_data=user_data,
                meta=metadata, system_meta={},
                security_groups=group_names,
                vm_state=states.BUILDING, task_state=states.SCHEDULING,
                power_state=states.NOSTATE, progress=0, launch_index=index,
                reservation_id=reservation_id,
                availability_zone=(host_zones[placed[index]] if placed
                                   else zone
                                   or self.conf.default_availability_zone),
                host=placed[index] if placed else None,
                access_ip_v4=access_ip_v4, access_ip_v6=access_ip_v6,
                auto_disk_config=auto_disk_config,
                config_drive="True" if config_drive else "",
                locked=False, created_at=now, updated_at=now, deleted=0,
                scheduler_hints=scheduler_hints, trusted_certs=trusted_certs,
                pinned_availability_zone=(availability_zone and zone),
                fixed_ips=[], tag_rows=[models.InstanceTag(tag=tag)
                                        for tag in dict.fromkeys(tags or ())])
            set_flavor(instance, flavor_copy)
            session.add(instance)
            session.flush()
            if group is not None:
                server_groups.add_member(session, group, instance)
            for device in block_devices:
                volumes.attach(session, now, instance, device["volume_id"],
                               device.get("device_name"), device.get("tag"),
                               device["delete_on_termination"],
                               device["boot_index"])
            if placed is None:
                built_at = self._fail_scheduling(session, instance, now)
                instance_actions.record(session, now, context, instance,
                                        "create", built_at,
                                        result=instance_actions.ERROR)
            else:
                if requested is not None:
                    network.allocate(session, self.conf, instance, now,
                                     max(len(requested), 1),
                                     [ip for ip in requested if ip])
                built_at = lifecycle.begin(
                    session, instance, now, self.conf.minova.build_time,
                    states.SCHEDULING, states.ACTIVE, states.RUNNING,
                    launched=True)
                instance_actions.record(session, now, context, instance,
                                        "create", built_at)
            created.append(instance)
        return created

    def _requested_host(self, context, host, hypervisor_hostname):
        """The one fake host an admin asked for (by host or node name,
        which are the same here), or None."""
        for requested in (host, hypervisor_hostname):
            if requested is not None:
                base.require_admin(
                    context, "compute:servers:create:requested_destination")
                if not hosts.exists(self.conf, requested):
                    raise exception.ComputeHostNotFound(host=requested)
        if host is not None and hypervisor_hostname not in (None, host):
            raise exception.ComputeHostNotFound(host=host)
        return host or hypervisor_hostname

    def _group(self, session, context, scheduler_hints, count):
        """The server group the ``group`` hint names (nova's schema allows
        a list: its first item), locked and checked for room, or None."""
        wanted = (scheduler_hints or {}).get("group")
        if isinstance(wanted, list):
            wanted = wanted[0] if wanted else None
        if not wanted:
            return None
        return server_groups.join(session, self.conf, context, wanted, count)

    def _fail_scheduling(self, session, instance, now):
        """No host takes the server: it ends in ERROR when its build
        would have ended, with nova's NoValidHost fault; return when."""
        due = now + datetime.timedelta(seconds=self.conf.minova.build_time)
        instance.fault = scheduler.no_valid_host_fault(due)
        return lifecycle.begin(session, instance, now,
                               self.conf.minova.build_time,
                               states.SCHEDULING, states.ERROR,
                               states.NOSTATE)

    @staticmethod
    def _requested_ips(networks, max_count):
        """None for no port, else one entry per port: an address or None."""
        if networks is None or networks == "auto":
            return []
        if networks == "none":
            return None
        requested = [net.get("fixed_ip") for net in networks]
        if max_count > 1 and any(requested):
            raise exception.Invalid(
                "max_count cannot be greater than 1 if an fixed_ip is "
                "specified.")
        return requested

    @base.reader
    def list(self, session, now, context, filters=None, sort_keys=None,
             sort_dirs=None, limit=None, marker=None, detail=False):
        """Servers ``context`` may see, by ``filters`` (see FILTERS and
        ADMIN_FILTERS), sorted by ``sort_keys``/``sort_dirs`` (default
        created_at desc), at most ``limit`` after the server ``marker``.
        ``detail`` says which list's policy rules apply (servers/detail's
        or servers')."""
        filters = dict(filters or {})
        unknown = set(filters) - set(FILTERS) - set(ADMIN_FILTERS)
        if unknown:
            raise exception.Invalid(
                "Invalid filter field: %s." % ", ".join(sorted(unknown)))
        listing = "detail" if detail else "index"
        context.can("os_compute_api:servers:" + listing,
                    {"project_id": context.project_id})
        if filters.get("all_tenants"):
            context.can("os_compute_api:servers:%s:get_all_tenants" % listing)
        if set(filters) & set(ADMIN_FILTERS) - {"all_tenants"}:
            context.can("os_compute_api:servers:allow_all_filters")
        all_tenants = filters.pop("all_tenants", False)
        tenant_id = filters.pop("tenant_id", None)
        project_id = filters.pop("project_id", tenant_id)
        scope = []
        if project_id is not None or not all_tenants:
            scope.append(I.project_id == (project_id or context.project_id))
        deleted = filters.pop("deleted", None)
        # Soft-deleted servers count as deleted here (nova's database
        # layer), reclaimed by now or not.
        live = sa.and_(I.deleted == 0, I.vm_state != states.SOFT_DELETED)
        if deleted is not None:
            scope.append(sa.not_(live) if deleted else live)
        elif not {"changes-since", "changes-before"} & set(filters):
            scope.append(live)
        clauses = scope + [FILTERS[name](value)
                           for name, value in filters.items()]
        rows = base.page(session, sa.select(*LISTED_COLUMNS)
                         .select_from(transitions.JOINED).where(*clauses),
                         _sort(sort_keys, sort_dirs), marker,
                         sa.and_(I.uuid == marker, *scope),
                         limit, self.conf.api.max_limit, {"now": now})
        return _listed(session, rows)

    @base.reader
    def get(self, session, now, context, server_id,
            rule="os_compute_api:servers:show"):
        """The server, with its server group, if the policy ``rule`` lets
        the caller see it."""
        return server_groups.load_groups(
            session, get_instance(session, now, context, server_id,
                                  rule=rule))

    @base.writer
    def update(self, session, now, context, server_id, **changes):
        """Change any of UPDATABLE (name, access IPs, description,
        hostname, auto_disk_config, pinned_availability_zone)."""
        check_updatable(changes, UPDATABLE)
        instance = get_instance(session, now, context, server_id,
                                for_update=True,
                                rule="os_compute_api:servers:update")
        if "pinned_availability_zone" in changes:
            check_repin(instance, changes["pinned_availability_zone"])
        for field, value in changes.items():
            setattr(instance, field, value)
        instance.updated_at = now
        return server_groups.load_groups(session, instance)

    @base.writer
    def delete(self, session, now, context, server_id):
        """Delete the server: at once, or (``reclaim_instance_interval``
        > 0, a server that has launched and is not soft-deleted yet)
        soft-delete it until the interval has passed."""
        instance = get_instance(session, now, context, server_id,
                                for_update=True,
                                rule="os_compute_api:servers:delete")
        self._delete(session, now, context, instance, lifecycle.DELETE,
                     soft=(self.conf.reclaim_instance_interval > 0
                           and instance.launched_at is not None
                           and instance.vm_state != states.SOFT_DELETED))

    @base.writer
    def force_delete(self, session, now, context, server_id):
        """Delete the server at once, soft-deleted or not."""
        instance = get_instance(
            session, now, context, server_id, for_update=True,
            rule="os_compute_api:os-deferred-delete:force")
        self._delete(session, now, context, instance, lifecycle.FORCE_DELETE)

    def _delete(self, session, now, context, instance, guard, soft=False):
        lifecycle.check(context, instance, guard)
        instance_actions.cut_short(session, instance, now)
        instance_actions.record(session, now, context, instance,
                                lifecycle.DELETE.action)
        if not soft:
            destroy(session, now, instance)
            return
        instance.vm_state = states.SOFT_DELETED
        instance.task_state = None
        instance.power_state = states.SHUTDOWN
        instance.deleted_at = instance.terminated_at = now
        instance.updated_at = now
        session.flush()
        transitions.schedule(
            session, instance,
            now + datetime.timedelta(
                seconds=self.conf.reclaim_instance_interval),
            vm_state=states.DELETED, task_state=None,
            power_state=states.NOSTATE)

    @base.writer
    def restore(self, session, now, context, server_id):
        """Bring a soft-deleted server back, ACTIVE at once, if the quota
        has room for it again."""
        instance = checked_instance(
            session, now, context, server_id, lifecycle.RESTORE,
            "os_compute_api:os-deferred-delete:restore")
        quotas.servers_that_fit(
            session, self.conf, instance.project_id, instance.user_id,
            {"instances": 1, "cores": instance.vcpus,
             "ram": instance.memory_mb}, 1, 1)
        transitions.cancel(session, instance)
        instance.vm_state = states.ACTIVE
        instance.power_state = states.RUNNING
        instance.deleted_at = instance.terminated_at = None
        instance.updated_at = now
        instance_actions.record(session, now, context, instance,
                                lifecycle.RESTORE.action)

    # -- metadata ------------------------------------------------------------

    @base.reader
    def get_metadata(self, session, now, context, server_id):
        return dict(get_instance(
            session, now, context, server_id,
            rule="os_compute_api:server-metadata:index").meta)

    @base.reader
    def get_metadata_item(self, session, now, context, server_id, key):
        meta = get_instance(session, now, context, server_id,
                            rule="os_compute_api:server-metadata:show").meta
        if key not in meta:
            raise exception.MetadataNotFound()
        return meta[key]

    @base.writer
    def update_metadata(self, session, now, context, server_id, metadata,
                        replace=False, rule=None):
        """Merge ``metadata`` into the server's (or replace it all); return
        the result. ``rule``: the policy's name of the call (PUT of one
        key is ``update``), else ``create`` or ``update_all``."""
        rule = rule or "os_compute_api:server-metadata:" + (
            "update_all" if replace else "create")
        instance = get_instance(session, now, context, server_id,
                                for_update=True, rule=rule)
        lifecycle.check(context, instance, lifecycle.UPDATE_METADATA)
        merged = dict(metadata) if replace else {**instance.meta, **metadata}
        quotas.check_metadata(session, self.conf, context, merged)
        instance.meta = merged
        instance.updated_at = now
        return dict(merged)

    @base.writer
    def delete_metadata_item(self, session, now, context, server_id, key):
        instance = get_instance(session, now, context, server_id,
                                for_update=True,
                                rule="os_compute_api:server-metadata:delete")
        lifecycle.check(context, instance, lifecycle.DELETE_METADATA)
        if key not in instance.meta:
            raise exception.MetadataNotFound()
        instance.meta = {k: v for k, v in instance.meta.items() if k != key}
        instance.updated_at = now


def check_updatable(changes, allowed):
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError("cannot change %s" % ", ".join(sorted(unknown)))

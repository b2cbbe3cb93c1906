"""SQLAlchemy models: the tables minova keeps its state in.

The schema itself is created by the migrations in ``migrations/versions``;
these classes must describe the same tables (a unit test compares them).
Times are naive UTC with microseconds on every backend, because due
transitions and ``changes-since`` compare them.

A server keeps a copy of its flavor (``flavor``, plus the columns quotas sum
and filters use) because flavors can be deleted under it. Deleting a server
is a soft delete: ``deleted`` becomes the row id and ``deleted_at`` is set, so
``changes-since`` still finds it; its fixed IPs and pending transition go.
"""

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

#: Microsecond timestamps on MySQL/MariaDB too (their DATETIME defaults to s).
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")
#: Up to 16 MiB on MySQL/MariaDB, whose TEXT stops at 64 KiB.
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class Base(DeclarativeBase):
    pass


class Flavor(Base):
    __tablename__ = "flavors"

    id: Mapped[int] = mapped_column(primary_key=True)
    flavorid: Mapped[str] = mapped_column(sa.String(255), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    memory_mb: Mapped[int]
    vcpus: Mapped[int]
    root_gb: Mapped[int]
    ephemeral_gb: Mapped[int] = mapped_column(default=0)
    swap: Mapped[int] = mapped_column(default=0)
    rxtx_factor: Mapped[float] = mapped_column(sa.Float, default=1.0)
    disabled: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    created_at = mapped_column(Timestamp, nullable=False)
    updated_at = mapped_column(Timestamp)

    extra_specs: Mapped[list["FlavorExtraSpec"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="FlavorExtraSpec.key")
    projects: Mapped[list["FlavorProject"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="FlavorProject.project_id")

    @property
    def extra_specs_dict(self):
        return {spec.key: spec.value for spec in self.extra_specs}


class FlavorExtraSpec(Base):
    __tablename__ = "flavor_extra_specs"
    __table_args__ = (sa.UniqueConstraint("flavor_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flavors.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str] = mapped_column(sa.String(255))


class FlavorProject(Base):
    """A project that may use a private flavor (os-flavor-access)."""

    __tablename__ = "flavor_projects"
    __table_args__ = (sa.UniqueConstraint("flavor_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flavor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("flavors.id", ondelete="CASCADE"))
    project_id: Mapped[str] = mapped_column(sa.String(255))


class Instance(Base):
    """A server. ``meta`` is the user's metadata, ``system_meta`` minova's."""

    __tablename__ = "instances"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    hostname: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str | None] = mapped_column(sa.Text)
    project_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    image_ref: Mapped[str] = mapped_column(sa.String(255), default="")
    flavorid: Mapped[str] = mapped_column(sa.String(255))
    vcpus: Mapped[int]
    memory_mb: Mapped[int]
    root_gb: Mapped[int]
    ephemeral_gb: Mapped[int]
    flavor = mapped_column(sa.JSON, nullable=False)
    old_flavor = mapped_column(sa.JSON)
    key_name: Mapped[str | None] = mapped_column(sa.String(255))
    key_data = mapped_column(sa.Text)
    key_type: Mapped[str | None] = mapped_column(sa.String(255))
    user_data = mapped_column(LongText)
    meta = mapped_column(sa.JSON, nullable=False)
    system_meta = mapped_column(sa.JSON, nullable=False)
    security_groups = mapped_column(sa.JSON, nullable=False)
    vm_state: Mapped[str] = mapped_column(sa.String(255))
    task_state: Mapped[str | None] = mapped_column(sa.String(255))
    power_state: Mapped[int] = mapped_column(default=0)
    progress: Mapped[int] = mapped_column(default=0)
    launch_index: Mapped[int] = mapped_column(default=0)
    reservation_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    availability_zone: Mapped[str] = mapped_column(sa.String(255))
    host: Mapped[str | None] = mapped_column(sa.String(255))
    access_ip_v4: Mapped[str | None] = mapped_column(sa.String(39))
    access_ip_v6: Mapped[str | None] = mapped_column(sa.String(39))
    auto_disk_config: Mapped[bool] = mapped_column(default=False)
    config_drive: Mapped[str] = mapped_column(sa.String(255), default="")
    locked: Mapped[bool] = mapped_column(default=False)
    locked_by: Mapped[str | None] = mapped_column(sa.String(255))
    locked_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The boot request's scheduler hints, its explicitly asked zone and
    #: trusted image certificate ids (None when not given).
    scheduler_hints = mapped_column(sa.JSON)
    pinned_availability_zone: Mapped[str | None] = mapped_column(
        sa.String(255))
    trusted_certs = mapped_column(sa.JSON)
    #: Why the server is in ERROR ({code, message, details, created}, the
    #: time as the API shows it), or None: the API's ``fault``.
    fault = mapped_column(sa.JSON)
    created_at = mapped_column(Timestamp, nullable=False, index=True)
    updated_at = mapped_column(Timestamp, index=True)
    launched_at = mapped_column(Timestamp)
    terminated_at = mapped_column(Timestamp)
    deleted_at = mapped_column(Timestamp)
    deleted: Mapped[int] = mapped_column(default=0)

    fixed_ips: Mapped[list["FixedIP"]] = relationship(
        back_populates="instance", lazy="selectin", order_by="FixedIP.id")
    tag_rows: Mapped[list["InstanceTag"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="InstanceTag.tag")
    volume_attachments: Mapped[list["VolumeAttachment"]] = relationship(
        back_populates="instance", cascade="all, delete-orphan",
        passive_deletes=True, lazy="selectin", order_by="VolumeAttachment.id")

    @property
    def tags(self):
        return [row.tag for row in self.tag_rows]

    @property
    def instance_name(self):
        return instance_name(self.id)


def instance_name(instance_id):
    """The hypervisor's name for the server of row ``instance_id``
    (OS-EXT-SRV-ATTR:instance_name)."""
    return "instance-%08x" % instance_id


class InstanceTag(Base):
    """One tag of a server (nova's server tags)."""

    __tablename__ = "instance_tags"
    __table_args__ = (sa.UniqueConstraint("instance_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instances.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(sa.String(60), index=True)


class InstanceGroup(Base):
    """A server group: a placement policy its member servers obey.

    ``policy`` is one of affinity, anti-affinity, soft-affinity,
    soft-anti-affinity; ``rules`` ({"max_server_per_host": n} or {}) only
    ever holds anti-affinity's limit."""

    __tablename__ = "instance_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    project_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    policy: Mapped[str] = mapped_column(sa.String(255))
    rules = mapped_column(sa.JSON, nullable=False)
    created_at = mapped_column(Timestamp, nullable=False)


class InstanceGroupMember(Base):
    """A server in a group; the row goes when the server or group does."""

    __tablename__ = "instance_group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instance_groups.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instances.id", ondelete="CASCADE"), unique=True)


class InstanceTransition(Base):
    """The one pending lifecycle step of a server, applied at ``due_at``."""

    __tablename__ = "instance_transitions"

    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True)
    due_at = mapped_column(Timestamp, nullable=False, index=True)
    vm_state: Mapped[str] = mapped_column(sa.String(255))
    task_state: Mapped[str | None] = mapped_column(sa.String(255))
    power_state: Mapped[int]
    launched: Mapped[bool] = mapped_column(default=False)
    #: An optional second step: the vm_state reached at ``then_at`` (after
    #: ``due_at``), task_state and power_state unchanged.
    then_at = mapped_column(Timestamp)
    then_vm_state: Mapped[str | None] = mapped_column(sa.String(255))


class Image(Base):
    """An image a server action made (createImage's snapshot,
    createBackup's backup): what the image stand-in shows by name, and
    what a backup rotation deletes. Nothing is uploaded."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255), index=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    #: "snapshot" or "backup" (glance's image_type property).
    image_type: Mapped[str] = mapped_column(sa.String(16))
    backup_type: Mapped[str | None] = mapped_column(sa.String(255))
    created_at = mapped_column(Timestamp, nullable=False)


class InstanceAction(Base):
    """An action taken on a server (os-instance-actions). ``finish_time``
    is when its last event finishes, which may still be ahead: until then
    ``updated_at`` is its start."""

    __tablename__ = "instance_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(255))
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    request_id: Mapped[str] = mapped_column(sa.String(255), index=True)
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    start_time = mapped_column(Timestamp, nullable=False)
    finish_time = mapped_column(Timestamp)
    message: Mapped[str | None] = mapped_column(sa.String(255))
    updated_at = mapped_column(Timestamp, nullable=False)


class InstanceActionEvent(Base):
    """One step of an action; ``finish_time`` and ``result`` count only
    once the clock has reached ``finish_time``."""

    __tablename__ = "instance_actions_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instance_actions.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(sa.String(255))
    start_time = mapped_column(Timestamp, nullable=False)
    finish_time = mapped_column(Timestamp)
    result: Mapped[str | None] = mapped_column(sa.String(255))
    traceback = mapped_column(sa.Text)
    host: Mapped[str | None] = mapped_column(sa.String(255))
    details = mapped_column(sa.Text)


class Migration(Base):
    """A server's move between hosts (os-migrations). ``status`` is what
    it is until ``due_at``, when it becomes ``due_status`` by itself (see
    ``compute.migrations``)."""

    __tablename__ = "migrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    source_compute: Mapped[str | None] = mapped_column(sa.String(255))
    dest_compute: Mapped[str | None] = mapped_column(sa.String(255))
    source_node: Mapped[str | None] = mapped_column(sa.String(255))
    dest_node: Mapped[str | None] = mapped_column(sa.String(255))
    dest_host: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[str] = mapped_column(sa.String(255))
    due_status: Mapped[str | None] = mapped_column(sa.String(255))
    due_at = mapped_column(Timestamp)
    migration_type: Mapped[str] = mapped_column(sa.String(255))
    old_instance_type_id: Mapped[int | None]
    new_instance_type_id: Mapped[int | None]
    user_id: Mapped[str | None] = mapped_column(sa.String(255))
    project_id: Mapped[str | None] = mapped_column(sa.String(255))
    created_at = mapped_column(Timestamp, nullable=False, index=True)
    updated_at = mapped_column(Timestamp)


def new_uuid():
    return str(uuid.uuid4())


class FixedIP(Base):
    """A server's port: its address and MAC in the one network, its uuid
    and tag; the row goes when the port is detached or the server
    deleted."""

    __tablename__ = "fixed_ips"
    __table_args__ = (sa.UniqueConstraint("port_id",
                                          name="uq_fixed_ips_port_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    port_id: Mapped[str] = mapped_column(sa.String(36), default=new_uuid)
    tag: Mapped[str | None] = mapped_column(sa.String(60))
    address: Mapped[str] = mapped_column(sa.String(39), unique=True)
    mac_address: Mapped[str] = mapped_column(sa.String(17), unique=True)
    network: Mapped[str] = mapped_column(sa.String(255))
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instances.id", ondelete="CASCADE"), index=True)
    created_at = mapped_column(Timestamp, nullable=False)

    instance: Mapped[Instance] = relationship(back_populates="fixed_ips")


class VolumeAttachment(Base):
    """A volume attached to a server (nova's volume block device mapping).
    A volume is on one server at a time; a device name once per server."""

    __tablename__ = "volume_attachments"
    __table_args__ = (sa.UniqueConstraint("instance_id", "device_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True,
                                      default=new_uuid)
    attachment_id: Mapped[str] = mapped_column(sa.String(36),
                                               default=new_uuid)
    instance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("instances.id", ondelete="CASCADE"))
    volume_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    device_name: Mapped[str] = mapped_column(sa.String(255))
    tag: Mapped[str | None] = mapped_column(sa.String(60))
    delete_on_termination: Mapped[bool]
    #: 0 for the root disk of a server booted from a volume, else None.
    boot_index: Mapped[int | None]
    created_at = mapped_column(Timestamp, nullable=False)

    instance: Mapped[Instance] = relationship(
        back_populates="volume_attachments")


class CacheGeneration(Base):
    """How many times a cached table has been written (see db.generations)."""

    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    generation: Mapped[int]


class SecurityGroup(Base):
    """A security group a project made (``default`` has no row: see
    compute.security_groups). Groups carry no rules: minova filters no
    traffic."""

    __tablename__ = "security_groups"
    __table_args__ = (sa.UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    description: Mapped[str] = mapped_column(sa.String(255))
    created_at = mapped_column(Timestamp, nullable=False)


class Lock(Base):
    """A name that one transaction at a time holds (see db.locks)."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(sa.String(255), primary_key=True)


class KeyPair(Base):
    __tablename__ = "key_pairs"
    __table_args__ = (sa.UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255))
    type: Mapped[str] = mapped_column(sa.String(16))
    public_key = mapped_column(sa.Text, nullable=False)
    fingerprint: Mapped[str] = mapped_column(sa.String(255))
    created_at = mapped_column(Timestamp, nullable=False)
    updated_at = mapped_column(Timestamp)


class Quota(Base):
    """A limit an admin set for a project (``user_id`` "") or for one user
    in a project (os-quota-sets)."""

    __tablename__ = "quotas"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id",
                                          "resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[str] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(64))
    hard_limit: Mapped[int]
    created_at = mapped_column(Timestamp, nullable=False)
    updated_at = mapped_column(Timestamp)


class QuotaClass(Base):
    """A limit of a quota class; the class ``default`` is every project's
    default (os-quota-class-sets)."""

    __tablename__ = "quota_classes"
    __table_args__ = (sa.UniqueConstraint("class_name", "resource"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_name: Mapped[str] = mapped_column(sa.String(255))
    resource: Mapped[str] = mapped_column(sa.String(64))
    hard_limit: Mapped[int]
    created_at = mapped_column(Timestamp, nullable=False)
    updated_at = mapped_column(Timestamp)


class ConsoleAuthToken(Base):
    """A console URL's token, kept as its SHA-256 only (nova stores the
    same), with the server and console it opens until ``expires_at``."""

    __tablename__ = "console_auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    console_type: Mapped[str] = mapped_column(sa.String(255))
    host: Mapped[str] = mapped_column(sa.String(255))
    port: Mapped[int]
    tls_port: Mapped[int | None]
    internal_access_path: Mapped[str | None] = mapped_column(sa.String(255))
    instance_uuid: Mapped[str] = mapped_column(sa.String(36), index=True)
    created_at = mapped_column(Timestamp, nullable=False)
    expires_at = mapped_column(Timestamp, nullable=False, index=True)


class Service(Base):
    """What an operator changed about a service of a fake host (see
    compute/services.py); a service without a row is enabled and up."""

    __tablename__ = "services"
    __table_args__ = (sa.UniqueConstraint("host", "binary"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(255))
    binary: Mapped[str] = mapped_column(sa.String(255))
    disabled: Mapped[bool] = mapped_column(default=False)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(255))
    forced_down: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    updated_at = mapped_column(Timestamp, nullable=False)


class Aggregate(Base):
    """A host aggregate: a named set of hosts with metadata
    (os-aggregates)."""

    __tablename__ = "aggregates"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(
        sa.String(36), unique=True, default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at = mapped_column(Timestamp, nullable=False)
    updated_at = mapped_column(Timestamp)

    host_rows: Mapped[list["AggregateHost"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="AggregateHost.id")
    metadata_rows: Mapped[list["AggregateMetadata"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="AggregateMetadata.key")

    @property
    def hosts(self):
        return [row.host for row in self.host_rows]

    @property
    def meta(self):
        return {row.key: row.value for row in self.metadata_rows}


class AggregateHost(Base):
    __tablename__ = "aggregate_hosts"
    __table_args__ = (sa.UniqueConstraint("aggregate_id", "host"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("aggregates.id", ondelete="CASCADE"))
    host: Mapped[str] = mapped_column(sa.String(255))


class AggregateMetadata(Base):
    __tablename__ = "aggregate_metadata"
    __table_args__ = (sa.UniqueConstraint("aggregate_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aggregate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("aggregates.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    value: Mapped[str] = mapped_column(sa.String(255))

"""The initial schema: flavors, servers, their fixed IPs and transitions, key pairs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the models' column types: a migration never changes.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")
LongText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def _string(name, nullable=False, length=255, **kw):
    return sa.Column(name, sa.String(length), nullable=nullable, **kw)


def _int(name, nullable=False):
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade():
    op.create_table(
        "flavors",
        sa.Column("id", sa.Integer(), primary_key=True),
        _string("flavorid", unique=True),
        _string("name", unique=True),
        _int("memory_mb"), _int("vcpus"), _int("root_gb"),
        _int("ephemeral_gb"), _int("swap"),
        sa.Column("rxtx_factor", sa.Float(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text()),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp),
    )
    op.create_table(
        "flavor_extra_specs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("flavor_id", sa.Integer(),
                  sa.ForeignKey("flavors.id", ondelete="CASCADE"),
                  nullable=False),
        _string("key"), _string("value"),
        sa.UniqueConstraint("flavor_id", "key"),
    )
    op.create_table(
        "flavor_projects",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("flavor_id", sa.Integer(),
                  sa.ForeignKey("flavors.id", ondelete="CASCADE"),
                  nullable=False),
        _string("project_id"),
        sa.UniqueConstraint("flavor_id", "project_id"),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.Integer(), primary_key=True),
        _string("uuid", length=36, unique=True),
        _string("name"), _string("hostname"),
        sa.Column("description", sa.Text()),
        _string("project_id", index=True), _string("user_id"),
        _string("image_ref"), _string("flavorid"),
        _int("vcpus"), _int("memory_mb"), _int("root_gb"),
        _int("ephemeral_gb"),
        sa.Column("flavor", sa.JSON(), nullable=False),
        sa.Column("old_flavor", sa.JSON()),
        _string("key_name", nullable=True),
        sa.Column("key_data", sa.Text()),
        _string("key_type", nullable=True),
        sa.Column("user_data", LongText),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("system_meta", sa.JSON(), nullable=False),
        sa.Column("security_groups", sa.JSON(), nullable=False),
        _string("vm_state"), _string("task_state", nullable=True),
        _int("power_state"), _int("progress"), _int("launch_index"),
        _string("reservation_id", index=True),
        _string("availability_zone"),
        _string("host", nullable=True),
        _string("access_ip_v4", nullable=True, length=39),
        _string("access_ip_v6", nullable=True, length=39),
        sa.Column("auto_disk_config", sa.Boolean(), nullable=False),
        _string("config_drive"),
        sa.Column("locked", sa.Boolean(), nullable=False),
        _string("locked_by", nullable=True),
        sa.Column("locked_reason", sa.Text()),
        sa.Column("created_at", Timestamp, nullable=False, index=True),
        sa.Column("updated_at", Timestamp, index=True),
        sa.Column("launched_at", Timestamp),
        sa.Column("terminated_at", Timestamp),
        sa.Column("deleted_at", Timestamp),
        _int("deleted"),
    )
    op.create_table(
        "instance_transitions",
        sa.Column("instance_id", sa.Integer(),
                  sa.ForeignKey("instances.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("due_at", Timestamp, nullable=False, index=True),
        _string("vm_state"), _string("task_state", nullable=True),
        _int("power_state"),
        sa.Column("launched", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "fixed_ips",
        sa.Column("id", sa.Integer(), primary_key=True),
        _string("address", length=39, unique=True),
        _string("mac_address", length=17, unique=True),
        _string("network"),
        sa.Column("instance_id", sa.Integer(),
                  sa.ForeignKey("instances.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_table(
        "key_pairs",
        sa.Column("id", sa.Integer(), primary_key=True),
        _string("user_id"), _string("name"),
        _string("type", length=16),
        sa.Column("public_key", sa.Text(), nullable=False),
        _string("fingerprint"),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp),
        sa.UniqueConstraint("user_id", "name"),
    )

"""Seed nova's default flavors, once: an admin may delete them afterwards.

This is a data migration so that it runs exactly once per database; a later
``sync`` finds the revision applied and never adds a deleted flavor back.

Revision ID: 0002
Revises: 0001
"""

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (flavorid, name, memory_mb, root_gb, vcpus), as nova's old defaults.
DEFAULT_FLAVORS = (
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2),
    ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8),
)


def upgrade():
    flavors = sa.table(
        "flavors",
        sa.column("flavorid"), sa.column("name"), sa.column("memory_mb"),
        sa.column("vcpus"), sa.column("root_gb"), sa.column("ephemeral_gb"),
        sa.column("swap"), sa.column("rxtx_factor"), sa.column("disabled"),
        sa.column("is_public"), sa.column("created_at"))
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    op.bulk_insert(flavors, [
        dict(flavorid=flavorid, name=name, memory_mb=ram, root_gb=disk,
             vcpus=vcpus, ephemeral_gb=0, swap=0, rxtx_factor=1.0,
             disabled=False, is_public=True, created_at=now)
        for flavorid, name, ram, disk, vcpus in DEFAULT_FLAVORS
    ])

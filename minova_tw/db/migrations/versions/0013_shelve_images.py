"""A transition's second step (a shelved server's offload), and the images server actions make.

A shelved server is offloaded ``[DEFAULT] shelved_offload_time`` seconds
after its shelve ends, with no request in between; the one pending
transition of a server (``instance_transitions``) therefore gains an
optional second step: the vm_state it reaches (``then_vm_state``) at
``then_at``, after ``due_at``.

``images`` has one row per image createImage or createBackup made: its
name (what the CLI looks it up by), project, server, type and backup
type, so that a backup rotation deletes the oldest of a kind.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: models.Timestamp, frozen here as this revision created it.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.add_column("instance_transitions",
                  sa.Column("then_at", TIMESTAMP))
    op.add_column("instance_transitions",
                  sa.Column("then_vm_state", sa.String(255)))
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False, index=True),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False,
                  index=True),
        sa.Column("image_type", sa.String(16), nullable=False),
        sa.Column("backup_type", sa.String(255)),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )

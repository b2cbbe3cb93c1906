"""A transition's second step: where a server goes on its own after reaching the first.

A shelved server is offloaded ``[DEFAULT] shelved_offload_time`` seconds
after its shelve ends, with no request in between; the one pending
transition of a server (``instance_transitions``) therefore gains an
optional second step: the vm_state it reaches (``then_vm_state``) at
``then_at``, after ``due_at``.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0010"
down_revision = "0009"
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

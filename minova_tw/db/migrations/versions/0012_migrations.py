"""Migrations: the record of each time a server moves between hosts.

``migrations`` has nova's columns: the source and destination compute
and node, the destination's address (``dest_host``, None in minova: its
hosts have none), the kind of move (``migration_type``: migration,
resize, live-migration, evacuation), the flavors before and after (their
row ids, nova's ``old_instance_type_id``/``new_instance_type_id``), who
asked, and the status. A move takes time as a server action does, so a
row also holds the status it reaches by itself (``due_status``) and when
(``due_at``); a reader shows that status once the clock has reached it,
and the next writer of the row stores it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: models.Timestamp, frozen here as this revision created it.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.create_table(
        "migrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("instance_uuid", sa.String(36), nullable=False,
                  index=True),
        sa.Column("source_compute", sa.String(255)),
        sa.Column("dest_compute", sa.String(255)),
        sa.Column("source_node", sa.String(255)),
        sa.Column("dest_node", sa.String(255)),
        sa.Column("dest_host", sa.String(255)),
        sa.Column("status", sa.String(255), nullable=False),
        sa.Column("due_status", sa.String(255)),
        sa.Column("due_at", TIMESTAMP),
        sa.Column("migration_type", sa.String(255), nullable=False),
        sa.Column("old_instance_type_id", sa.Integer()),
        sa.Column("new_instance_type_id", sa.Integer()),
        sa.Column("user_id", sa.String(255)),
        sa.Column("project_id", sa.String(255)),
        sa.Column("created_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("updated_at", TIMESTAMP),
    )

"""The operator's view of the fake fleet: service states and host aggregates.

``services`` holds what an operator changed about a service of a fake host
(disabled and why, forced down, deleted); a service without a row is
enabled and up (see compute/services.py). ``aggregates`` are the host
aggregates, their names unique; ``aggregate_hosts`` puts a host in an
aggregate once; ``aggregate_metadata`` holds one value per key (the
``availability_zone`` key makes the aggregate's hosts a zone).

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
    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("binary", sa.String(255), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.String(255)),
        sa.Column("forced_down", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("host", "binary"),
    )
    op.create_table(
        "aggregates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP),
    )
    op.create_table(
        "aggregate_hosts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("aggregate_id", sa.Integer(),
                  sa.ForeignKey("aggregates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.UniqueConstraint("aggregate_id", "host"),
    )
    op.create_table(
        "aggregate_metadata",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("aggregate_id", sa.Integer(),
                  sa.ForeignKey("aggregates.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.UniqueConstraint("aggregate_id", "key"),
    )

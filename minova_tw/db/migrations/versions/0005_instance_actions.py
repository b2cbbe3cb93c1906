"""What os-instance-actions shows: each action taken on a server and its events.

``instance_actions`` has one row per action (nova's action name, the
request id that asked for it, who asked, when it started and when its last
event finishes); ``instance_actions_events`` the steps of an action. Rows
are keyed by the server's uuid, not its row id, and outlive the server, as
nova's do: actions of a deleted server stay readable.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: models.Timestamp, frozen here as this revision created it.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.create_table(
        "instance_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action", sa.String(255), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255)),
        sa.Column("project_id", sa.String(255)),
        sa.Column("start_time", TIMESTAMP, nullable=False),
        sa.Column("finish_time", TIMESTAMP),
        sa.Column("message", sa.String(255)),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_instance_actions_instance_uuid", "instance_actions",
                    ["instance_uuid"])
    op.create_index("ix_instance_actions_request_id", "instance_actions",
                    ["request_id"])
    op.create_table(
        "instance_actions_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(),
                  sa.ForeignKey("instance_actions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("event", sa.String(255), nullable=False),
        sa.Column("start_time", TIMESTAMP, nullable=False),
        sa.Column("finish_time", TIMESTAMP),
        sa.Column("result", sa.String(255)),
        sa.Column("traceback", sa.Text()),
        sa.Column("host", sa.String(255)),
        sa.Column("details", sa.Text()),
    )
    op.create_index("ix_instance_actions_events_action_id",
                    "instance_actions_events", ["action_id"])

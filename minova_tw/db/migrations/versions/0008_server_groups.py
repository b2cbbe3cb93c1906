"""Server groups, their members, and a server's fault.

``instance_groups`` holds os-server-groups (name, owner, policy, rules);
``instance_group_members`` the servers that joined one at boot (a server
joins at most one). ``instances.fault`` says why a server is in ERROR
(the scheduler found no host its group allows).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: As in 0001: microseconds on MySQL/MariaDB too.
Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.create_table(
        "instance_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("policy", sa.String(255), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_instance_groups_project_id", "instance_groups",
                    ["project_id"])
    op.create_table(
        "instance_group_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(),
                  sa.ForeignKey("instance_groups.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("instance_id", sa.Integer(),
                  sa.ForeignKey("instances.id", ondelete="CASCADE"),
                  nullable=False, unique=True),
    )
    op.create_index("ix_instance_group_members_group_id",
                    "instance_group_members", ["group_id"])
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("fault", sa.JSON()))

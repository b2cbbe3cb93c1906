"""Quotas set through the API: per project, per user in a project, per quota class.

``quotas`` holds the limits an admin set with ``PUT /os-quota-sets``: a
project's (``user_id`` is the empty string) and a user's within a project.
The empty string rather than NULL keeps ``(project_id, user_id,
resource)`` unique on every backend (NULLs never collide in a unique
constraint). ``quota_classes`` holds ``PUT /os-quota-class-sets``; the
class ``default`` is what every project gets where nothing closer is set.
nova keeps the same facts in three tables (quotas, project_user_quotas,
quota_classes).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                        "mariadb")


def upgrade():
    op.create_table(
        "quotas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("project_id", sa.String(255), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp),
        sa.UniqueConstraint("project_id", "user_id", "resource"),
    )
    op.create_table(
        "quota_classes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("class_name", sa.String(255), nullable=False),
        sa.Column("resource", sa.String(64), nullable=False),
        sa.Column("hard_limit", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp),
        sa.UniqueConstraint("class_name", "resource"),
    )

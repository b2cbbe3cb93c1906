"""Lock rows: what the database serialises quota checks and address allocation on.

``locks`` holds one row per thing that must be changed by one transaction
at a time across every process and host (a project's quota usage, a user's
key pairs, the fixed-IP pool). ``db.locks.hold`` creates the row on first
use and row-locks it until the transaction ends.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "locks",
        sa.Column("name", sa.String(255), primary_key=True),
    )

"""Console authorization tokens: what a remote console request hands out, stored hashed.

``console_auth_tokens`` keeps one row per console URL issued: the SHA-256
of its token (the token itself is only ever in the URL), the server, the
console's type and (fictional) endpoint, and when it expires. An admin
looks a token up through ``GET /os-console-auth-tokens/{token}``.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.create_table(
        "console_auth_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("console_type", sa.String(255), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("tls_port", sa.Integer()),
        sa.Column("internal_access_path", sa.String(255)),
        sa.Column("instance_uuid", sa.String(36), nullable=False,
                  index=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False, index=True),
    )

"""What the server API of later microversions keeps, and the generations per-process caches check.

``instance_tags`` holds a server's tags (2.26, set at boot from 2.52);
``scheduler_hints`` the hints given at boot (shown from 2.100);
``pinned_availability_zone`` the zone the user asked for (2.96);
``trusted_certs`` the trusted image certificate ids (2.63).
``cache_generations`` counts the writes to flavors and to key pairs, so a
process knows in one cheap read whether its cached copy is current.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "instance_tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(),
                  sa.ForeignKey("instances.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("tag", sa.String(60), nullable=False),
        sa.UniqueConstraint("instance_id", "tag"),
    )
    op.create_index("ix_instance_tags_tag", "instance_tags", ["tag"])
    generations = op.create_table(
        "cache_generations",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
    )
    op.bulk_insert(generations, [{"name": "flavors", "generation": 0},
                                 {"name": "key_pairs", "generation": 0}])
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("scheduler_hints", sa.JSON()))
        batch.add_column(sa.Column("pinned_availability_zone",
                                   sa.String(255)))
        batch.add_column(sa.Column("trusted_certs", sa.JSON()))

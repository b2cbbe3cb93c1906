"""Volume attachments and port ids: what os-volume_attachments and os-interface show.

``volume_attachments`` has one row per volume attached to a server (nova's
block device mapping of a volume): the volume's id, the device it shows
as, its tag, whether it goes with the server, its root-disk boot index,
and the ids nova reports for the mapping and the attachment. A volume is
attached to one server at a time, which the unique ``volume_id`` holds
across workers; a device name is used once per server. ``fixed_ips``, a
server's ports, gains the port's uuid (existing ports get a fresh one) and
its tag.

Revision ID: 0009
Revises: 0008
"""

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: models.Timestamp, frozen here as this revision created it.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql",
                                       "mariadb")


def upgrade():
    op.create_table(
        "volume_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("attachment_id", sa.String(36), nullable=False),
        sa.Column("instance_id", sa.Integer(),
                  sa.ForeignKey("instances.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("volume_id", sa.String(36), nullable=False, unique=True),
        sa.Column("device_name", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(60)),
        sa.Column("delete_on_termination", sa.Boolean(), nullable=False),
        sa.Column("boot_index", sa.Integer()),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("instance_id", "device_name"),
    )
    op.add_column("fixed_ips", sa.Column("port_id", sa.String(36)))
    op.add_column("fixed_ips", sa.Column("tag", sa.String(60)))
    fixed_ips = sa.table("fixed_ips", sa.column("id", sa.Integer),
                         sa.column("port_id", sa.String))
    connection = op.get_bind()
    for (row_id,) in connection.execute(sa.select(fixed_ips.c.id)).all():
        connection.execute(fixed_ips.update()
                           .where(fixed_ips.c.id == row_id)
                           .values(port_id=str(uuid.uuid4())))
    with op.batch_alter_table("fixed_ips") as batch:
        batch.alter_column("port_id", existing_type=sa.String(36),
                           nullable=False)
        batch.create_unique_constraint("uq_fixed_ips_port_id", ["port_id"])

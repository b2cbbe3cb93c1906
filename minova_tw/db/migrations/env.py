"""alembic's environment: migrate the connection ``minova_tw.db.migration`` gives.

There is no alembic.ini: the caller puts an open connection, already in its
transaction and holding the migration lock, in ``config.attributes``.
"""

from alembic import context

from minova_tw.db import models

connection = context.config.attributes["connection"]
context.configure(connection=connection,
                  target_metadata=models.Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()

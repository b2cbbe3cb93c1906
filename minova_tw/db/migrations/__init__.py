"""alembic's script directory for minova's schema (see ``minova_tw.db.migration``)."""

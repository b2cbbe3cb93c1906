"""minova's state: models, the engine of a configuration, migrations.

Nothing here imports Twisted or the WSGI layer, or knows business rules.
"""

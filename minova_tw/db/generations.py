"""Write generations: per-process caches of small, rarely written tables that stay right.

Every transaction that writes a cached table (flavors with their extra
specs and access, key pairs) bumps that table's row in
``cache_generations`` in the same transaction. A process keeps its copy
with the generation it was read at; before using it, it reads the current
generation — one primary-key lookup on a raw pooled connection, a few
microseconds — and reloads only when another write happened, in this
process or any other. The generation is read before the data, so a copy
is never labelled newer than it is.
"""

import threading

import sqlalchemy as sa

from minova_tw.db import models

FLAVORS = "flavors"
KEY_PAIRS = "key_pairs"

_SELECT = "SELECT generation FROM cache_generations WHERE name = %s"


def bump(session, name):
    """Count a write to ``name`` (inside the writing transaction)."""
    session.execute(sa.update(models.CacheGeneration)
                    .where(models.CacheGeneration.name == name)
                    .values(generation=models.CacheGeneration.generation + 1))


def current(database, name):
    """The generation of ``name`` now."""
    conn = database.engine.raw_connection()
    try:
        cursor = conn.cursor()
        paramstyle = database.engine.dialect.paramstyle
        marker = "?" if paramstyle == "qmark" else "%s"
        cursor.execute(_SELECT.replace("%s", marker), (name,))
        row = cursor.fetchone()
        cursor.close()
        conn.commit()
    finally:
        conn.close()
    return row[0]


class Cache:
    """Values computed from a table, kept while its generation holds.

    ``get(key, load)`` returns the cached value of ``key`` or stores
    ``load()``; at most ``size`` keys are kept (the oldest go first).
    """

    def __init__(self, database, name, size=1024):
        self.database = database
        self.name = name
        self.size = size
        self._generation = None
        self._values = {}
        self._lock = threading.Lock()

    def get(self, key, load):
        generation = current(self.database, self.name)
        with self._lock:
            if generation != self._generation:
                self._values = {}
                self._generation = generation
            elif key in self._values:
                return self._values[key]
        value = load()
        with self._lock:
            if generation == self._generation:
                if len(self._values) >= self.size:
                    self._values.pop(next(iter(self._values)))
                self._values[key] = value
        return value

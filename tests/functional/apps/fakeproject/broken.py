"""An entry module whose import fails, as a project's does without its database."""

raise RuntimeError("fakeproject cannot start: no database")

"""The hosting tests start twistd with tests/functional's ``minova`` fixture."""

from tests.functional.conftest import minova  # noqa: F401  (the fixture)

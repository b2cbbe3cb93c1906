"""Test modules never import from one another (issue 17 item 21).

Shared fixtures live in a conftest.py, shared helpers in plain modules
beside the tests (tests/polling.py, tests/functional/compute.py, ...). A
test module imported by another one would have its tests' names, and
pytest fixtures imported by name, pulled into the importer: fixtures that
depend on fixtures left behind then fail only at setup. Every module under
tests/ is parsed (not imported) and each import of a ``test_*`` module is
named.
"""

import ast
import pathlib

TESTS = pathlib.Path(__file__).resolve().parents[1]


def is_package(dotted):
    """Whether ``dotted`` names a package directory of this checkout."""
    return TESTS.parent.joinpath(*dotted.split(".")).is_dir()


def imported_test_modules(source):
    """The ``test_*`` modules that ``source`` imports, as dotted names.

    ``from package import test_x`` imports a module; ``from module import
    test_x`` a name (conftest's ``minova_env`` helper, say), left alone.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            if is_package(node.module):
                modules += [node.module + "." + alias.name
                            for alias in node.names]
        else:
            continue
        found += [name for name in modules
                  if name.rpartition(".")[2].startswith("test_")]
    return found


def test_no_module_under_tests_imports_a_test_module():
    offenders = ["%s imports %s" % (path.relative_to(TESTS.parent), name)
                 for path in sorted(TESTS.rglob("*.py"))
                 for name in imported_test_modules(path.read_text())]
    assert offenders == []


def test_the_walk_sees_every_way_of_importing_a_test_module():
    source = ("import tests.unit.test_a\n"
              "from tests.functional.test_b import helper\n"
              "from tests.unit import test_c\n"
              "from tests.functional import compute, conftest\n"
              "from tests.functional.process import minova_env\n"
              "import tests.polling\n")
    assert imported_test_modules(source) == [
        "tests.unit.test_a", "tests.functional.test_b", "tests.unit.test_c"]


def test_the_walk_covers_the_tests_tree():
    names = {path.name for path in TESTS.rglob("*.py")}
    assert {"conftest.py", "test_test_layout.py", "compute.py"} <= names

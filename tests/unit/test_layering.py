"""The WSGI stacks and what is behind them never import Twisted (DESIGN.md).

Every module of minova_tw.api, minova_tw.compute and minova_tw.db, found
with pkgutil so that a new module is checked without being listed here,
is imported in a fresh interpreter; the first whose import brings Twisted
in is named.
"""

import subprocess
import sys

PACKAGES = ("minova_tw.api", "minova_tw.compute", "minova_tw.db")
# alembic's env script runs only inside alembic's own migration context.
NOT_IMPORTABLE = {"minova_tw.db.migrations.env"}

SCRIPT = """
import importlib, pkgutil, sys
packages, skip = %r, %r
names = []
for package in packages:
    names.append(package)
    path = importlib.import_module(package).__path__
    names += [m.name for m in pkgutil.walk_packages(path, package + ".")
              if m.name not in skip]
for name in names:
    importlib.import_module(name)
    if "twisted" in sys.modules:
        print("twisted imported by", name)
        break
else:
    print("checked", len(names))
"""


def test_api_compute_and_db_never_import_twisted():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT % (PACKAGES, NOT_IMPORTABLE)],
        capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("checked "), out
    assert int(out.split()[1]) > 50  # the walk found the packages' modules

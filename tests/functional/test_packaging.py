"""The wheel: what a plain ``pip install .`` puts on a machine.

twistd finds plugins by scanning ``twisted/plugins`` directories, which must
not be packages of their own (no ``__init__.py``); the migrations and the
console script must ship too.
"""

import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def test_the_wheel_ships_the_plugin_migrations_and_scripts(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), ROOT], check=True, timeout=300)
    wheel, = [p for p in os.listdir(tmp_path) if p.endswith(".whl")]
    with zipfile.ZipFile(tmp_path / wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(
            n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "twisted/plugins/minova_plugin.py" in names
    assert "twisted/plugins/__init__.py" not in names
    assert "twisted/__init__.py" not in names
    assert "minova_tw/db/migrations/env.py" in names
    assert "minova_tw/db/migrations/versions/0001_initial.py" in names
    assert "minova_tw/api/metadata/handler.py" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    assert "minova-manage = minova_tw.manage:main" in entry_points
    assert "minova = minova_tw.conf:list_opts" in entry_points

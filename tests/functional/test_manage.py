"""minova-manage, run as the installed console script against a real SQLite file."""

import os
import subprocess
import sys

from tests.functional.conftest import base_config, write_config
from minova_tw.db import migration

MANAGE = os.path.join(os.path.dirname(sys.executable), "minova-manage")


def manage(config, *args):
    return subprocess.run([MANAGE, "--config-file", config] + list(args),
                          capture_output=True, text=True, timeout=120)


def test_db_sync_and_version(tmp_path):
    config = write_config(tmp_path / "api.conf", base_config(tmp_path))
    assert manage(config, "db", "version").stdout == "None\n"
    synced = manage(config, "db", "sync")
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout == migration.head() + "\n"
    assert manage(config, "db", "version").stdout == migration.head() + "\n"
    assert manage(config, "db", "sync").returncode == 0
    assert (tmp_path / "state" / "minova.sqlite").is_file()


def test_flavor_create_and_list(tmp_path):
    config = write_config(tmp_path / "api.conf", base_config(tmp_path))
    created = manage(config, "flavor", "create", "m1.nano", "--ram", "64",
                     "--vcpus", "1", "--disk", "2", "--id", "42", "--private")
    assert (created.returncode, created.stdout) == (0, "42\n"), created.stderr
    rows = [line.split() for line in
            manage(config, "flavor", "list").stdout.splitlines()]
    assert rows[0] == ["ID", "Name", "RAM", "Disk", "Ephemeral", "VCPUs",
                       "Is", "Public"]
    assert ["42", "m1.nano", "64", "2", "0", "1", "False"] in rows
    assert ["1", "m1.tiny", "512", "1", "0", "1", "True"] in rows
    again = manage(config, "flavor", "create", "m1.nano", "--ram", "64",
                   "--vcpus", "1", "--id", "42")
    assert again.returncode == 1
    assert again.stderr == "minova-manage: Flavor with ID 42 already exists.\n"


def test_a_missing_config_is_one_line(tmp_path):
    result = manage(str(tmp_path / "nope.conf"), "db", "version")
    assert result.returncode == 1
    assert result.stderr == "minova-manage: config file %s not found\n" % (
        tmp_path / "nope.conf")

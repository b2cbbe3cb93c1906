"""minova_tw.tap: twistd's ``minova`` options, where its log goes, and a
config error as twistd's one line."""

import io
import os
import sys

import pytest
from oslo_config import cfg
from twisted.python import usage

from minova_tw import tap


def parsed(*args):
    options = tap.Options()
    options.parseOptions(list(args))
    return options


def under(twistd):
    """Options as twistd holds them: ``twistd`` is its own options (None:
    outside twistd, e.g. embedded)."""
    options = tap.Options()
    if twistd is not None:
        options.parent = twistd
    return options


def test_config_and_config_dir_repeat_and_become_absolute(tmp_path,
                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = parsed("--config", "a.conf", "--config", "/etc/b.conf",
                     "--config-dir", "conf.d")
    assert options["config"] == [str(tmp_path / "a.conf"), "/etc/b.conf"]
    assert options["config-dir"] == [str(tmp_path / "conf.d")]


def test_without_config_the_files_oslo_config_finds_are_read(monkeypatch):
    monkeypatch.setattr(cfg, "find_config_files",
                        lambda project, prog: ["/etc/minova/minova.conf"])
    assert parsed()["config"] == ["/etc/minova/minova.conf"]


def test_without_any_config_file_is_a_usage_error(monkeypatch):
    monkeypatch.setattr(cfg, "find_config_files", lambda project, prog: [])
    with pytest.raises(usage.UsageError, match="no config file: pass "
                       "--config FILE"):
        parsed()


def test_a_config_error_ends_twistd_with_one_line(tmp_path):
    options = parsed("--config", str(tmp_path / "nope.conf"))
    with pytest.raises(SystemExit) as raised:
        tap.makeService(options)
    assert str(raised.value) == "minova: config file %s not found" % (
        tmp_path / "nope.conf")


@pytest.mark.parametrize("twistd, path", [
    (None, None),  # outside twistd: nodaemon by default, stdout
    ({"nodaemon": True, "logfile": None}, None),
    ({"nodaemon": True, "logfile": "-"}, None),
    ({"nodaemon": False, "logfile": None, "syslog": True}, None),
    ({"nodaemon": False, "logfile": None}, "twistd.log"),
    ({"nodaemon": True, "logfile": "minova.log"}, "minova.log"),
    ({"nodaemon": False, "logfile": "/var/log/minova.log"},
     "/var/log/minova.log"),
])
def test_log_path(tmp_path, monkeypatch, twistd, path):
    monkeypatch.chdir(tmp_path)
    options = under(twistd)
    expected = None if path is None else os.path.join(str(tmp_path), path)
    assert tap.log_path(options) == expected


def test_access_lines_go_to_minovas_log_file_when_there_is_one():
    log_file = io.StringIO()
    options = under({"syslog": True})
    assert tap.access_log_output(options, log_file) is log_file


@pytest.mark.parametrize("twistd, output", [
    (None, None),  # embedded: through twisted.logger
    ({"syslog": True}, None),
    ({"logger": "my.observer"}, None),
    ({"nodaemon": True}, "stdout"),
])
def test_access_lines_without_a_log_file(twistd, output):
    options = under(twistd)
    expected = sys.__stdout__ if output == "stdout" else None
    assert tap.access_log_output(options, None) is expected

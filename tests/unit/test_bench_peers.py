"""granian and Apache's mod_wsgi as bench hosts: their command lines, configs and targets.

These prove what a smoke run cannot show: that the granian command that
serves real nova leaves nova's config parser nothing to choke on, that the
Apache config is the Kolla shape Apache itself accepts, that its Python
imports the stack's packages with Debian's interpreter, which smoke hosts
run, and how the issue #18 target rows judge.
"""

import json
import os
import subprocess
import sys

import pytest

from bench import apache, hosted, hosts, matrix, report, runner

needs_apache = pytest.mark.skipif(
    apache.program() is None,
    reason="Apache with mod_wsgi is not installed (bench/run.sh installs "
    "apache2 and libapache2-mod-wsgi-py3)")


def test_granian_under_nova_sees_its_flags_and_nova_sees_none(tmp_path):
    """nova's entry module parses sys.argv: granian's flags must reach
    granian's CLI without being in it."""
    fake = tmp_path / "granian"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "cli.py").write_text(
        "import json, sys\n"
        "def cli(args, prog_name):\n"
        "    print(json.dumps([sys.argv, args, prog_name]))\n")
    command, cwd = hosted.Nova.command("granian", matrix.STACKS[-1], 8123, 2,
                                       str(tmp_path))
    out = subprocess.run([sys.executable] + command, cwd=cwd, check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    argv, args, prog = json.loads(out.stdout)
    assert argv == ["-c"]
    assert prog == "granian"
    assert args == hosts.granian_args(
        8123, 2, "nova.wsgi.osapi_compute:application", access_log=False)
    assert args[:4] == ["--interface", "wsgi", "--blocking-threads", "4"]
    assert "--access-log" not in args  # nova logs each request itself
    assert "--access-log" in hosts.granian_args(8123, 1, "m:a")


@needs_apache
def test_the_apache_config_is_single_threaded_daemons_apache_accepts(
        tmp_path):
    script = apache.write_script(str(tmp_path), "nova.wsgi.osapi_compute:"
                                 "application")
    assert open(script).read() == (
        "from nova.wsgi.osapi_compute import application as application\n")
    conf = apache.write_config(str(tmp_path), 8123, 2, script,
                               str(tmp_path / "home"))
    text = open(conf).read()
    assert "Listen 127.0.0.1:8123\n" in text
    assert " processes=2 threads=1 " in text
    assert "CustomLog " in text
    assert "CustomLog " not in open(apache.write_config(
        str(tmp_path), 8123, 1, script, str(tmp_path / "home"),
        access_log=False)).read()
    result = subprocess.run([apache.PROGRAM, "-t", "-f", conf],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@needs_apache
def test_the_daemons_python_is_debians_with_the_stacks_packages(tmp_path):
    home = apache.python_home(str(tmp_path), sys.prefix, matrix.ROOT)
    out = subprocess.run(
        [os.path.join(home, "bin", "python"), "-c",
         "import json, sys, paste.deploy, oslo_middleware, minova_tw; "
         "print(json.dumps([sys.base_prefix, sys.path, "
         "oslo_middleware.__file__, minova_tw.__file__]))"],
        check=True, capture_output=True, text=True, env={})
    base, path, middleware, minova = json.loads(out.stdout)
    # The interpreter and stdlib mod_wsgi is linked with...
    assert base == "/usr"
    # ...the packages of the stack's venv and the checkout, and none of
    # Debian's own.
    assert middleware.startswith(apache.site_packages(sys.prefix))
    assert minova.startswith(matrix.ROOT)
    assert not [p for p in path if "dist-packages" in p]


def test_smoke_runs_minova_one_other_host_and_each_installed_peer(
        monkeypatch):
    installed = {"uwsgi", "gunicorn-sync", "granian"}
    monkeypatch.setattr(
        runner.hostlib, "executable",
        lambda kind, hosted=None: kind if kind in installed else None)
    labels = [h.label for h in runner.select_hosts(matrix.MODES["smoke"])]
    assert labels == ["minova-p1", "minova-inline-p1", "uwsgi-p1",
                      "granian-p1"]
    full = [h.label for h in runner.select_hosts(matrix.MODES["full"])]
    assert {"granian-p1", "granian-p2", "apache-p1", "apache-p2"} <= set(full)


def _row(host, shape, rps, p99=1.0, served=None):
    return {"stack": "reference", "endpoint": "GET /", "host": host,
            "connections": shape.connections, "keep_alive": shape.keep_alive,
            "rps": rps, "p99_ms": p99,
            "served_connections": served or shape.connections}


def _target(lines, name):
    return next(line for line in lines if line.startswith("| %s |" % name))


def test_the_issue_18_rows_judge_against_uwsgi_and_granian():
    c1, c8 = matrix.Shape(1), matrix.ALL_SERVED
    close = matrix.Shape(64, keep_alive=False)
    lines = report._peer_targets([
        _row("minova-p1", c1, 1000), _row("uwsgi-p1", c1, 1000),
        _row("granian-p1", c1, 1100),
        _row("minova-p2", c8, 5000, p99=3.0), _row("uwsgi-p2", c8, 4000,
                                                  p99=2.0),
        _row("minova-p1", c8, 5000, p99=3.0, served=7),
        _row("uwsgi-p1", c8, 4000, p99=9.0, served=4),
        _row("minova-p2", close, 890), _row("uwsgi-p2", close, 1000)])
    assert _target(lines, "reference, 1p, c=1 keep-alive: req/s vs uWSGI") \
        .endswith("| 1.00x (1000 vs 1000 req/s) | >= 1.0x | PASS | – |")
    assert _target(lines, "reference, 1p, c=1 keep-alive: req/s vs granian") \
        .endswith("| 0.91x (1000 vs 1100 req/s) | >= 1.0x | FAIL | – |")
    assert _target(lines, "reference, 2p, c=8: p99 vs uWSGI, every "
                   "connection served").endswith(
        "| 3.0 vs 2.0 ms (1.50x; served 8/8 vs 8/8) | <= 1.5x, 8/8 served "
        "| PASS | – |")
    # Faster than uWSGI's, but one of minova's connections had no answer.
    assert _target(lines, "reference, 1p, c=8: p99 vs uWSGI, every "
                   "connection served").endswith("| FAIL | – |")
    assert _target(lines, "reference, 2p, c=64 Connection: close: req/s vs "
                   "uWSGI").endswith("| 0.89x (890 vs 1000 req/s) | >= 0.9x "
                                     "| FAIL | – |")
    assert "n/a: minova-p2 and granian-p2 not measured" in _target(
        lines, "reference, 2p, c=256 keep-alive: req/s vs granian")


def test_each_issue_18_row_gives_the_same_ratio_without_the_thread_hop():
    """The last column is minova-inline's ratio in the same cell, against
    the same host: what the default would be with no hand-off at all."""
    c1, c8 = matrix.Shape(1), matrix.ALL_SERVED
    close = matrix.Shape(1, keep_alive=False)
    lines = report._peer_targets([
        _row("minova-p1", c1, 900), _row("minova-inline-p1", c1, 1200),
        _row("uwsgi-p1", c1, 1000), _row("granian-p1", c1, 800),
        _row("minova-p2", c8, 4000, p99=3.0),
        _row("minova-inline-p2", c8, 3600, p99=1.5),
        _row("uwsgi-p2", c8, 4000, p99=2.0),
        _row("minova-p2", close, 500), _row("minova-inline-p2", close, 850),
        _row("uwsgi-p2", close, 1000)])
    assert _target(lines, "reference, 1p, c=1 keep-alive: req/s vs uWSGI") \
        .endswith("| 0.90x (900 vs 1000 req/s) | >= 1.0x | FAIL | 1.20x |")
    assert _target(lines, "reference, 1p, c=1 keep-alive: req/s vs granian") \
        .endswith("| PASS | 1.50x |")
    assert _target(lines, "reference, 2p, c=8 keep-alive: req/s vs uWSGI") \
        .endswith("| PASS | 0.90x |")
    # p99: inline's over uWSGI's, lower is better.
    assert _target(lines, "reference, 2p, c=8: p99 vs uWSGI, every "
                   "connection served").endswith("| 0.75x |")
    assert _target(lines, "reference, 2p, c=1 Connection: close: req/s vs "
                   "uWSGI").endswith("| FAIL | 0.85x |")
    # No inline row in a cell: nothing to compare.
    assert _target(lines, "reference, 1p, c=8 keep-alive: req/s vs uWSGI") \
        .endswith(" – |")
    header = lines.index("| target | measured | wanted | verdict | "
                         "no thread hop |")
    assert lines[header + 1] == "|---|---|---|---|---|"
    assert report.NO_HOP_NOTE in lines

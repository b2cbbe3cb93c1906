"""Any API name, served from its project's WSGI entry point, by the real twistd.

tests/functional/apps/fakeproject stands in for an OpenStack project: its
entry module parses ``sys.argv`` on import and exits on arguments it does
not know (as nova's oslo.config does), reads an environment variable, and
records the pid of each process that imported it; it has a factory-style
entry (keystone's form) and a module whose import fails. The built-in
stacks run beside it unchanged.
"""

import pytest
import requests

from tests.functional.process import (PASTE, TWISTD, base_config, run_minova,
                                      minova_env, write_config)
from tests.functional.certificates import Certificates

ENTRY = "fakeproject.wsgi:application"
FACTORY = 'fakeproject.factory:initialize_application("admin")'


def hosted(tmp_path, name, entry, workers=1, **default):
    """base_config with API ``name`` from ``entry`` after the built-ins."""
    options = {"enabled_apis": "osapi_compute,metadata,%s" % name,
               "%s_listen" % name: "127.0.0.1",
               "%s_listen_port" % name: 0,
               "%s_workers" % name: workers,
               "%s_wsgi_app" % name: entry}
    options.update(default)
    return base_config(tmp_path, DEFAULT=options)


def fake_env(tmp_path):
    return minova_env(FAKEPROJECT_GREETING="hello from the environment",
                    FAKEPROJECT_IMPORTS=str(tmp_path / "imports"))


def importers(tmp_path):
    """The pids of the processes that imported fakeproject.wsgi."""
    path = tmp_path / "imports"
    return [int(pid) for pid in path.read_text().split()] \
        if path.exists() else []


def test_any_name_is_served_on_its_own_port_beside_the_builtins(minova,
                                                                tmp_path):
    server = minova(hosted(tmp_path, "placement", ENTRY),
                    expect=("osapi_compute", "metadata", "placement"),
                    env=fake_env(tmp_path))
    assert len(set(server.addresses.values())) == 3
    assert server.log.count("placement listening on 127.0.0.1:") == 1
    server.wait_log("minova ready")
    body = requests.get(server.url("placement")).json()
    # Another project than the built-in paste stacks, which the twistd
    # process serves: a worker process of its own, at placement_workers = 1.
    assert body["pid"] != server.proc.pid
    assert server.workers("placement") == {0: body["pid"]}
    assert body["multiprocess"] is True
    assert body["argv"] == [body["argv_now"][0]]
    assert body["greeting"] == "hello from the environment"
    assert server.proc.pid not in importers(tmp_path)
    # The mini nova's own stacks are unchanged.
    assert "versions" in requests.get(server.url("osapi_compute")).json()
    assert requests.get(server.url("metadata")).status_code == 200


def test_in_the_twistd_process_the_import_sees_the_program_name(minova,
                                                                tmp_path):
    server = minova(hosted(tmp_path, "placement", ENTRY,
                           enabled_apis="placement"),
                    expect=("placement",), env=fake_env(tmp_path))
    body = requests.get(server.url("placement")).json()
    # The import saw the program name alone; twistd's arguments are back.
    assert body["argv"] == [TWISTD]
    assert body["argv_now"][0] == TWISTD and "minova" in body["argv_now"]
    assert body["greeting"] == "hello from the environment"
    assert body["pid"] == server.proc.pid
    assert body["multiprocess"] is False
    assert importers(tmp_path) == [server.proc.pid]


def test_workers_import_the_entry_point_and_the_parent_never_does(minova,
                                                                  tmp_path):
    server = minova(hosted(tmp_path, "identity", FACTORY, workers=2),
                    expect=("osapi_compute", "metadata", "identity"),
                    env=fake_env(tmp_path))
    server.wait_log("minova ready")
    workers = set(server.workers("identity").values())
    assert len(workers) == 2
    body = requests.get(server.url("identity")).json()
    assert body["factory"] == "admin"
    assert body["pid"] in workers
    assert body["multiprocess"] is True
    assert body["argv"] == [body["argv_now"][0]]  # not --api, --slot ...
    assert "--api" in body["argv_now"]
    assert body["greeting"] == "hello from the environment"
    pids = importers(tmp_path)
    assert server.proc.pid not in pids
    # Each worker, and the one throw-away process that checked the entry
    # point before anything listened.
    assert workers < set(pids) and len(pids) == 3


@pytest.mark.parametrize("workers", [1, 2])
def test_a_hosted_api_over_tls(minova, tmp_path, workers):
    pki = Certificates(str(tmp_path))
    sections = hosted(tmp_path, "placement", ENTRY, workers,
                      enabled_ssl_apis="placement")
    sections["wsgi"].update(ssl_cert_file=pki.cert_file,
                            ssl_key_file=pki.key_file)
    server = minova(sections, expect=("osapi_compute", "metadata",
                                      "placement"), env=fake_env(tmp_path))
    assert "placement listening on 127.0.0.1:%d (TLS)" % (
        server.addresses["placement"][1]) in server.log
    server.wait_log("minova ready")
    response = requests.get(server.url("placement", scheme="https"),
                            verify=pki.root_file)
    assert response.json()["scheme"] == "https"
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url("placement"), timeout=5)
    assert requests.get(server.url("osapi_compute")).status_code == 200


def start_failure(tmp_path, sections):
    config = write_config(tmp_path / "api.conf", sections)
    return run_minova(["--config", config], tmp_path, env=fake_env(tmp_path))


def assert_fails_with(result, line):
    """Exit status 1, ``line`` last on stderr, the real traceback once."""
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1] == "minova: " + line
    assert result.stderr.count("Traceback (most recent call last)") == 1
    assert "listening on" not in result.stdout


@pytest.mark.parametrize("workers", [1, 2])
def test_an_entry_module_whose_import_fails(tmp_path, workers):
    result = start_failure(tmp_path, hosted(
        tmp_path, "placement", "fakeproject.broken:application", workers))
    assert_fails_with(result, "[DEFAULT] placement_wsgi_app: cannot import "
                      "fakeproject.broken:application: RuntimeError: "
                      "fakeproject cannot start: no database")
    assert 'broken.py", line 3' in result.stderr


def test_an_entry_module_that_is_not_installed(tmp_path):
    result = start_failure(tmp_path, hosted(
        tmp_path, "placement", "placement.wsgi.api:application"))
    assert_fails_with(result, "[DEFAULT] placement_wsgi_app: cannot import "
                      "placement.wsgi.api:application: ModuleNotFoundError: "
                      "No module named 'placement'")


def test_a_factory_that_raises(tmp_path):
    entry = "fakeproject.factory:initialize_broken_application()"
    result = start_failure(tmp_path, hosted(tmp_path, "identity", entry, 2))
    assert_fails_with(result, "[DEFAULT] identity_wsgi_app: cannot call %s: "
                      "KeyError: 'no [identity] section in fakeproject.conf'"
                      % entry)
    # Built once, by the throw-away worker; no worker was started.
    assert len(importers(tmp_path)) == 1


def test_a_paste_app_that_fails_names_the_exception_and_logs_why(tmp_path):
    paste = write_config(tmp_path / "paste.ini", {"app:placement": {
        "paste.app_factory": "fakeproject.paste:app_factory"}})
    sections = hosted(tmp_path, "placement", None, enabled_apis="placement")
    del sections["DEFAULT"]["placement_wsgi_app"]
    sections["wsgi"]["api_paste_config"] = paste
    result = start_failure(tmp_path, sections)
    assert_fails_with(result, "[wsgi] api_paste_config: cannot load "
                      "placement from %s: AssertionError" % paste)
    assert "assert TRANSPORT is not None" in result.stderr


def test_an_api_without_a_port_names_the_option(tmp_path):
    sections = hosted(tmp_path, "placement", ENTRY)
    del sections["DEFAULT"]["placement_listen_port"]
    result = start_failure(tmp_path, sections)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "minova: [DEFAULT] placement_listen_port is not set: placement has "
        "no default port (0 picks a free one)"]


def test_a_malformed_entry_point_names_the_option_and_file(tmp_path):
    config = write_config(tmp_path / "api.conf", hosted(
        tmp_path, "placement", "placement.wsgi.api:1+1"))
    result = run_minova(["--config", config], tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "minova: invalid value for [DEFAULT] placement_wsgi_app in %s: "
        "'placement.wsgi.api:1+1' is not package.module:callable, "
        "package.module:factory() or package.module" % config]


def test_every_skipped_name_is_in_the_no_apis_line(tmp_path):
    result = start_failure(tmp_path, base_config(tmp_path, DEFAULT={
        "enabled_apis": "placement,ec2"}))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "minova: No APIs were started. Check the enabled_apis config option: "
        "placement is not an app in {0} and has no [DEFAULT] "
        "placement_wsgi_app; ec2 is not an app in {0} and has no [DEFAULT] "
        "ec2_wsgi_app".format(PASTE)]

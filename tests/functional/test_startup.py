"""nova-api's startup rules, on the real twistd process and nova's paste file.

Unknown API names warn and the others start; no API at all, a missing paste
file, a port in use, a bad option value, or keystone without its extra end
twistd with status 1 and exactly one line on stderr, never a traceback.
"""

import socket

import pytest
import requests

from tests.functional.manage import manage
from tests.functional.process import (PASTE, base_config, run_minova,
                                      write_config)


def start_failure(tmp_path, **overrides):
    config = write_config(tmp_path / "api.conf",
                          base_config(tmp_path, **overrides))
    result = run_minova(["--config", config], tmp_path)
    return result, config


def assert_one_line(result, line):
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.stdout + result.stderr


def test_the_sample_config_layout_starts_both_apis(minova, tmp_path):
    server = minova()
    assert set(server.addresses) == {"osapi_compute", "metadata"}
    log = server.log
    assert log.index("osapi_compute listening on 127.0.0.1:") < log.index(
        "metadata listening on 127.0.0.1:")
    assert requests.get(server.url("osapi_compute")).status_code == 200
    assert requests.get(server.url("metadata")).status_code == 200


def test_an_unknown_api_warns_and_the_others_start(minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute,ec2,metadata"}))
    assert set(server.addresses) == {"osapi_compute", "metadata"}
    assert "enabled_apis has ec2" in server.log
    assert "skipping it" in server.log


def test_an_api_missing_from_the_paste_file_warns(minova, tmp_path):
    paste = tmp_path / "only-compute.ini"
    with open(PASTE) as f:
        text = f.read()
    paste.write_text(text.replace("[composite:metadata]", "[composite:meta_x]"))
    server = minova(base_config(tmp_path, wsgi={"api_paste_config": paste}),
                    expect=("osapi_compute",))
    assert "enabled_apis has metadata, which is not an app in %s" % paste \
        in server.log
    assert "metadata listening" not in server.log


def test_no_api_started_exits_1_with_one_line_naming_each_skip(tmp_path):
    result, _ = start_failure(tmp_path, DEFAULT={
        "enabled_apis": "ec2,s3-api"})
    assert_one_line(result, "minova: No APIs were started. Check the "
                    "enabled_apis config option: ec2 is not an app in %s and "
                    "has no [DEFAULT] ec2_wsgi_app; s3-api is not an API name "
                    "(letters, digits and _ only)" % PASTE)


def test_a_missing_paste_file_names_the_option_and_file(tmp_path):
    result, _ = start_failure(tmp_path,
                              wsgi={"api_paste_config": "missing.ini"})
    assert_one_line(result, "minova: [wsgi] api_paste_config: paste file %s "
                    "not found" % (tmp_path / "missing.ini"))


def test_a_port_in_use_names_the_option(tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        result, _ = start_failure(tmp_path, DEFAULT={
            "metadata_listen_port": port})
    finally:
        taken.close()
    assert_one_line(result, "minova: [DEFAULT] metadata_listen_port: cannot "
                    "listen on 127.0.0.1:%d: Address already in use" % port)


@pytest.mark.parametrize("section, option, value, reason", [
    ("DEFAULT", "osapi_compute_listen_port", "99999",
     "Should be less than or equal to 65535"),
    ("DEFAULT", "osapi_compute_workers", "0",
     "Should be greater than or equal to 1"),
    ("api", "auth_strategy", "basic",
     "Valid values are [keystone, noauth2], but found 'basic'"),
])
def test_a_bad_option_value_names_option_and_file(tmp_path, section, option,
                                                  value, reason):
    result, config = start_failure(tmp_path, **{section: {option: value}})
    assert_one_line(result, "minova: invalid value for [%s] %s in %s: %s"
                    % (section, option, config, reason))


def test_keystone_without_its_extra_says_what_to_install(tmp_path):
    try:
        import keystonemiddleware  # noqa: F401
        pytest.skip("keystonemiddleware is installed here")
    except ImportError:
        pass
    result, _ = start_failure(tmp_path, api={"auth_strategy": "keystone"})
    assert_one_line(result, "minova: [api] auth_strategy = keystone needs "
                    "keystonemiddleware, which is not installed: pip install "
                    "'minova[keystone]'")


def test_a_misspelled_option_is_one_warning_naming_it_and_its_file(
        minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "osapi_compute_listen_prot": 8774}), name="typo.conf")
    config = tmp_path / "typo.conf"
    lines = [line for line in server.log.splitlines()
             if "osapi_compute_listen_prot" in line]
    assert len(lines) == 1, server.log
    assert ("[DEFAULT] osapi_compute_listen_prot in %s is not an option "
            "minova knows" % config) in lines[0]
    assert "Traceback" not in server.log


def test_a_trusted_metadata_proxy_without_a_secret_does_not_start(tmp_path):
    result, _ = start_failure(tmp_path, neutron={
        "service_metadata_proxy": "true"})
    assert_one_line(result, "minova: [neutron] service_metadata_proxy = true "
                    "needs [neutron] metadata_proxy_shared_secret: with an "
                    "empty secret anyone who reaches the metadata API can "
                    "read any server's metadata")


@pytest.mark.parametrize("url, line", [
    ("postgresql+psycopg://minova:pw-123@127.0.0.1:1/minova",
     "[database] connection: cannot connect to postgresql+psycopg://"
     "minova:***@127.0.0.1:1/minova: connection failed: connection to server "
     "at \"127.0.0.1\", port 1 failed: Connection refused"),
    ("mysql://minova:pw-123@127.0.0.1/minova",
     "[database] connection: the driver of mysql://minova:***@127.0.0.1/"
     "minova is not installed (No module named 'MySQLdb'): use "
     "mysql+pymysql:// (pip install 'minova[mysql]')"),
])
def test_a_database_minova_cannot_use_names_the_option(tmp_path, url, line):
    result, _ = start_failure(tmp_path, database={"connection": url})
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("minova: " + line)
    assert len(result.stderr.splitlines()) == 1
    assert "pw-123" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_state_path_that_cannot_be_made_names_the_option(tmp_path):
    (tmp_path / "file").write_text("")
    result, _ = start_failure(tmp_path, DEFAULT={
        "state_path": str(tmp_path / "file" / "state")})
    assert_one_line(result, "minova: [DEFAULT] state_path: cannot create "
                    "%s: Not a directory" % (tmp_path / "file" / "state"))


def test_a_config_file_that_does_not_exist(tmp_path):
    result = run_minova(["--config", str(tmp_path / "nope.conf")], tmp_path)
    assert_one_line(result, "minova: config file %s not found"
                    % (tmp_path / "nope.conf"))


def test_a_port_another_minova_serves_with_workers_is_in_use(minova,
                                                             tmp_path):
    """SO_REUSEPORT would let a second minova share the first one's port
    and take a share of its clients: check and startup refuse instead."""
    compute_only = {"enabled_apis": "osapi_compute",
                    "osapi_compute_workers": 2}
    first = minova(base_config(tmp_path, DEFAULT=compute_only),
                   expect=("osapi_compute",))
    port = first.addresses["osapi_compute"][1]
    second = tmp_path / "second"
    second.mkdir()
    config = write_config(second / "api.conf", base_config(
        second, DEFAULT=dict(compute_only, osapi_compute_listen_port=port)))
    line = ("[DEFAULT] osapi_compute_listen_port: cannot listen on "
            "127.0.0.1:%d: Address already in use by another process" % port)
    checked = manage(config, "check")
    assert (checked.returncode, checked.stdout) == (1, line + "\n")
    assert_one_line(run_minova(["--config", config], second),
                    "minova: " + line)
    assert requests.get(first.url("osapi_compute")).status_code == 200

"""minova-manage, run as the installed console script against a real SQLite file."""

import socket

from tests.functional.manage import manage
from tests.functional.process import PASTE, base_config, write_config
from minova_tw.db import migration

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


def test_check_says_ok_for_a_good_config(tmp_path):
    config = write_config(tmp_path / "api.conf", base_config(tmp_path))
    result = manage(config, "check")
    assert (result.returncode, result.stdout) == (0, "OK\n"), result.stderr


def test_check_prints_one_line_per_problem(tmp_path):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    config = write_config(tmp_path / "api.conf", base_config(
        tmp_path,
        DEFAULT={"enabled_apis": "osapi_compute,ec2,metadata",
                 "enabled_ssl_apis": "osapi_compute",
                 "metadata_listen_port": port},
        wsgi={"wsgi_log_format": "%(nope)s",
              "ssl_cert_file": str(tmp_path / "cert.pem"),
              "ssl_key_file": str(tmp_path / "key.pem")},
        metrics={"listen_port": port}))
    try:
        result = manage(config, "check")
    finally:
        taken.close()
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "warning: enabled_apis has ec2, which is not an app in %s and has "
        "no [DEFAULT] ec2_wsgi_app; skipping it" % PASTE,
        "[wsgi] wsgi_log_format: KeyError: 'nope'",
        "[wsgi] ssl_cert_file: cannot read %s: No such file or directory"
        % (tmp_path / "cert.pem"),
        "[DEFAULT] metadata_listen_port: cannot listen on 127.0.0.1:%d: "
        "Address already in use" % port,
        "[metrics] listen_port: cannot listen on 127.0.0.1:%d: Address "
        "already in use" % port,
    ]


def test_check_fails_on_an_option_minova_does_not_know(tmp_path):
    config = write_config(tmp_path / "api.conf", base_config(
        tmp_path, DEFAULT={"osapi_compute_listen_prot": 8774},
        neutron={"service_metadata_proxy": "true"}))
    result = manage(config, "check")
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "[neutron] service_metadata_proxy = true needs [neutron] "
        "metadata_proxy_shared_secret: with an empty secret anyone who "
        "reaches the metadata API can read any server's metadata",
        "[DEFAULT] osapi_compute_listen_prot in %s is not an option minova "
        "knows (a misspelling? another project's option in one of minova's "
        "groups goes in [DEFAULT] hosted_options)" % config]


def test_check_of_a_missing_paste_file_and_a_running_minova(minova,
                                                            tmp_path):
    missing = write_config(tmp_path / "missing.conf", base_config(
        tmp_path, wsgi={"api_paste_config": "gone.ini"}))
    result = manage(missing, "check")
    assert (result.returncode, result.stdout) == (
        1, "[wsgi] api_paste_config: paste file %s not found\n"
        % (tmp_path / "gone.ini"))
    server = minova()
    ports = {api: port for api, (_, port) in server.addresses.items()}
    running = write_config(tmp_path / "running.conf", base_config(
        tmp_path, DEFAULT={"osapi_compute_listen_port":
                           ports["osapi_compute"],
                           "metadata_listen_port": ports["metadata"]}))
    result = manage(running, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "[DEFAULT] %s_listen_port: cannot listen on 127.0.0.1:%d: Address "
        "already in use" % (api, ports[api]) for api in ("osapi_compute", "metadata")]

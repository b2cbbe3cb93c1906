"""startup.check: startup's checks, each problem one line, as makeService and
``minova-manage check`` see them.

Real parts: a paste file whose apps are ``app_factory`` below, sockets
bound on loopback port 0.
"""

import socket

import pytest

from minova_tw import conf as minova_conf
from minova_tw import startup


def app_factory(global_conf, **local_conf):
    """paste.app_factory of the apps the paste file below serves."""
    def app(environ, start_response):
        start_response("204 No Content", [])
        return []
    return app


PASTE = ("[app:osapi_compute]\n"
         "paste.app_factory = tests.unit.test_startup:app_factory\n"
         "[app:metadata]\n"
         "paste.app_factory = tests.unit.test_startup:app_factory\n")

BASE = ("[DEFAULT]\nosapi_compute_listen = 127.0.0.1\n"
        "osapi_compute_listen_port = 0\nosapi_compute_workers = 1\n"
        "metadata_listen = 127.0.0.1\nmetadata_listen_port = 0\n"
        "metadata_workers = 1\n")


class Checked:
    """What one ``startup.check`` run said, and what it returned."""

    def __init__(self, tmp_path, text, unknown=False, paste=PASTE):
        (tmp_path / "api-paste.ini").write_text(paste)
        self.path = tmp_path / "api.conf"
        self.path.write_text(BASE + text)
        conf = minova_conf.load([str(self.path)])
        self.errors, self.warnings, self.unknown = [], [], []
        self.apis, self.tls, self.metrics = startup.check(
            conf, self.errors.append, self.warnings.append,
            unknown=self.unknown.append if unknown else None)


@pytest.fixture
def check(tmp_path):
    return lambda text="", **kwargs: Checked(tmp_path, text, **kwargs)


def test_a_good_config_gives_each_api_its_app_and_listener(check):
    checked = check()
    assert (checked.errors, checked.warnings) == ([], [])
    assert [(a.name, a.count, a.in_process, a.tls) for a in checked.apis] == [
        ("osapi_compute", 1, True, None), ("metadata", 1, True, None)]
    for api in checked.apis:
        assert callable(api.app)
        (sock,) = api.listener.bind()  # checked, not bound: binding is free
        try:
            assert sock.getsockname()[0] == "127.0.0.1"
            assert sock.getsockname()[1] != 0
        finally:
            sock.close()
    assert checked.metrics is None


def test_an_unknown_option_warns_by_default(check):
    checked = check("osapi_compute_listen_prot = 8774\n")
    assert checked.errors == []
    assert checked.warnings == [
        "[DEFAULT] osapi_compute_listen_prot in %s is not an option minova "
        "knows (a misspelling? another project's option in one of minova's "
        "groups goes in [DEFAULT] hosted_options)" % checked.path]
    assert len(checked.apis) == 2


def test_an_unknown_option_goes_where_the_caller_says(check):
    checked = check("[wsgi]\nkeepalive = false\n", unknown=True)
    assert checked.warnings == []
    assert [line.split(" in ")[0] for line in checked.unknown] == [
        "[wsgi] keepalive"]


def test_a_trusted_proxy_without_a_secret_is_an_error(check):
    checked = check("[neutron]\nservice_metadata_proxy = true\n")
    assert [line.split(":")[0] for line in checked.errors] == [
        "[neutron] service_metadata_proxy = true needs [neutron] "
        "metadata_proxy_shared_secret"]
    # Every other check still ran: minova-manage check lists them all.
    assert len(checked.apis) == 2


def test_skipped_names_warn_and_none_left_is_an_error(check):
    checked = check("enabled_apis = ec2, s3-api, ec2\n")
    assert checked.warnings == [
        "enabled_apis has ec2, which is not an app in %s and has no "
        "[DEFAULT] ec2_wsgi_app; skipping it"
        % checked.path.with_name("api-paste.ini"),
        "enabled_apis has s3-api, which is not an API name (letters, digits "
        "and _ only); skipping it",
        "enabled_apis names ec2 twice; serving it once"]
    assert checked.errors == [
        "No APIs were started. Check the enabled_apis config option: ec2 is "
        "not an app in %s and has no [DEFAULT] ec2_wsgi_app; s3-api is not "
        "an API name (letters, digits and _ only)"
        % checked.path.with_name("api-paste.ini")]
    assert checked.apis == []


def test_a_missing_paste_file_is_said_once(check, tmp_path):
    checked = check("[wsgi]\napi_paste_config = gone.ini\n")
    assert checked.errors == ["[wsgi] api_paste_config: paste file %s not "
                              "found" % (tmp_path / "gone.ini")]
    assert checked.apis == []


def test_a_port_in_use_names_its_option_and_the_rest_is_checked(check):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        checked = check("metadata_listen_port = %d\n[metrics]\n"
                        "listen_port = 0\n" % port)
    finally:
        taken.close()
    assert checked.errors == [
        "[DEFAULT] metadata_listen_port: cannot listen on 127.0.0.1:%d: "
        "Address already in use" % port]
    assert [api.name for api in checked.apis] == ["osapi_compute"]
    assert (checked.metrics.host, checked.metrics.port) == ("127.0.0.1", 0)


def test_makeservice_stops_at_the_first_problem(tmp_path):
    (tmp_path / "api.conf").write_text(
        BASE + "[wsgi]\napi_paste_config = gone.ini\nwsgi_log_format = %(x)s\n")
    conf = minova_conf.load([str(tmp_path / "api.conf")])

    def stop(line):
        raise minova_conf.ConfigError(line)
    with pytest.raises(minova_conf.ConfigError) as raised:
        startup.check(conf, stop, pytest.fail)
    assert str(raised.value) == "[wsgi] wsgi_log_format: KeyError: 'x'"

"""minova_tw.conf: loading, one-line errors, nova's names, and the generated sample."""

import os
import subprocess
import sys

import pytest

from minova_tw import conf
from minova_tw.conf import service as service_conf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def write(path, text):
    path.write_text(text)
    return str(path)


def test_defaults_are_novas(tmp_path):
    c = conf.load([write(tmp_path / "a.conf", "")])
    assert c.enabled_apis == ["osapi_compute", "metadata"]
    assert c.enabled_ssl_apis == []
    assert (c.osapi_compute_listen, c.osapi_compute_listen_port) == (
        "0.0.0.0", 8774)
    assert (c.metadata_listen, c.metadata_listen_port) == ("0.0.0.0", 8775)
    assert c.osapi_compute_workers is None and c.metadata_workers is None
    assert c.graceful_shutdown_timeout == 60
    assert c.api.auth_strategy == "keystone"
    assert c.wsgi.api_paste_config == "api-paste.ini"
    assert c.wsgi.keep_alive is True
    assert c.wsgi.client_socket_timeout == 900
    assert c.wsgi.max_header_line == 16384
    assert c.wsgi.wsgi_log_format.startswith('%(client_ip)s "%(request_line)s"')
    assert c.oslo_middleware.max_request_body_size == 114688
    assert c.oslo_middleware.enable_proxy_headers_parsing is False
    assert c.cors.allow_methods == ["GET", "PUT", "POST", "DELETE", "PATCH"]
    assert "OpenStack-API-Version" in c.cors.allow_headers
    assert c.database.connection is None


def test_every_enabled_api_name_has_its_options(tmp_path):
    """nova-api's <name>_listen, _listen_port, _workers for any name, plus
    <name>_wsgi_app; the built-ins keep nova's ports, others have none."""
    c = conf.load([write(tmp_path / "a.conf", "[DEFAULT]\n"
                         "enabled_apis = placement, identity, metadata\n"
                         "placement_listen = 127.0.0.1\n"
                         "placement_listen_port = 8778\n"
                         "placement_workers = 3\n"
                         "placement_wsgi_app = placement.wsgi.api\n")])
    assert (c.placement_listen, c.placement_listen_port, c.placement_workers,
            c.placement_wsgi_app) == ("127.0.0.1", 8778, 3,
                                      "placement.wsgi.api")
    assert (c.identity_listen, c.identity_listen_port, c.identity_workers,
            c.identity_wsgi_app) == ("0.0.0.0", None, None, None)
    assert (c.osapi_compute_listen_port, c.metadata_listen_port) == (8774,
                                                                     8775)
    assert c.metadata_wsgi_app is None


def test_a_name_that_cannot_be_an_option_is_left_unregistered(tmp_path):
    c = conf.load([write(tmp_path / "a.conf",
                         "[DEFAULT]\nenabled_apis = s3-api,,ok\n")])
    assert "ok_listen" in c and "s3-api_listen" not in c


@pytest.mark.parametrize("spec, parsed", [
    ("nova.wsgi.osapi_compute:application",
     ("nova.wsgi.osapi_compute", "application", None)),
    ("placement.wsgi.api", ("placement.wsgi.api", "application", None)),
    ("keystone.server.wsgi:initialize_public_application()",
     ("keystone.server.wsgi", "initialize_public_application", ((), {}))),
    ("m:factory('a', 2, debug=True)", ("m", "factory", (("a", 2),
                                                        {"debug": True}))),
])
def test_entry_points_are_read_as_gunicorn_reads_app_module(spec, parsed):
    assert service_conf.parse_entry_point(spec) == parsed


@pytest.mark.parametrize("spec", [
    "m:1+1", "m:f(x)", "m:f(**kw)", ":application", "a b:c", "m:a.b", "m:f(",
])
def test_a_malformed_entry_point_is_an_invalid_value(tmp_path, spec):
    path = write(tmp_path / "a.conf", "[DEFAULT]\nenabled_apis = p\n"
                 "p_wsgi_app = %s\n" % spec)
    with pytest.raises(conf.ConfigError) as error:
        conf.load([path])
    assert str(error.value) == (
        "invalid value for [DEFAULT] p_wsgi_app in %s: %r is not "
        "package.module:callable, package.module:factory() or package.module"
        % (path, spec))


def test_later_files_and_config_dirs_override(tmp_path):
    first = write(tmp_path / "a.conf", "[DEFAULT]\nmetadata_listen_port = 1\n"
                  "osapi_compute_listen_port = 2\n")
    second = write(tmp_path / "b.conf", "[DEFAULT]\nmetadata_listen_port = 3\n")
    extra = tmp_path / "conf.d"
    extra.mkdir()
    write(extra / "x.conf", "[wsgi]\nkeep_alive = false\n")
    c = conf.load([first, second], [str(extra)])
    assert (c.metadata_listen_port, c.osapi_compute_listen_port) == (3, 2)
    assert c.wsgi.keep_alive is False


def test_old_option_names_still_work(tmp_path):
    c = conf.load([write(tmp_path / "a.conf", "[DEFAULT]\n"
                         "api_paste_config = old.ini\n"
                         "wsgi_keep_alive = false\n"
                         "auth_strategy = noauth2\n"
                         "osapi_max_limit = 7\n")])
    assert c.wsgi.api_paste_config == "old.ini"
    assert c.wsgi.keep_alive is False
    assert c.api.auth_strategy == "noauth2"
    assert c.api.max_limit == 7


@pytest.mark.parametrize("text, message", [
    ("[DEFAULT]\nosapi_compute_listen_port = http\n",
     "invalid value for [DEFAULT] osapi_compute_listen_port in {path}"),
    ("[DEFAULT]\nmetadata_workers = 0\n",
     "invalid value for [DEFAULT] metadata_workers in {path}"),
    ("[api]\nauth_strategy = basic\n",
     "invalid value for [api] auth_strategy in {path}"),
    ("[wsgi]\nkeep_alive = maybe\n",
     "invalid value for [wsgi] keep_alive in {path}"),
    ("[database]\nstatement_timeout = 0\n",
     "invalid value for [database] statement_timeout in {path}"),
])
def test_a_bad_value_is_one_line_naming_option_and_file(tmp_path, text,
                                                         message):
    path = write(tmp_path / "a.conf", text)
    with pytest.raises(conf.ConfigError) as error:
        conf.load([path])
    line = str(error.value)
    assert "\n" not in line
    assert line.startswith(message.format(path=path))


def test_missing_and_unparsable_files(tmp_path):
    with pytest.raises(conf.ConfigError, match="config file .*/nope.conf not "
                       "found"):
        conf.load([str(tmp_path / "nope.conf")])
    path = write(tmp_path / "broken.conf", "no section here\n")
    with pytest.raises(conf.ConfigError) as error:
        conf.load([path])
    assert str(error.value).startswith("cannot parse config file %s" % path)


def test_relative_paths_are_found_next_to_the_config(tmp_path, monkeypatch):
    etc = tmp_path / "etc"
    etc.mkdir()
    write(etc / "paste.ini", "[app:x]\n")
    path = write(etc / "api.conf", "[DEFAULT]\nstate_path = state\n"
                 "[wsgi]\napi_paste_config = paste.ini\n")
    monkeypatch.chdir(tmp_path)
    c = conf.load([path])
    assert conf.find_paste_file(c) == str(etc / "paste.ini")
    assert conf.state_path(c) == str(etc / "state")


def test_a_missing_paste_file_names_the_option(tmp_path):
    c = conf.load([write(tmp_path / "a.conf",
                         "[wsgi]\napi_paste_config = gone.ini\n")])
    with pytest.raises(conf.ConfigError) as error:
        conf.find_paste_file(c)
    assert str(error.value) == ("[wsgi] api_paste_config: paste file %s not "
                                "found" % (tmp_path / "gone.ini"))


def test_paste_factories_get_the_process_conf_back(tmp_path, monkeypatch):
    c = conf.load([write(tmp_path / "a.conf", "")])
    assert conf.from_paste(conf.paste_global_conf(c)) is c
    other = write(tmp_path / "b.conf", "[api]\nmax_limit = 5\n")
    monkeypatch.setenv(conf.ENV_CONFIG_FILES, other)
    loaded = conf.from_paste({"here": str(tmp_path)})
    assert loaded.api.max_limit == 5
    assert conf.from_paste({}) is loaded


def test_every_option_has_help():
    for group, opts in conf.list_opts():
        for opt in opts:
            assert opt.help and opt.help.strip(), (group, opt.name)


def test_the_sample_config_is_generated_from_the_definitions(tmp_path):
    out = tmp_path / "sample"
    subprocess.run(
        [os.path.join(os.path.dirname(sys.executable),
                      "oslo-config-generator"),
         "--config-file", os.path.join(ROOT, "etc",
                                       "minova-config-generator.conf"),
         "--output-file", str(out)], check=True, cwd=ROOT)
    with open(os.path.join(ROOT, "etc", "api.conf.sample")) as f:
        assert out.read_text() == f.read(), (
            "etc/api.conf.sample is stale: run oslo-config-generator "
            "--config-file etc/minova-config-generator.conf")


#: nova's options (reference/nova-api-facts.md §1.2), plus oslo.log's
#: ``debug`` and oslo.db's ``[database]`` connection and pool options, which
#: nova registers too. The oslo libraries' groups (oslo.middleware's,
#: oslo.policy's) are listed whole in LIBRARY_GROUPS.
NOVA_OPTIONS = {
    "DEFAULT": {"enabled_apis", "enabled_ssl_apis", "osapi_compute_listen",
                "osapi_compute_listen_port", "osapi_compute_workers",
                "metadata_listen", "metadata_listen_port", "metadata_workers",
                "graceful_shutdown_timeout", "log_options", "debug",
                "state_path", "default_availability_zone",
                "internal_service_availability_zone",
                "shelved_offload_time", "reclaim_instance_interval"},
    "wsgi": {"api_paste_config", "wsgi_log_format", "secure_proxy_ssl_header",
             "ssl_ca_file", "ssl_cert_file", "ssl_key_file", "tcp_keepidle",
             "default_pool_size", "max_header_line", "keep_alive",
             "client_socket_timeout"},
    "api": {"auth_strategy", "use_forwarded_for", "max_limit",
            "compute_link_prefix", "glance_link_prefix",
            "enable_instance_password", "metadata_cache_expiration",
            "dhcp_domain", "config_drive_skip_versions",
            "vendordata_providers", "vendordata_jsonfile_path",
            "vendordata_dynamic_targets", "vendordata_dynamic_ssl_certfile",
            "vendordata_dynamic_connect_timeout",
            "vendordata_dynamic_read_timeout",
            "vendordata_dynamic_failure_fatal", "response_validation"},
    "neutron": {"service_metadata_proxy", "metadata_proxy_shared_secret"},
    "quota": {"instances", "cores", "ram", "metadata_items",
              "injected_files", "injected_file_content_bytes",
              "injected_file_path_length", "key_pairs", "server_groups",
              "server_group_members"},
    "database": {"connection", "connection_recycle_time", "max_pool_size",
                 "max_overflow", "pool_timeout"},
    "vnc": {"enabled", "novncproxy_base_url"},
    "spice": {"enabled", "html5proxy_base_url",
              "spice_direct_proxy_base_url"},
    "serial_console": {"enabled", "base_url"},
    "mks": {"enabled", "mksproxy_base_url"},
    "consoleauth": {"token_ttl"},
}
LIBRARY_GROUPS = {"oslo_middleware", "cors", "healthcheck", "oslo_policy"}


def test_every_minova_addition_says_so():
    unmarked = []
    for group, opts in conf.list_opts():
        group = getattr(group, "name", group)
        if group in LIBRARY_GROUPS:
            continue
        for opt in opts:
            if (opt.name not in NOVA_OPTIONS.get(group, ())
                    and "minova addition" not in opt.help):
                unmarked.append("[%s] %s" % (group, opt.name))
    assert unmarked == [], "help text lacks 'minova addition'"


@pytest.mark.parametrize("options, group", [
    ("", "paste"),
    ("fake_wsgi_app = keystone.server.wsgi:initialize_public_application()",
     "keystone"),
    ("fake_wsgi_app = placement.wsgi.api:application", "placement"),
    # nova 33+: compute and metadata must not share a process.
    ("fake_wsgi_app = nova.wsgi.osapi_compute:application",
     "nova.wsgi.osapi_compute"),
    ("fake_wsgi_app = nova.wsgi.metadata", "nova.wsgi.metadata"),
    ("fake_wsgi_app = nova.wsgi.metadata\nfake_process_group = nova",
     "nova"),
])
def test_the_process_group_of_an_api(tmp_path, options, group):
    c = conf.load([write(tmp_path / "a.conf", "[DEFAULT]\nenabled_apis = "
                         "fake\n" + options + "\n")])
    assert service_conf.process_group(c, "fake") == group

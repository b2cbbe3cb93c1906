"""minova_tw.conf.checks: the metadata proxy's key, and options nobody knows."""

import pytest

from minova_tw import conf as minova_conf
from minova_tw.conf import checks


def load(tmp_path, text, name="minova.conf", dirs=()):
    path = tmp_path / name
    path.write_text(text)
    return minova_conf.load([str(path)], list(dirs)), str(path)


def names(conf):
    return [(u.group, u.name) for u in checks.unknown_options(conf)]


@pytest.mark.parametrize("text", [
    "[neutron]\nservice_metadata_proxy = true\n",
    "[neutron]\nservice_metadata_proxy = true\n"
    "metadata_proxy_shared_secret =\n",
])
def test_a_trusted_proxy_without_a_secret_is_refused(tmp_path, text):
    conf, _ = load(tmp_path, text)
    with pytest.raises(minova_conf.ConfigError) as raised:
        checks.metadata_proxy_unsigned(conf)
    assert str(raised.value).startswith(
        "[neutron] service_metadata_proxy = true needs [neutron] "
        "metadata_proxy_shared_secret")


@pytest.mark.parametrize("text", [
    "",
    "[neutron]\nservice_metadata_proxy = true\n"
    "metadata_proxy_shared_secret = s3cret\n",
    "[neutron]\nservice_metadata_proxy = false\n",
])
def test_a_signed_or_no_proxy_passes(tmp_path, text):
    conf, _ = load(tmp_path, text)
    checks.metadata_proxy_unsigned(conf)


def test_a_misspelled_option_is_named_with_its_file(tmp_path):
    conf, path = load(tmp_path, "[DEFAULT]\nosapi_compute_listen_prot = 1\n"
                      "[wsgi]\nkeep_alive = false\nkeepalive = false\n")
    found = checks.unknown_options(conf)
    assert found == [checks.UnknownOption(path, "DEFAULT",
                                          "osapi_compute_listen_prot"),
                     checks.UnknownOption(path, "wsgi", "keepalive")]
    assert checks.describe(found[0]).startswith(
        "[DEFAULT] osapi_compute_listen_prot in %s is not an option minova "
        "knows" % path)


def test_known_options_pass_under_new_and_deprecated_names(tmp_path):
    conf, _ = load(tmp_path, "[DEFAULT]\napi_paste_config = p.ini\n"
                   "osapi_max_limit = 5\ndebug = true\n"
                   "enabled_apis = placement\nplacement_listen_port = 1\n"
                   "wsgi_default_pool_size = 10\n"
                   "[database]\nconnection = sqlite://\n"
                   "[cors]\nallowed_origin = https://x\n")
    assert names(conf) == []


def test_oslo_policys_options_are_known_and_misspellings_found(tmp_path):
    conf, _ = load(tmp_path, "[oslo_policy]\npolicy_file = p.yaml\n"
                   "policy_dirs = p.d\nenforce_new_defaults = true\n"
                   "policy_flie = p.yaml\n")
    assert names(conf) == [("oslo_policy", "policy_flie")]


def test_an_api_not_enabled_has_no_options(tmp_path):
    """<api>_* options exist for the built-ins and the enabled names only:
    a misspelled API name in an option is found."""
    conf, _ = load(tmp_path, "[DEFAULT]\nenabled_apis = placement\n"
                   "placemnt_listen_port = 1\nmetadata_workers = 2\n")
    assert names(conf) == [("DEFAULT", "placemnt_listen_port")]


def test_groups_minova_does_not_read_are_not_judged(tmp_path):
    conf, _ = load(tmp_path, "[api_database]\nconnection = x\n"
                   "[glance]\nwhatever = 1\n[keystone_authtoken]\nfoo = 1\n")
    assert names(conf) == []


def test_hosted_options_lists_another_projects_options(tmp_path):
    conf, _ = load(tmp_path, "[DEFAULT]\n"
                   "hosted_options = DEFAULT.transport_url, quota\n"
                   "transport_url = fake://\ncompute_driver = fake\n"
                   "[quota]\ndriver = x\n[api]\nlist_records_by_skipping_down_cells = x\n")
    assert names(conf) == [("DEFAULT", "compute_driver"),
                           ("api", "list_records_by_skipping_down_cells")]


def test_files_of_a_config_dir_are_read_too(tmp_path):
    confd = tmp_path / "minova.conf.d"
    confd.mkdir()
    (confd / "10-typo.conf").write_text("[metrics]\nlisten_prot = 1\n")
    (confd / "ignored.txt").write_text("[metrics]\nnot_read = 1\n")
    conf, _ = load(tmp_path, "", dirs=[str(confd)])
    assert [(u.path, u.group, u.name) for u in checks.unknown_options(conf)
            ] == [(str(confd / "10-typo.conf"), "metrics", "listen_prot")]

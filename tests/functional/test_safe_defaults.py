"""Secrets stay out of a real minova's log, even at debug with the option dump on.

``[neutron] metadata_proxy_shared_secret`` and the password in ``[database]
connection`` are masked in the startup option dump (``debug = true``,
``log_options`` on by default) and appear in no line of the whole twistd
log, including the lines a database outage and refused proxy requests
write.
"""

import re

import requests

from tests.functional.process import base_config
from tests.functional.faults import assert_unavailable, take_database_away

SECRET = "sh4red-S3cret-of-the-proxy"
PASSWORD = "db-Pa55word-of-minova"


def secret_config(tmp_path, **overrides):
    sections = base_config(tmp_path, DEFAULT={"debug": "true"}, neutron={
        "service_metadata_proxy": "true",
        "metadata_proxy_shared_secret": SECRET})
    for section, options in overrides.items():
        sections.setdefault(section, {}).update(options)
    return sections


def assert_masked(log, *secrets,
                  options=("neutron.metadata_proxy_shared_secret",)):
    for option in options:
        assert re.search(re.escape(option) + r" += \*\*\*\*$", log,
                         re.MULTILINE), option
    for secret in secrets:
        assert secret not in log


def test_the_proxy_secret_is_masked_and_never_logged(minova, tmp_path):
    server = minova(secret_config(tmp_path))
    response = requests.get(
        server.url("metadata", "/openstack/latest/meta_data.json"),
        headers={"X-Instance-ID": "a", "X-Tenant-ID": "b",
                 "X-Instance-ID-Signature": "00"}, timeout=30)
    assert response.status_code in (403, 404)
    server.stop()
    assert_masked(server.log, SECRET)


def test_the_database_password_is_masked_and_never_logged(
        minova, tmp_path, pg_database):  # noqa: F811
    url, name, admin = pg_database
    url = url.replace("postgres@", "postgres:%s@" % PASSWORD)
    server = minova(secret_config(tmp_path, database={"connection": url}))
    compute = server.url("osapi_compute", "/v2.1/servers")
    headers = {"X-Auth-Token": "demo:demo"}
    assert requests.get(compute, headers=headers, timeout=30).ok
    take_database_away(admin, name)
    assert_unavailable(requests.get(compute, headers=headers, timeout=30))
    server.stop()
    assert_masked(server.log, SECRET, PASSWORD, options=(
        "neutron.metadata_proxy_shared_secret", "database.connection"))

"""minova_tw.api.metadata.vendordata: StaticJSON's file, DynamicJSON's targets."""

import pytest

from minova_tw import conf as minova_conf
from minova_tw.api.metadata import vendordata

DESCRIPTION = {"project-id": "p", "instance-id": "i", "image-id": "",
               "user-data": None, "hostname": "h", "metadata": {},
               "boot-roles": ""}


class Options:
    """A stand-in for the [api] group."""

    def __init__(self, **values):
        self.vendordata_providers = ["StaticJSON"]
        self.vendordata_jsonfile_path = None
        self.vendordata_dynamic_targets = []
        self.vendordata_dynamic_connect_timeout = 3
        self.vendordata_dynamic_read_timeout = 1
        self.vendordata_dynamic_ssl_certfile = ""
        self.vendordata_dynamic_failure_fatal = False
        self.__dict__.update(values)


class Conf:
    def __init__(self, **values):
        self.api = Options(**values)


def test_static_file(tmp_path):
    path = tmp_path / "vendor.json"
    path.write_text('{"ntp": ["pool.example"]}')
    data = vendordata.VendorData(Conf(vendordata_jsonfile_path=str(path)))
    assert data.has_static and data.static == {"ntp": ["pool.example"]}
    assert data.vendor_data2(DESCRIPTION) == {"static": data.static}


def test_static_without_a_file_is_empty():
    data = vendordata.VendorData(Conf())
    assert data.static == {}
    assert data.vendor_data2(DESCRIPTION) == {"static": {}}


def test_no_static_provider():
    data = vendordata.VendorData(Conf(vendordata_providers=[]))
    assert not data.has_static
    assert data.vendor_data2(DESCRIPTION) == {}


@pytest.mark.parametrize("content, reason", [
    (None, "No such file or directory"), ("{nope", "not JSON"),
])
def test_a_bad_static_file_is_a_config_error(tmp_path, content, reason):
    path = tmp_path / "vendor.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(minova_conf.ConfigError) as err:
        vendordata.VendorData(Conf(vendordata_jsonfile_path=str(path)))
    assert str(err.value).startswith(
        "[api] vendordata_jsonfile_path: cannot read %s: %s" % (path, reason))


def test_parse_targets_skips_bad_entries(caplog):
    assert vendordata.parse_targets(
        ["a@http://x/", "nourl", "@http://y/", "a@http://z/", "b@http://w/"]
    ) == [("a", "http://x/"), ("b", "http://w/")]
    assert "is not name@url" in caplog.text
    assert "listed twice" in caplog.text


def test_dynamic_targets(target):
    target.answers["/one"] = (200, b'{"k": 1}')
    target.answers["/two"] = (200, b"")
    data = vendordata.VendorData(Conf(
        vendordata_providers=["DynamicJSON", "StaticJSON"],
        vendordata_dynamic_targets=["one@%s/one" % target.url,
                                    "two@%s/two" % target.url]))
    assert data.vendor_data2(DESCRIPTION) == {"one": {"k": 1}, "two": {},
                                              "static": {}}
    path, headers, body = target.seen[0]
    assert path == "/one" and body == DESCRIPTION
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "openstack-nova-vendordata"


@pytest.mark.parametrize("answer", [(500, b"{}"), (200, b"not json")])
def test_a_failing_target_is_left_out(target, answer, caplog):
    target.answers["/bad"] = answer
    data = vendordata.VendorData(Conf(
        vendordata_providers=["DynamicJSON"],
        vendordata_dynamic_targets=["bad@%s/bad" % target.url]))
    assert data.vendor_data2(DESCRIPTION) == {"bad": {}}
    assert "Error from dynamic vendordata service bad" in caplog.text


def test_a_failing_target_is_fatal_when_asked():
    data = vendordata.VendorData(Conf(
        vendordata_providers=["DynamicJSON"],
        vendordata_dynamic_targets=["gone@http://127.0.0.1:9/"],
        vendordata_dynamic_failure_fatal=True))
    with pytest.raises(vendordata.VendorDataError):
        data.vendor_data2(DESCRIPTION)

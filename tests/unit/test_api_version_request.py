"""APIVersionRequest: parsing, ordering, ranges; the advertised range."""

import pytest

from minova_tw.api import errors
from minova_tw.api.openstack import api_version_request as v


def test_advertised_range_is_2_1_to_2_100():
    assert (v.MIN_API_VERSION, v.MAX_API_VERSION) == ("2.1", "2.104")


def test_is_supported_compares_as_versions():
    class Req:
        api_version_request = v.APIVersionRequest("2.100")
    assert v.is_supported(Req, "2.99")
    assert v.is_supported(Req, "2.9", "2.100")
    assert not v.is_supported(Req, "2.101")
    assert not v.is_supported(Req, "2.1", "2.99")


@pytest.mark.parametrize("text", ["2", "2.01", "02.1", "2.x", "2.1.1", "",
                                  " 2.1", "latest"])
def test_malformed(text):
    with pytest.raises(errors.InvalidAPIVersionString) as info:
        v.APIVersionRequest(text)
    assert info.value.format_message() == (
        "API Version String %s is of invalid format. Must be of format "
        "MajorNum.MinorNum." % text)


def test_order_is_numeric():
    assert v.APIVersionRequest("2.10") > v.APIVersionRequest("2.9")
    assert v.APIVersionRequest("2.0") == v.APIVersionRequest("2.0")
    assert str(v.APIVersionRequest("2.10")) == "2.10"


def test_matches_with_open_bounds():
    ver = v.APIVersionRequest("2.5")
    null = v.APIVersionRequest()
    assert ver.matches(v.APIVersionRequest("2.1"), null)
    assert ver.matches(null, v.APIVersionRequest("2.5"))
    assert not ver.matches(v.APIVersionRequest("2.6"), null)
    assert not ver.matches(null, v.APIVersionRequest("2.4"))

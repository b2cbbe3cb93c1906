"""urlmap: prefix matching, /+ keys, version= params, SCRIPT_NAME split."""

import pytest
import webob

from minova_tw.api import urlmap


def echo(name):
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [("%s|%s|%s|%s" % (name, environ["SCRIPT_NAME"],
                                  environ["PATH_INFO"],
                                  environ[urlmap.CONTENT_TYPE_KEY])
                 ).encode()]
    return app


MAP = urlmap.URLMap({
    "/": echo("root"),
    "/v2": echo("v2doc"),
    "/v2.1": echo("v21doc"),
    "/v2/+": echo("v2api"),
    "/v2.1/+": echo("v21api"),
})


def call(path, **kwargs):
    return webob.Request.blank(path, **kwargs).get_response(MAP).text


@pytest.mark.parametrize("path, expected", [
    ("/", "root||/|application/json"),
    ("/v3", "root||/v3|application/json"),
    ("/v2.10", "root||/v2.10|application/json"),
    ("/v2.1", "v21doc|/v2.1||application/json"),
    ("/v2.1/", "v21doc|/v2.1|/|application/json"),
    ("/v2.1/servers", "v21api|/v2.1|/servers|application/json"),
    ("/v2.1/p/servers/1", "v21api|/v2.1|/p/servers/1|application/json"),
    ("/v2", "v2doc|/v2||application/json"),
    ("/v2/", "v2doc|/v2|/|application/json"),
    ("/v2/servers", "v2api|/v2|/servers|application/json"),
])
def test_path_selects_longest_prefix(path, expected):
    assert call(path) == expected


def test_script_name_is_extended():
    assert call("/v2.1/servers", environ={"SCRIPT_NAME": "/compute"}) == (
        "v21api|/compute/v2.1|/servers|application/json")


def test_content_type_version_selects_app_for_root_paths():
    assert call("/servers", content_type="application/json;version=2.1") == (
        "v21doc|/v2.1|/servers|application/json")


def test_accept_version_selects_app_for_root_paths():
    assert call("/servers", headers={
        "Accept": "application/vnd.openstack.compute+json;version=2"}) == (
        "v2doc|/v2|/servers|application/vnd.openstack.compute+json")


def test_path_wins_over_version_params():
    assert call("/v2.1/servers",
                headers={"Accept": "application/json;version=2"}) == (
        "v21api|/v2.1|/servers|application/json")


def test_json_suffix_selects_json():
    assert call("/v2.1/servers.json", headers={
        "Accept": "application/vnd.openstack.compute+json"}).endswith(
        "|application/json")


def test_best_accept_prefers_quality_then_specificity():
    assert urlmap.best_accept(
        "application/json;q=0.5, application/vnd.openstack.compute+json") == (
        "application/vnd.openstack.compute+json", {})
    assert urlmap.best_accept("*/*;q=0.9, application/json;q=0.9") == (
        "application/json", {"q": "0.9"})
    assert urlmap.best_accept("text/html") == (None, {})
    assert urlmap.best_accept("application/json;q=0") == (None, {})


@pytest.mark.parametrize("url_map, path", [
    (urlmap.URLMap({"/v2.1": echo("v21doc")}), "/other"),
    (MAP, "*"),  # OPTIONS *: not below any prefix, not even /
])
def test_no_match_is_novas_json_404(url_map, path):
    res = webob.Request.blank("/", environ={"PATH_INFO": path}).get_response(
        url_map)
    assert res.status_int == 404
    assert res.json == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}


def test_factory_loads_each_app():
    class Loader:
        def get_app(self, name, global_conf):
            return echo(name)
    app = urlmap.urlmap_factory(Loader(), {}, **{"/": "a", "/v2.1/+": "b"})
    assert webob.Request.blank("/v2.1/x").get_response(app).text == (
        "b|/v2.1|/x|application/json")

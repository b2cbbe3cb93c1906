"""GET /healthcheck: oslo.middleware's healthcheck on minova's [healthcheck] options."""

import os

import pytest
from paste.deploy import loadapp
from webob import Request

from minova_tw import conf

PASTE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "etc", "api-paste.ini")


def stack(tmp_path, text=""):
    path = tmp_path / "a.conf"
    path.write_text("[DEFAULT]\nstate_path = %s\n[api]\nauth_strategy = "
                    "noauth2\n%s" % (tmp_path / "state", text))
    return loadapp("config:" + PASTE, name="osapi_compute",
                   global_conf=conf.paste_global_conf(conf.load([str(path)])))


def test_healthcheck_answers_without_auth(tmp_path):
    response = Request.blank("/healthcheck").get_response(stack(tmp_path))
    assert response.status_int == 200  # no backends: nothing to report
    assert response.content_type == "text/plain"


def test_disable_by_file_turns_the_node_away(tmp_path):
    flag = tmp_path / "healthcheck_disable"
    app = stack(tmp_path, "[healthcheck]\nbackends = disable_by_file\n"
                "disable_by_file_path = %s\n" % flag)
    assert Request.blank("/healthcheck").get_response(app).status_int == 200
    flag.write_text("maintenance")
    response = Request.blank("/healthcheck").get_response(app)
    assert (response.status_int, response.body) == (503, b"DISABLED BY FILE")
    flag.unlink()
    assert Request.blank("/healthcheck").get_response(app).status_int == 200


def test_a_bad_paste_option_is_one_line(tmp_path):
    from minova_tw.api import middleware
    with pytest.raises(conf.ConfigError, match="paste filter Healthcheck: "
                       "unknown option colour"):
        middleware.healthcheck_factory(
            conf.paste_global_conf(conf.load([])), colour="red")

"""osprofiler filter: osprofiler's middleware when installed, else the app."""

import sys

from minova_tw.api.profiler import WsgiMiddleware


def app(environ, start_response):
    return []


def test_without_osprofiler_the_app_is_returned_unchanged(monkeypatch):
    monkeypatch.setitem(sys.modules, "osprofiler", None)
    assert WsgiMiddleware.factory({})(app) is app


def test_with_osprofiler_its_factory_is_used(monkeypatch):
    import types
    wrapped = object()
    web = types.SimpleNamespace(WsgiMiddleware=types.SimpleNamespace(
        factory=lambda global_conf, **local: lambda application: wrapped))
    package = types.ModuleType("osprofiler")
    package.web = web
    monkeypatch.setitem(sys.modules, "osprofiler", package)
    monkeypatch.setitem(sys.modules, "osprofiler.web", web)
    assert WsgiMiddleware.factory({}, enabled="true")(app) is wrapped

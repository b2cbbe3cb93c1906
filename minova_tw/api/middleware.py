"""oslo.middleware's cors, http_proxy_to_wsgi, sizelimit, healthcheck on minova's config.

oslo.middleware's own paste factories read ``cfg.CONF``, the global config
object minova never fills; these factories hand the filters the process's
ConfigOpts instead, so ``[cors]`` and ``[oslo_middleware]`` in minova's
config files apply. Options set in the paste section (``allowed_origin =
...``) still override the config files, as they do in oslo.middleware, but
only for that filter: the shared ConfigOpts is not changed.

cors, http_proxy_to_wsgi and sizelimit are on every request, and each is
a webob request and response round trip in oslo.middleware. Here each
passes the request straight on, in plain WSGI, when oslo.middleware's own
code would not touch the response: cors when there is no ``Origin`` (and
the method is neither OPTIONS, a preflight, nor HEAD, whose body webob
drops), http_proxy_to_wsgi always (it only rewrites the environ, with
oslo.middleware's ``process_request``), sizelimit unless the declared body
is too large. Everything else takes oslo.middleware's path unchanged.
"""

import webob
from oslo_middleware import cors, healthcheck, http_proxy_to_wsgi, sizelimit
from oslo_middleware.healthcheck import opts as healthcheck_opts

from minova_tw import conf as minova_conf


class _PasteOverrides:
    """Mixin for an oslo.middleware filter: paste-section values first, then
    the ConfigOpts."""

    def __init__(self, application, conf, overrides):
        self._overrides = overrides
        super().__init__(application, conf)

    def _conf_get(self, key, group="oslo_middleware"):
        try:
            return self._overrides[group, key]
        except KeyError:
            return getattr(getattr(self.oslo_conf, group), key)


class CORS(_PasteOverrides, cors.CORS):

    def __call__(self, environ, start_response):
        if ("HTTP_ORIGIN" in environ
                or environ["REQUEST_METHOD"] in ("OPTIONS", "HEAD")):
            return super().__call__(environ, start_response)
        return self.application(environ, start_response)


class HTTPProxyToWSGI(_PasteOverrides, http_proxy_to_wsgi.HTTPProxyToWSGI):

    def __call__(self, environ, start_response):
        self.process_request(webob.BaseRequest(environ))
        return self.application(environ, start_response)


class RequestBodySizeLimiter(_PasteOverrides,
                             sizelimit.RequestBodySizeLimiter):

    def __call__(self, environ, start_response):
        req = webob.BaseRequest(environ)
        length = req.content_length
        max_size = self._conf_get("max_request_body_size")
        if length is not None and length > max_size:
            return super().__call__(environ, start_response)
        if length is None:
            req.body_file = sizelimit.LimitingReader(req.body_file, max_size)
        return self.application(environ, start_response)


class Healthcheck(_PasteOverrides, healthcheck.Healthcheck):
    def _conf_get(self, key, group="healthcheck"):
        return super()._conf_get(key, group)


def _overrides(middleware_class, group, opts):
    """Read a paste section's values, typed by ``opts``, for ``group``."""
    known = {opt.dest: opt for opt in opts}

    def read(local_conf):
        overrides = {}
        for key, value in local_conf.items():
            if key not in known:
                raise minova_conf.ConfigError(
                    "paste filter %s: unknown option %s (known: %s)"
                    % (middleware_class.__name__, key,
                       ", ".join(sorted(known))))
            try:
                overrides[group, key] = known[key].type(value)
            except ValueError as exc:
                raise minova_conf.ConfigError(
                    "paste filter %s: invalid value for %s: %s"
                    % (middleware_class.__name__, key, exc)) from None
        return overrides
    return read


def _filter_factory(middleware_class, group, opts):
    """A paste filter factory building ``middleware_class`` on the process's
    ConfigOpts, with the paste section's values (typed by ``opts``) on top."""
    read = _overrides(middleware_class, group, opts)

    def factory(global_conf, **local_conf):
        conf = minova_conf.from_paste(global_conf)
        overrides = read(local_conf)

        def make_filter(application):
            return middleware_class(application, conf, overrides)
        return make_filter
    return factory


def healthcheck_factory(global_conf, **local_conf):
    """paste app: oslo.middleware's healthcheck on ``[healthcheck]``.

    With ``backends = disable_by_file`` it answers 503 while
    ``disable_by_file_path`` exists, so a load balancer drains the node.
    """
    read = _overrides(Healthcheck, "healthcheck",
                      healthcheck_opts.HEALTHCHECK_OPTS
                      + healthcheck_opts.DISABLE_BY_FILE_OPTS)
    return Healthcheck(None, minova_conf.from_paste(global_conf),
                       read(local_conf))


cors_factory = _filter_factory(CORS, "cors", cors.CORS_OPTS)
http_proxy_to_wsgi_factory = _filter_factory(
    HTTPProxyToWSGI, "oslo_middleware", http_proxy_to_wsgi.OPTS)
sizelimit_factory = _filter_factory(
    RequestBodySizeLimiter, "oslo_middleware", sizelimit.OPTS)

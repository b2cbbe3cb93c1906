"""oslo.middleware's cors, http_proxy_to_wsgi, sizelimit on minova's config.

oslo.middleware's own paste factories read ``cfg.CONF``, the global config
object minova never fills; these factories hand the filters the process's
ConfigOpts instead, so ``[cors]`` and ``[oslo_middleware]`` in minova's
config files apply. Options set in the paste section (``allowed_origin =
...``) still override the config files, as they do in oslo.middleware, but
only for that filter: the shared ConfigOpts is not changed.
"""

from oslo_middleware import cors, http_proxy_to_wsgi, sizelimit

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
    pass


class HTTPProxyToWSGI(_PasteOverrides, http_proxy_to_wsgi.HTTPProxyToWSGI):
    pass


class RequestBodySizeLimiter(_PasteOverrides,
                             sizelimit.RequestBodySizeLimiter):
    pass


def _filter_factory(middleware_class, group, opts):
    """A paste filter factory building ``middleware_class`` on the process's
    ConfigOpts, with the paste section's values (typed by ``opts``) on top."""
    known = {opt.dest: opt for opt in opts}

    def factory(global_conf, **local_conf):
        conf = minova_conf.from_paste(global_conf)
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

        def make_filter(application):
            return middleware_class(application, conf, overrides)
        return make_filter
    return factory


cors_factory = _filter_factory(CORS, "cors", cors.CORS_OPTS)
http_proxy_to_wsgi_factory = _filter_factory(
    HTTPProxyToWSGI, "oslo_middleware", http_proxy_to_wsgi.OPTS)
sizelimit_factory = _filter_factory(
    RequestBodySizeLimiter, "oslo_middleware", sizelimit.OPTS)

"""oslo.middleware's cors, http_proxy_to_wsgi, sizelimit, healthcheck on minova's config.

oslo.middleware's own paste factories read ``cfg.CONF``, the global config
object minova never fills; these factories hand the filters the process's
ConfigOpts instead, so ``[cors]`` and ``[oslo_middleware]`` in minova's
config files apply. Options set in the paste section (``allowed_origin =
...``) still override the config files, as they do in oslo.middleware, but
only for that filter: the shared ConfigOpts is not changed.
"""

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
    pass


class HTTPProxyToWSGI(_PasteOverrides, http_proxy_to_wsgi.HTTPProxyToWSGI):
    pass


class RequestBodySizeLimiter(_PasteOverrides,
                             sizelimit.RequestBodySizeLimiter):
    pass


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

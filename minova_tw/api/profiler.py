"""osprofiler: trace requests when osprofiler is installed, else nothing.

osprofiler is not a minova dependency. When it is importable, the paste
``osprofiler`` filter is osprofiler's own WSGI middleware, configured by the
paste section (``hmac_keys``, ``enabled``) as osprofiler documents. When it
is not, the filter returns the app itself: a documented no-op that costs
nothing per request.
"""

import logging

LOG = logging.getLogger(__name__)


class WsgiMiddleware:
    """Namespace of the paste filter factory (nova's name)."""

    @classmethod
    def factory(cls, global_conf, **local_conf):
        try:
            from osprofiler import web
        except ImportError:
            LOG.debug("osprofiler is not installed; requests are not traced")
            return _unchanged
        return web.WsgiMiddleware.factory(global_conf, **local_conf)


def _unchanged(application):
    return application

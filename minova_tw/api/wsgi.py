"""The base of minova's own paste filters: a webob middleware with a factory.

Each filter in api-paste.ini names ``<Class>.factory``; this gives every
filter the same factory (it hands the filter the process's ConfigOpts) and
the same request/response shape, so a filter only writes
``process_request`` (return a response to stop) and ``process_response``.
"""

import webob.dec

from minova_tw import conf as minova_conf


class Middleware:
    """A paste filter wrapping ``application``; ``conf`` is the process's
    ConfigOpts (None in tests of filters that read no option)."""

    def __init__(self, application, conf=None):
        self.application = application
        self.conf = conf

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.filter_factory: ``[filter:x] paste.filter_factory =
        module:Class.factory``."""
        conf = minova_conf.from_paste(global_conf)

        def make_filter(application):
            return cls(application, conf)
        return make_filter

    def process_request(self, req):
        """Return None to pass the request on, or a response to answer it."""
        return None

    def process_response(self, response):
        return response

    @webob.dec.wsgify
    def __call__(self, req):
        response = self.process_request(req)
        if response is not None:
            return response
        return self.process_response(req.get_response(self.application))

"""The base of minova's own paste filters, and the webob-free way to call an app.

Each filter in api-paste.ini names ``<Class>.factory``; this gives every
filter the same factory (it hands the filter the process's ConfigOpts) and
the same request/response shape, so a filter only writes
``process_request`` (return a response to stop) and ``process_response``.

The filters on every request's path (faultwrap, compute_req_id, noauth2,
cors, http_proxy_to_wsgi, sizelimit) are plain WSGI instead: a webob
request and response per filter and per request is most of what a stack of
seven filters costs. ``call_application`` is their ``get_response``: the
inner app's status, headers and body, without a webob object.
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


def call_application(application, environ):
    """``(status, headers, body iterable)`` of ``application`` on ``environ``.

    What webob's ``Request.call_application`` does: the inner app's
    ``start_response`` is captured, not forwarded, so a filter may still
    change the headers or answer otherwise when the app raises; a body
    written through the legacy ``write`` callable (or an app that calls
    ``start_response`` only while its body is iterated) is collected first.
    """
    captured = []
    written = []

    def start_response(status, headers, exc_info=None):
        if exc_info is not None:
            raise exc_info[1].with_traceback(exc_info[2])
        captured[:] = [status, headers]
        return written.append

    body = application(environ, start_response)
    if written or not captured:
        try:
            written.extend(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        body = written
    return captured[0], captured[1], body

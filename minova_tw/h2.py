"""HTTP/2 streams of an API: twisted.web's Site and Request, minova's limits and log.

Only a process whose API serves HTTP/2 (``[wsgi] http2`` over TLS) imports
this module, and with it twisted.web.server: minova's HTTP/1.1 channel
(minova_tw.http11) hands a connection whose ALPN chose h2 to twisted.web's
H2Connection with ``APISite.h2Site()``. ``H2Site`` runs each stream's
request through the API's current resource and reports it to the APISite
(request counts, metrics, the access line); ``APIRequest`` keeps to the
body limit (a stream whose body passes it is reset, which drops what it
buffered, and never reaches the app) and shows the access log what it
needs.
"""

import io
import time

from twisted.web import server

from minova_tw.http11 import log_refused_body


class APIRequest(server.Request):
    """An HTTP/2 stream's request; see the module docstring."""

    refused = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()
        self.received = 0
        self.maxBodySize = getattr(getattr(self.channel, "site", None),
                                   "maxBodySize", None)

    def gotLength(self, length):
        if self.maxBodySize is not None and length is not None and (
                length > self.maxBodySize):
            self.content = io.BytesIO()
            self._refuseBody(length)
            return
        super().gotLength(length)

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if self.maxBodySize is not None and self.received > self.maxBodySize:
            self._refuseBody(self.received)
            return
        super().handleContentChunk(data)

    def _refuseBody(self, size):
        """Reset the stream, on the reactor's next turn.

        twisted.web calls gotLength while it builds the stream, before its
        connection knows it, and may handle the stream's end in the same
        read after the chunk that passed the limit: resetting the stream
        at once raised KeyError inside twisted.web in both cases. Until
        then the body is dropped and the app is not called (``process``).
        """
        self.refused = True
        log_refused_body(size, self.maxBodySize)
        reset = self.channel.site.reactor.callLater(
            0, self.channel.abortConnection)
        self.notifyFinish().addErrback(
            lambda _: reset.cancel() if reset.active() else None)

    def process(self):
        """twisted.web's hook once the stream's body is in: the app runs,
        unless the body was refused (its stream is being reset)."""
        if not self.refused:
            super().process()

    @property
    def client_ip(self):
        return getattr(self.getClientAddress(), "host", "-")

    @property
    def request_line(self):
        return "%s %s %s" % (self.method.decode("latin-1"),
                             self.uri.decode("latin-1"),
                             self.clientproto.decode("latin-1"))

    @property
    def requestId(self):
        value = self.responseHeaders.getRawHeaders(b"x-openstack-request-id")
        return value[0].decode("latin-1") if value else None


class H2Site(server.Site):
    """The twisted.web Site of one APISite's HTTP/2 streams."""

    requestFactory = APIRequest
    noisy = False

    def __init__(self, api_site):
        super().__init__(api_site.resource, timeout=api_site.timeOut,
                         reactor=api_site.reactor,
                         parsePOSTFormSubmission=False)
        self.apiSite = api_site

    @property
    def maxBodySize(self):
        """The API's body limit, which APIRequest keeps each stream to."""
        return self.apiSite.maxBodySize

    def acceptableProtocols(self):
        return []

    def getResourceFor(self, request):
        # The API's resource of the moment: a reload may have replaced it.
        self.resource = self.apiSite.resource
        self.apiSite.requestStarted(request)
        return super().getResourceFor(request)

    def log(self, request):
        """twisted.web's hook: the stream's response has ended."""
        self.apiSite.requestEnded(request)

"""minova_tw.h2: HTTP/2 streams of an API, in memory, with a real h2 client.

An APISite's channel whose transport says ALPN chose h2 hands the
connection to twisted.web's H2Connection (as over TLS); the ``h2``
library plays the client, so the frames on the wire are real. The pool and
reactor are synchronous (test_resources), the clock is the test's.
"""

import h2.config
import h2.connection
import h2.events
import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs

from minova_tw import resources
from minova_tw.site import APISite

from tests.unit.fakes import SyncPool, SyncReactor, simple_app


class ALPNTransport(StringTransport):
    """A transport on which ALPN chose h2."""

    negotiatedProtocol = b"h2"


class H2Client:
    """One HTTP/2 connection to an APISite, from the client's side."""

    def __init__(self, app, **site_options):
        self.reactor = SyncReactor()
        self.site = APISite(
            resources.WSGIResource(self.reactor, SyncPool(), app),
            name="test", log_format="%(request_line)s",
            reactor=self.reactor, **site_options)
        self.channel = self.site.buildProtocol(None)
        self.transport = ALPNTransport(
            hostAddress=IPv4Address("TCP", "127.0.0.1", 8774),
            peerAddress=IPv4Address("TCP", "127.0.0.1", 5555))
        self.channel.makeConnection(self.transport)
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8"))
        self.h2.initiate_connection()
        self.events = []
        self.flush()

    def flush(self):
        """Send what the client has queued; read what the server wrote."""
        data = self.h2.data_to_send()
        if data:
            self.channel.dataReceived(data)
        for _ in range(5):  # the server sends some frames on a later turn
            self.reactor.advance(0)
        received = self.transport.value()
        self.transport.clear()
        if received:
            self.events += self.h2.receive_data(received)
            data = self.h2.data_to_send()
            if data:
                self.channel.dataReceived(data)

    def request(self, method, path, body=None, headers=()):
        stream = self.h2.get_next_available_stream_id()
        self.h2.send_headers(stream, [
            (":method", method), (":path", path), (":scheme", "https"),
            (":authority", "h.example:8774")] + list(headers),
            end_stream=body is None)
        if body is not None:
            self.h2.send_data(stream, body, end_stream=True)
        self.flush()
        return stream

    def response(self, stream):
        """(headers dict, body) of ``stream``; None if it was reset."""
        headers, body = None, b""
        for event in self.events:
            if getattr(event, "stream_id", None) != stream:
                continue
            if isinstance(event, h2.events.StreamReset):
                return None
            if isinstance(event, h2.events.ResponseReceived):
                headers = dict(event.headers)
            elif isinstance(event, h2.events.DataReceived):
                body += event.data
        return headers, body


def test_a_stream_reaches_the_app_with_the_shared_environ():
    app = simple_app(b"over h2")
    client = H2Client(app)
    stream = client.request("POST", "/v2.1/a%20b?x=1", body=b"{}", headers=[
        ("content-type", "application/json"), ("x-two", "a"),
        ("x-two", "b")])
    headers, body = client.response(stream)
    assert headers[":status"] == "200" and body == b"over h2"
    environ = app.seen
    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"],
            environ["QUERY_STRING"]) == ("POST", "/v2.1/a b", "x=1")
    assert environ["SERVER_NAME"] == "h.example"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["HTTP_X_TWO"] == "a,b"
    assert environ["body"] == b"{}"


def test_each_stream_is_counted_and_logged_by_the_api_site():
    client = H2Client(simple_app())
    streams = [client.request("GET", "/%d" % n) for n in range(3)]
    assert all(client.response(s)[0][":status"] == "200" for s in streams)
    assert client.site.served == 3


def test_a_stream_goes_through_the_resource_of_the_moment():
    client = H2Client(simple_app(b"old"))
    client.site.resource = resources.WSGIResource(
        client.reactor, SyncPool(), simple_app(b"new"))  # a reload
    assert client.response(client.request("GET", "/"))[1] == b"new"


@pytest.mark.parametrize("declared", [True, False])
def test_a_body_over_the_limit_resets_its_stream_only(declared):
    app = simple_app()
    client = H2Client(app, max_body_size=10)
    headers = [("content-length", "11")] if declared else []
    with capturedLogs() as events:
        refused = client.request("PUT", "/", body=b"x" * 11, headers=headers)
    assert client.response(refused) is None  # reset
    assert not app.seen
    assert [e["size"] for e in events
            if "refused a request body" in e.get("log_format", "")] == [11]
    assert not [e for e in events if e.get("log_failure")]
    stream = client.request("PUT", "/", body=b"x" * 10)  # the connection
    assert client.response(stream)[0][":status"] == "200"  # goes on


def test_a_malformed_host_is_400_not_a_500():
    app = simple_app()
    client = H2Client(app)
    stream = client.h2.get_next_available_stream_id()
    client.h2.send_headers(stream, [
        (":method", "GET"), (":path", "/"), (":scheme", "https"),
        (":authority", "a b")], end_stream=True)
    client.flush()
    headers, body = client.response(stream)
    assert headers[":status"] == "400"
    assert body == b"The request is malformed."
    assert not app.seen


def test_an_app_that_raises_is_a_500_without_internals():
    def app(environ, start_response):
        raise ValueError("secret internals")
    client = H2Client(app)
    headers, body = client.response(client.request("GET", "/"))
    assert headers[":status"] == "500"
    assert headers["content-type"] == "text/plain"
    assert body == b"An unexpected error occurred."

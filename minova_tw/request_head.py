"""A request's head as a WSGI environ, and the answer to an app that raised.

Pure functions, no I/O and no Twisted, so that every HTTP layer of the
host turns a request into the same environ and keeps to the same rules
(RFC 9112, PEP 3333): minova's HTTP/1.1 channel (minova_tw.http11) parses
the bytes of a head with ``parse_head``; the twisted.web path (HTTP/2
streams, and a resource mounted in someone else's Site), whose Request
has parsed the head already, builds its environ with ``add_headers``,
``add_target`` and ``add_server_name``, the steps ``parse_head`` is made
of. Both answer an app that raised as ``failure_answer`` says.

A malformed head raises ``BadRequest`` (400); its text, for the debug
log, quotes at most 100 characters of what the client sent.
"""

import re
from urllib.parse import unquote_to_bytes

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_REQUEST_LINE = re.compile(r"(%s) ([^\x00-\x20\x7f]+) HTTP/1\.([01])\Z"
                           % _TOKEN)
#: A header section (lines ending in LF): each line a name, a colon and a
#: value without control characters; no obsolete line folding.
_HEADER_BLOCK = re.compile(r"(?:%s:[^\x00-\x08\x0a-\x1f\x7f]*\n)*" % _TOKEN)
#: One header line: its name, and its value without the whitespace around
#: it (RFC 9110 5.5). The value is greedy up to its last character that is
#: not a space or tab, so the engine backtracks over trailing whitespace
#: alone: a lazy value tried the rest of the line at every character, and
#: cost a request of an SDK carrying a Fernet token 9 µs where this takes
#: 2.6 (timeit, on openstacksdk's seven header lines with a 200-character
#: token).
_HEADER = re.compile(r"(%s):[ \t]*((?:[^\n]*[^ \t\n])?)[ \t]*\n" % _TOKEN)
#: A Host value (RFC 9110 7.2): an IP literal or a reg-name, then a port.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.vV]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)"
                   r"(?::[0-9]*)?")
#: Header name -> environ key, for the names clients send (bounded).
_ENVIRON_KEYS = {}

#: The 500 the host answers when the app raised before its response began:
#: ``(status, headers, body)``, no detail of what went wrong.
APP_FAILED = ("500 Internal Server Error", [("Content-Type", "text/plain")],
              b"An unexpected error occurred.")


class BadRequest(Exception):
    """The head is malformed: 400 (the reason goes to the debug log)."""


def environ_key(name):
    """``HTTP_X_NAME`` for header ``X-Name`` (PEP 3333), remembered."""
    key = _ENVIRON_KEYS.get(name)
    if key is None:
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        if len(_ENVIRON_KEYS) < 512:
            _ENVIRON_KEYS[name] = key
    return key


def add_headers(environ, headers):
    """Put ``(name, value)`` pairs in ``environ``, repeated names joined
    with commas (RFC 9110 5.3); a second ``Host`` is a BadRequest (RFC 9112
    3.2)."""
    keys = _ENVIRON_KEYS
    for name, value in headers:
        key = keys.get(name)
        if key is None:
            key = environ_key(name)
        if key in environ:
            if key == "HTTP_HOST":
                raise BadRequest("more than one Host")
            environ[key] += "," + value
        else:
            environ[key] = value


def add_target(environ, method, target):
    """REQUEST_METHOD, SCRIPT_NAME, PATH_INFO (percent-decoded, as latin-1)
    and QUERY_STRING of request ``target`` (origin, absolute or asterisk
    form, RFC 9112 3.2); returns the target in origin form."""
    if not target.startswith("/") and target != "*":
        # The absolute form: the path is what follows the authority.
        _, sep, rest = target.partition("://")
        if not sep:
            raise BadRequest("request target %r" % target[:100])
        target = "/" + rest.partition("/")[2]
    path, _, query = target.partition("?")
    environ["REQUEST_METHOD"] = method
    environ["SCRIPT_NAME"] = ""
    environ["PATH_INFO"] = (unquote_to_bytes(path).decode("latin-1")
                            if "%" in path else path)
    environ["QUERY_STRING"] = query
    return target


def add_server_name(environ, local_host, host_required):
    """SERVER_NAME: the ``Host`` header's host, else ``local_host``; a
    malformed Host, or none where ``host_required`` (HTTP/1.1), is a
    BadRequest."""
    host = environ.get("HTTP_HOST")
    if host:
        match = _HOST.fullmatch(host)
        if match is None:
            raise BadRequest("Host %r" % host[:100])
        environ["SERVER_NAME"] = match.group(1)
    elif host is None and host_required:
        raise BadRequest("no Host")
    else:
        environ["SERVER_NAME"] = local_host


def _body_framing(environ, minor):
    """``(length, chunked)`` of the body the head announces (RFC 9112 6);
    CONTENT_LENGTH and CONTENT_TYPE are always set, as PEP 3333 has them."""
    length = environ.get("CONTENT_LENGTH")
    if length is None:
        environ["CONTENT_LENGTH"] = ""
    elif not (length.isascii() and length.isdigit()):
        raise BadRequest("Content-Length %r" % length[:100])
    else:
        length = int(length)
    if "CONTENT_TYPE" not in environ:
        environ["CONTENT_TYPE"] = ""
    coding = environ.get("HTTP_TRANSFER_ENCODING")
    if coding is None:
        return length, False
    if coding.lower() != "chunked":
        raise BadRequest("Transfer-Encoding %r" % coding[:100])
    if length is not None:
        raise BadRequest("Transfer-Encoding with Content-Length")
    if minor == "0":
        raise BadRequest("Transfer-Encoding in HTTP/1.0")
    return None, True


def parse_head(head, base_environ, local_host):
    """``(environ, method, target, version, length, chunked)`` of ``head``.

    ``head`` is an HTTP/1.x request line and header lines, as str,
    separated by LF, without the line break that ends the last one (what
    comes before the blank line). ``environ`` is a copy of
    ``base_environ`` (what the connection's requests share) with the
    request's keys, all but ``wsgi.input``; ``target`` is in origin form;
    ``length`` is the Content-Length (None: none) and ``chunked`` whether
    the body is chunked. A plain tuple: this runs for every request.
    """
    request_line, _, block = head.partition("\n")
    match = _REQUEST_LINE.match(request_line)
    if match is None:
        raise BadRequest("request line %r" % request_line[:100])
    method, target, minor = match.groups()
    environ = base_environ.copy()
    if block:
        block += "\n"
        if _HEADER_BLOCK.fullmatch(block) is None:
            raise BadRequest("a header line")
        add_headers(environ, _HEADER.findall(block))
    length, chunked = _body_framing(environ, minor)
    target = add_target(environ, method, target)
    version = "HTTP/1." + minor
    environ["SERVER_PROTOCOL"] = version
    add_server_name(environ, local_host, minor == "1")
    return environ, method, target, version, length, chunked


def failure_answer(started_writing):
    """What an HTTP layer does when the app raised: the APP_FAILED response
    to send, or None when part of the response is out already, which then
    must be cut (abort the connection or stream), so that the client does
    not take a truncated response for a whole one."""
    return None if started_writing else APP_FAILED

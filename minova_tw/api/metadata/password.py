"""The ``password`` file: the guest posts its encrypted password once and reads it back.

GET answers the stored string ("" if none). POST stores the request body
(at most 1020 bytes, else 400) unless a password is already stored (409);
any other method is 400. The password lives in the server's system metadata
(``minova_tw.compute.metadata``); a successful POST drops the server's cached
metadata in this process so the next GET shows it.
"""

import webob.exc

from minova_tw.compute import exception
from minova_tw.compute import metadata as compute_metadata

MAX_SIZE = compute_metadata.MAX_PASSWORD_BYTES
TOO_LARGE = "Request is too large."


def handle_password(environ, meta_data, compute, cache):
    """The body to answer with; raises webob's HTTPException for errors."""
    method = environ["REQUEST_METHOD"]
    if method == "GET":
        return meta_data.password.encode()
    if method != "POST":
        raise webob.exc.HTTPBadRequest()
    # Like nova, answer from the (possibly cached) metadata first.
    if meta_data.password:
        raise webob.exc.HTTPConflict()
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise webob.exc.HTTPBadRequest() from None
    if length > MAX_SIZE:
        raise webob.exc.HTTPBadRequest(explanation=TOO_LARGE)
    body = environ["wsgi.input"].read(length) if length else b""
    try:
        value = body.decode("utf-8")
    except UnicodeDecodeError:
        raise webob.exc.HTTPBadRequest(
            explanation="The password is not UTF-8.") from None
    try:
        compute.metadata.set_password(meta_data.uuid, value)
    except exception.PasswordAlreadySet:
        raise webob.exc.HTTPConflict() from None
    except exception.PasswordTooLong:
        raise webob.exc.HTTPBadRequest(explanation=TOO_LARGE) from None
    except exception.InstanceNotFound:
        raise webob.exc.HTTPNotFound() from None
    cache.discard(meta_data.uuid)
    return b""

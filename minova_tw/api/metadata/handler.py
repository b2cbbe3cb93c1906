"""The metadata app (paste ``metaapp``): identify the server, then serve the path.

``/`` lists the EC2 versions without looking anything up. Every other path
is about one server, found

- by the client's address (``REMOTE_ADDR``, which http_proxy_to_wsgi sets
  from ``Forwarded``/``X-Forwarded-For`` when ``[oslo_middleware]
  enable_proxy_headers_parsing`` is on, or the first ``X-Forwarded-For`` item
  with the Ocata-era ``[api] use_forwarded_for``) among the fixed IPs the
  compute API allocated; or
- with ``[neutron] service_metadata_proxy``, from neutron's proxy headers:
  ``X-Instance-ID``, ``X-Instance-ID-Signature`` and ``X-Tenant-ID`` (400 if
  one is missing or the id or tenant is repeated, 403 unless the signature
  is the lower-case hex HMAC-SHA256 of the id keyed with
  ``metadata_proxy_shared_secret``, compared in constant time; 404 unless
  the server belongs to the tenant; an empty secret is refused at start:
  minova_tw.conf.checks). With ``X-Metadata-Provider`` (a load
  balancer's provider mode) the server is the one with the first
  ``X-Forwarded-For`` address (400 if none), and the provider id's signature
  is checked when a secret is set. minova has no neutron: every provider
  shares its one network.

An unknown server or path is webob's plain 404, a failed lookup 500. The
server's metadata is cached per process (``cache``); the documents are in
``base``. Plain WSGI, no webob request on the way in: this is the hot path.
"""

import datetime
import hashlib
import hmac
import logging
import posixpath

import webob.exc

from minova_tw import conf as minova_conf
from minova_tw.api.metadata import base, cache, password, vendordata
from minova_tw.conf import checks as conf_checks
from minova_tw.compute import api as compute_api
from minova_tw.compute import exception
from minova_tw.db import migration

LOG = logging.getLogger(__name__)

UNKNOWN_ERROR = "An unknown error has occurred. Please try your request again."
BAD_SIGNATURE = "Invalid proxy request signature."


def _first_forwarded(value):
    return value.split(",")[0].strip() if value else None


class MetadataRequestHandler:
    """Serve the metadata of the server a request comes from."""

    def __init__(self, conf, compute, today=None):
        self.conf = conf
        self.compute = compute
        self.cache = cache.MetadataCache(conf.api.metadata_cache_expiration)
        self.vendordata = vendordata.VendorData(conf)
        today = today or datetime.date.today().isoformat()
        self.versions = base.available_versions(today)
        self._root = ("\n".join(base.EC2_VERSIONS + (base.LATEST,))).encode()
        self._proxy = conf.neutron.service_metadata_proxy
        self._secret = conf.neutron.metadata_proxy_shared_secret.encode()
        self._use_forwarded_for = conf.api.use_forwarded_for
        # Refused under any host (gunicorn, uWSGI), not only minova's start.
        conf_checks.metadata_proxy_unsigned(conf)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.app_factory: the process's ConfigOpts, its database at
        the code's schema (minova_tw.db.migration.ensure_current), one
        compute API."""
        conf = minova_conf.from_paste(global_conf)
        migration.ensure_current(conf)
        return cls(conf, compute_api.API(conf))

    def __call__(self, environ, start_response):
        path = posixpath.normpath(environ.get("PATH_INFO") or "/")
        tokens = [token for token in path.split("/") if token]
        try:
            if not tokens:
                return self._reply(start_response, self._root, base.MIME_TEXT)
            meta_data = self._identify(environ)
            try:
                data, mime_type = meta_data.lookup(tokens)
            except base.InvalidMetadataPath:
                raise webob.exc.HTTPNotFound() from None
            except vendordata.VendorDataError:
                LOG.exception("Failed to get vendor data for %s",
                              meta_data.uuid)
                raise webob.exc.HTTPInternalServerError(
                    explanation=UNKNOWN_ERROR) from None
            if data is base.PASSWORD:
                data = password.handle_password(environ, meta_data,
                                                self.compute, self.cache)
            elif not isinstance(data, bytes):
                data = base.ec2_md_print(data).encode()
            return self._reply(start_response, data, mime_type)
        except webob.exc.HTTPException as error:
            return error(environ, start_response)

    @staticmethod
    def _reply(start_response, body, mime_type):
        content_type = (mime_type + "; charset=UTF-8"
                        if mime_type == base.MIME_TEXT else mime_type)
        start_response("200 OK", [("Content-Type", content_type),
                                  ("Content-Length", str(len(body)))])
        return [body]

    # -- identification --------------------------------------------------

    def _identify(self, environ):
        """The InstanceMetadata the request is about, or an HTTPException."""
        if self._proxy:
            if environ.get("HTTP_X_METADATA_PROVIDER"):
                return self._by_provider(environ)
            return self._by_instance_id(environ)
        if "HTTP_X_INSTANCE_ID" in environ:
            LOG.warning("X-Instance-ID present in request headers. The "
                        "'service_metadata_proxy' option must be enabled to "
                        "process this header.")
        address = environ.get("REMOTE_ADDR")
        if self._use_forwarded_for:
            address = (_first_forwarded(environ.get("HTTP_X_FORWARDED_FOR"))
                       or address)
        meta_data = self._load("metadata-%s" % address,
                               self.compute.metadata.get_by_address,
                               address) if address else None
        if meta_data is None:
            LOG.info("Failed to get metadata for IP %s: no metadata",
                     address)
            raise webob.exc.HTTPNotFound()
        return meta_data

    def _by_instance_id(self, environ):
        instance_id = environ.get("HTTP_X_INSTANCE_ID")
        signature = environ.get("HTTP_X_INSTANCE_ID_SIGNATURE")
        tenant_id = environ.get("HTTP_X_TENANT_ID")
        remote = _first_forwarded(environ.get("HTTP_X_FORWARDED_FOR"))
        if instance_id is None:
            msg = "X-Instance-ID header is missing from request."
        elif signature is None:
            msg = "X-Instance-ID-Signature header is missing from request."
        elif tenant_id is None:
            msg = "X-Tenant-ID header is missing from request."
        elif "," in instance_id:
            msg = "Multiple X-Instance-ID headers found within request."
        elif "," in tenant_id:
            msg = "Multiple X-Tenant-ID headers found within request."
        else:
            msg = None
        if msg:
            raise webob.exc.HTTPBadRequest(explanation=msg)
        self._check_signature(instance_id, signature, remote)
        meta_data = self._load("metadata-%s" % instance_id,
                               self.compute.metadata.get_by_uuid, instance_id)
        if meta_data is None:
            LOG.info("Failed to get metadata for instance id: %s",
                     instance_id)
            raise webob.exc.HTTPNotFound()
        if meta_data.project_id != tenant_id:
            LOG.warning("Tenant_id %s does not match tenant_id of instance "
                        "%s.", tenant_id, instance_id)
            raise webob.exc.HTTPNotFound()
        return meta_data

    def _by_provider(self, environ):
        provider_id = environ["HTTP_X_METADATA_PROVIDER"]
        remote = _first_forwarded(environ.get("HTTP_X_FORWARDED_FOR"))
        if not remote:
            raise webob.exc.HTTPBadRequest(
                explanation="X-Forwarded-For is missing from request.")
        if self._secret:
            self._check_signature(
                provider_id,
                environ.get("HTTP_X_METADATA_PROVIDER_SIGNATURE", ""), remote)
        meta_data = self._load("provider-%s-%s" % (provider_id, remote),
                               self.compute.metadata.get_by_address, remote)
        if meta_data is None:
            raise webob.exc.HTTPBadRequest(
                explanation="Fixed IP %s not found for provider %s."
                % (remote, provider_id))
        return meta_data

    def _check_signature(self, signed, signature, remote):
        """403 unless ``signature`` is the proxy's HMAC of ``signed``."""
        expected = hmac.new(self._secret, signed.encode("latin-1"),
                            hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(expected,
                                   signature.encode("latin-1", "replace")):
            LOG.warning("X-Instance-ID-Signature does not match the expected "
                        "value for id %s. Request From: %s", signed, remote)
            raise webob.exc.HTTPForbidden(explanation=BAD_SIGNATURE)

    def _load(self, key, find, value):
        """The cached InstanceMetadata under ``key``, else ``find(value)``'s
        (cached under ``key`` and the server's uuid); None if not found."""
        meta_data = self.cache.get(key)
        if meta_data is not None:
            return meta_data
        try:
            instance = find(value)
        except exception.InstanceNotFound:
            return None
        except Exception:
            LOG.exception("Failed to get metadata for %s", value)
            raise webob.exc.HTTPInternalServerError(
                explanation=UNKNOWN_ERROR) from None
        meta_data = base.InstanceMetadata(self.conf, instance,
                                          self.vendordata, self.versions)
        self.cache.set(key, meta_data)
        self.cache.set("metadata-%s" % meta_data.uuid, meta_data)
        return meta_data

"""Vendor data: what ``[api] vendordata_providers`` put in vendor_data.json and vendor_data2.json.

``StaticJSON`` serves the JSON file ``[api] vendordata_jsonfile_path``. The
file is read once, when the stack is built: a missing or malformed file is a
configuration error that stops start-up with one line (nova instead fails
every metadata request with 500); a reload (SIGHUP) reads it again.

``DynamicJSON`` POSTs a description of the server (nova's body: project-id,
instance-id, image-id, user-data, hostname, metadata, boot-roles) as JSON to
each ``[api] vendordata_dynamic_targets`` entry ``name@url`` and serves each
JSON answer under its name, with ``vendordata_dynamic_connect_timeout`` and
``vendordata_dynamic_read_timeout`` (0: no read limit) and, for https, the
CA file ``vendordata_dynamic_ssl_certfile``. A target that fails is logged and left
out, or fails the request (500) with ``vendordata_dynamic_failure_fatal``.
minova sends no keystone token to the targets (nova authenticates with its
service user). Answers are kept with the server's cached metadata.
"""

import http.client
import json
import logging
import ssl
import urllib.parse

from minova_tw import conf as minova_conf

LOG = logging.getLogger(__name__)

USER_AGENT = "openstack-nova-vendordata"


class VendorDataError(Exception):
    """A dynamic target failed and vendordata_dynamic_failure_fatal is set."""


def load_static(path):
    """The JSON in ``path`` (``[api] vendordata_jsonfile_path``), or
    ConfigError naming the option and the file."""
    try:
        with open(path, "rb") as f:
            return json.load(f)
    except OSError as exc:
        reason = exc.strerror or str(exc)
    except ValueError as exc:
        reason = "not JSON: %s" % exc
    raise minova_conf.ConfigError(
        "[api] vendordata_jsonfile_path: cannot read %s: %s" % (path, reason))


def parse_targets(entries):
    """``[(name, url)]`` from ``name@url`` entries; a bad or repeated entry
    is skipped with a warning, as nova does."""
    targets = []
    for entry in entries:
        name, sep, url = entry.partition("@")
        if not sep or not name or not url:
            LOG.warning("vendordata_dynamic_targets: %r is not name@url; "
                        "skipping it", entry)
        elif name in dict(targets):
            LOG.warning("vendordata_dynamic_targets: %s is listed twice; "
                        "keeping the first", name)
        else:
            targets.append((name, url))
    return targets


class VendorData:
    """The providers of one process's configuration."""

    def __init__(self, conf):
        api = conf.api
        self.providers = list(api.vendordata_providers or ())
        self.static = None
        if "StaticJSON" in self.providers:
            path = api.vendordata_jsonfile_path
            self.static = load_static(path) if path else {}
        self.targets = []
        if "DynamicJSON" in self.providers:
            self.targets = parse_targets(api.vendordata_dynamic_targets)
        self.connect_timeout = api.vendordata_dynamic_connect_timeout
        self.read_timeout = api.vendordata_dynamic_read_timeout
        self.certfile = api.vendordata_dynamic_ssl_certfile or None
        self.failure_fatal = api.vendordata_dynamic_failure_fatal

    @property
    def has_static(self):
        return self.static is not None

    def vendor_data2(self, description):
        """vendor_data2.json: ``{"static": ..., "<target>": ...}`` in the
        order of vendordata_providers; ``description`` is the body sent to
        dynamic targets."""
        document = {}
        for provider in self.providers:
            if provider == "StaticJSON":
                document["static"] = self.static
            else:
                for name, url in self.targets:
                    if name in document:
                        LOG.warning("vendordata: dropping target %s, whose "
                                    "name is already in vendor_data2", name)
                        continue
                    document[name] = self.fetch(name, url, description)
        return document

    def fetch(self, name, url, description):
        """One dynamic target's answer, ``{}`` (or VendorDataError) if it
        fails."""
        try:
            return self._post(url, description)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            LOG.warning("Error from dynamic vendordata service %s at %s: %s",
                        name, url, exc)
            if self.failure_fatal:
                raise VendorDataError(name) from exc
            return {}

    def _post(self, url, description):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.certfile)
            conn = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=self.connect_timeout,
                context=context)
        elif parts.scheme == "http":
            conn = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=self.connect_timeout)
        else:
            raise ValueError("unsupported URL scheme %r" % parts.scheme)
        try:
            conn.connect()
            conn.sock.settimeout(self.read_timeout or None)
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            conn.request("POST", path, body=json.dumps(description),
                         headers={"Content-Type": "application/json",
                                  "Accept": "application/json",
                                  "User-Agent": USER_AGENT})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status >= 400:
            raise ValueError("HTTP %d" % response.status)
        return json.loads(body) if body.strip() else {}

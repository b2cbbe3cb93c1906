"""TLS for the APIs in enabled_ssl_apis: one server context from [wsgi], checked at startup, reloadable.

``ServerTLS(conf)`` reads nova's ``[wsgi] ssl_cert_file`` (the certificate,
then the intermediates it is served with), ``ssl_key_file`` and, when set,
``ssl_ca_file`` (client certificates are then required and must chain to
it), plus minova's additions ``ssl_minimum_version``, ``ssl_ciphers`` and
``http2``. Everything a file can get wrong is found there and raised as one
``ConfigError`` line naming the option and the file, so twistd never starts
with a context that would fail its first handshake.

``wrap(factory)`` puts TLS under a Site on any stream port (minova adopts
sockets it bound itself). ``reload()`` re-reads the files: connections made
afterwards get the new context, connections already open keep theirs, and a
bad new file is logged while the old context stays in service.

pyOpenSSL and cryptography (about 13 MB of a process's memory) are imported
by the code here that uses them, so importing this module costs nothing.
Twisted itself imports them, and h2, whenever they are installed: pyOpenSSL
the first time its TCP support is imported (for startTLS), h2 the first time
twisted.web.http is. ``install_twisted`` installs the reactor with
pyOpenSSL hidden unless the process serves TLS. twisted.web.http is
imported only by what needs it: ``ServerTLS`` when HTTP/2 is asked for,
HTTP/2 streams (minova_tw.h2) and the metrics listener, which imports it
``without`` h2 since it serves plain HTTP/1.1.
"""

import contextlib
import datetime
import functools
import sys

from twisted.application import reactors
from twisted.internet.interfaces import IOpenSSLServerConnectionCreator
from twisted.logger import Logger
from zope.interface import implementer

from minova_tw import compat
from minova_tw.conf import ConfigError

log = Logger(namespace="minova.tls")

#: [wsgi] ssl_minimum_version choices, as twisted.internet.ssl.TLSVersion
#: names; nothing older is ever accepted.
MINIMUM_VERSIONS = {"1.2": "TLSv1_2", "1.3": "TLSv1_3"}

HTTP11 = b"http/1.1"
H2 = b"h2"

#: The package behind Twisted's TLS, and the one behind twisted.web's HTTP/2.
TLS_PACKAGE = "OpenSSL"
HTTP2_PACKAGE = "h2"


def install_twisted(conf, apis, reactor_name=None):
    """Install the reactor, without pyOpenSSL unless one of ``apis`` serves TLS.

    ``apis`` are the APIs this process serves or checks; ``reactor_name``
    is twistd's ``--reactor`` name (None: the one installed already, else
    the default). With pyOpenSSL hidden while the reactor is imported,
    Twisted takes it for not installed: its TCP transports have no
    startTLS, and ``listenSSL`` and ``connectSSL`` are missing.
    """
    serves_tls = any(api in conf.enabled_ssl_apis for api in apis)
    with without([] if serves_tls else [TLS_PACKAGE]):
        if reactor_name:
            reactors.installReactor(reactor_name)
        from twisted.internet import reactor  # noqa: F401 (installs it)


@contextlib.contextmanager
def without(packages):
    """Within the block, importing one of ``packages`` raises ImportError.

    For the imports of Twisted modules that use a package when they find it
    installed. The packages stay importable afterwards (the app may use
    them); one that some import loaded already stays as it is.
    """
    hidden = [name for name in packages if name not in sys.modules]
    # A None entry makes "import name" raise ImportError.
    sys.modules.update(dict.fromkeys(hidden))
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


@implementer(IOpenSSLServerConnectionCreator)
class ServerTLS:
    """The TLS settings every TLS API of this process serves with.

    Built from the configuration alone (a worker process can build its own).
    It is the connection creator of every factory it wraps, so swapping the
    context it holds changes what the next handshake uses, and nothing else.
    """

    def __init__(self, conf):
        wsgi = conf.wsgi
        self.cert_file = wsgi.ssl_cert_file
        self.key_file = wsgi.ssl_key_file
        self.ca_file = wsgi.ssl_ca_file
        self.minimum_version = MINIMUM_VERSIONS[wsgi.ssl_minimum_version]
        self.ciphers = wsgi.ssl_ciphers
        if wsgi.http2 and not _h2_enabled():
            raise ConfigError(
                "[wsgi] http2: HTTP/2 needs the h2 package "
                "(pip install 'twisted[http2]')")
        self.protocols = [H2, HTTP11] if wsgi.http2 else [HTTP11]
        self._options, leaf = self._load()
        log.info("TLS: {cert} ({subject}, valid until {until}); TLS "
                 "{minimum}+; ALPN {alpn}; client certificates {clients}",
                 cert=self.cert_file, subject=leaf.subject.rfc4514_string(),
                 until=leaf.not_valid_after_utc.isoformat(),
                 minimum=wsgi.ssl_minimum_version,
                 alpn=b",".join(self.protocols).decode("ascii"),
                 clients="required (%s)" % self.ca_file if self.ca_file
                 else "not asked for")

    @property
    def context(self):
        """The OpenSSL context the next connection will get."""
        return self._options.getContext()

    def wrap(self, factory):
        """``factory`` (a Site) behind TLS, for a port of any kind."""
        return _server_tls_factory()(self, False, factory)

    def serverConnectionForTLS(self, protocol):
        """The OpenSSL connection for one new client: the current context."""
        return self._options.serverConnectionForTLS(protocol)

    def reload(self):
        """Re-read the files for new connections; True if they were taken.

        On any problem the context in service stays, and the reason is
        logged (one line, as at startup).
        """
        try:
            self._options, leaf = self._load()
        except ConfigError as exc:
            log.error("TLS reload failed, still serving the previous "
                      "certificate: {error}", error=str(exc))
            return False
        log.info("TLS reloaded: {cert} ({subject}, valid until {until})",
                 cert=self.cert_file, subject=leaf.subject.rfc4514_string(),
                 until=leaf.not_valid_after_utc.isoformat())
        return True

    def _load(self):
        """Read and check the files; return (CertificateOptions, leaf)."""
        from OpenSSL import SSL, crypto
        from twisted.internet import ssl

        chain = _certificates("ssl_cert_file", self.cert_file)
        key = _private_key(self.key_file)
        leaf = chain[0]
        if key.public_key() != leaf.public_key():
            raise ConfigError(
                "[wsgi] ssl_key_file: %s does not match the certificate in "
                "%s" % (self.key_file, self.cert_file))
        authorities = []
        if self.ca_file:
            authorities = _certificates("ssl_ca_file", self.ca_file)
        trust_root = None
        if authorities:
            trust_root = ssl.trustRootFromCertificates(
                [ssl.Certificate(crypto.X509.from_cryptography(cert))
                 for cert in authorities])
        try:
            # pyOpenSSL takes cryptography's objects directly.
            options = ssl.CertificateOptions(
                privateKey=key, certificate=leaf, extraCertChain=chain[1:],
                raiseMinimumTo=ssl.TLSVersion.lookupByName(
                    self.minimum_version),
                acceptableCiphers=ssl.AcceptableCiphers
                .fromOpenSSLCipherString(self.ciphers),
                acceptableProtocols=self.protocols, trustRoot=trust_root)
        except ValueError:
            raise ConfigError(
                "[wsgi] ssl_ciphers: %r selects no cipher this OpenSSL "
                "offers" % self.ciphers) from None
        try:
            # Built now so that OpenSSL's own checks fail startup, not the
            # first handshake; CertificateOptions keeps and serves it.
            context = options.getContext()
        except (SSL.Error, TypeError) as exc:
            raise ConfigError("[wsgi] ssl_cert_file: OpenSSL refused %s "
                              "with %s: %s" % (self.cert_file, self.key_file,
                                               exc)) from None
        # Compression is off in CertificateOptions already; renegotiation
        # (TLS 1.2's, a client-driven CPU cost) is switched off here.
        context.set_options(SSL.OP_NO_RENEGOTIATION)
        for authority in authorities:
            context.add_client_ca(authority)
        return options, leaf


def _h2_enabled():
    """Whether twisted.web speaks HTTP/2 (it looks for h2 on first import)."""
    from twisted.web import http
    return http.H2_ENABLED


@functools.lru_cache(maxsize=None)
def _server_tls_factory():
    """The TLSMemoryBIOFactory ``wrap`` uses (its base classes need pyOpenSSL).

    Its transport closes the TCP connection once it said close_notify
    (compat.closing_tls_transport says why).
    """
    from twisted.protocols.tls import TLSMemoryBIOFactory

    class ServerTLSFactory(TLSMemoryBIOFactory):
        protocol = compat.closing_tls_transport()

    return ServerTLSFactory


def _read(option, path):
    if not path:
        raise ConfigError("[wsgi] %s is not set; the APIs in "
                          "enabled_ssl_apis need it" % option)
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise ConfigError("[wsgi] %s: cannot read %s: %s" % (
            option, path, exc.strerror or exc)) from None


def _certificates(option, path):
    """The PEM certificates in ``path``, in file order, none of them expired."""
    from cryptography import x509

    try:
        certificates = x509.load_pem_x509_certificates(_read(option, path))
    except ValueError:
        certificates = []
    if not certificates:
        raise ConfigError("[wsgi] %s: %s holds no PEM certificate" % (
            option, path))
    now = datetime.datetime.now(datetime.timezone.utc)
    for certificate in certificates:
        if certificate.not_valid_after_utc < now:
            raise ConfigError("[wsgi] %s: %s expired on %s (%s)" % (
                option, path,
                certificate.not_valid_after_utc.strftime("%Y-%m-%d %H:%M:%S "
                                                         "UTC"),
                certificate.subject.rfc4514_string()))
    return certificates


def _private_key(path):
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    data = _read("ssl_key_file", path)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ConfigError("[wsgi] ssl_key_file: %s is encrypted; minova "
                          "needs an unencrypted key" % path) from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError("[wsgi] ssl_key_file: %s holds no PEM private "
                          "key" % path) from None

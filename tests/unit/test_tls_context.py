"""minova_tw.tls: what ServerTLS accepts, what it refuses (one line each), and reload.

Certificates are made per test with trustme and cryptography in tmp_path.
Real handshakes are in tests/functional/test_tls.py (this file has another
name so that both can be collected in one run); here the settings and the
checks are tested on the objects themselves.
"""

import datetime

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from OpenSSL import SSL
from twisted.internet.protocol import Factory, Protocol
from twisted.logger import capturedLogs
from twisted.web import http

from minova_tw import conf as minova_conf
from minova_tw import tls


class Files:
    """A root CA, an intermediate, the server's chain and key, as files."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.root = trustme.CA()
        self.intermediate = self.root.create_child_ca()
        self.leaf = self.intermediate.issue_cert("127.0.0.1")
        self.cert = self.write("cert.pem", self.chain(self.leaf))
        self.key = self.write("key.pem", self.leaf.private_key_pem.bytes())
        self.ca = self.write("ca.pem", trustme.CA().cert_pem.bytes())

    def write(self, name, data):
        path = self.tmp_path / name
        path.write_bytes(data)
        return str(path)

    @staticmethod
    def chain(leaf):
        return b"".join(pem.bytes() for pem in leaf.cert_chain_pems)

    def conf(self, **wsgi):
        options = {"ssl_cert_file": self.cert, "ssl_key_file": self.key}
        options.update(wsgi)
        lines = ["[wsgi]"] + ["%s = %s" % item for item in options.items()]
        return minova_conf.load([self.write("api.conf",
                                            "\n".join(lines).encode())])


@pytest.fixture
def files(tmp_path):
    return Files(tmp_path)


def connection(server_tls):
    """The OpenSSL connection ServerTLS makes for one new client."""
    protocol = server_tls.wrap(Factory.forProtocol(Protocol)).buildProtocol(
        None)
    return server_tls.serverConnectionForTLS(protocol)


def tls12_ciphers(server_tls):
    """The TLS 1.2 ciphers offered (TLS 1.3 suites are OpenSSL's own)."""
    return [name for name in connection(server_tls).get_cipher_list()
            if not name.startswith("TLS_")]


def options_of(server_tls):
    """The OpenSSL options in force (asked before any connection is made:
    pyOpenSSL then freezes the context, and this asks by setting none)."""
    return server_tls.context.set_options(0)


def test_defaults_are_safe(files):
    server_tls = tls.ServerTLS(files.conf())
    assert server_tls.minimum_version == tls.MINIMUM_VERSIONS["1.2"]
    assert server_tls.protocols == [b"http/1.1"]
    flags = options_of(server_tls)
    for flag in (SSL.OP_NO_RENEGOTIATION, SSL.OP_NO_COMPRESSION,
                 SSL.OP_NO_TLSv1, SSL.OP_NO_TLSv1_1):
        assert flags & flag
    assert not flags & SSL.OP_NO_TLSv1_2
    tls12 = tls12_ciphers(server_tls)
    assert tls12 and all(name.startswith("ECDHE-") and (
        "GCM" in name or "CHACHA20" in name) for name in tls12)


def test_minimum_version_1_3_and_http2_and_ciphers(files):
    server_tls = tls.ServerTLS(files.conf(
        ssl_minimum_version="1.3", http2="true",
        ssl_ciphers="ECDHE-ECDSA-AES256-GCM-SHA384"))
    assert server_tls.protocols == [b"h2", b"http/1.1"]
    assert options_of(server_tls) & SSL.OP_NO_TLSv1_2
    assert tls12_ciphers(server_tls) == ["ECDHE-ECDSA-AES256-GCM-SHA384"]


def test_a_version_other_than_1_2_or_1_3_is_a_config_error(files):
    with pytest.raises(minova_conf.ConfigError, match="ssl_minimum_version"):
        files.conf(ssl_minimum_version="1.1")


def test_http2_without_the_h2_package_is_refused(files, monkeypatch):
    monkeypatch.setattr(http, "H2_ENABLED", False)
    with pytest.raises(minova_conf.ConfigError) as error:
        tls.ServerTLS(files.conf(http2="true"))
    assert str(error.value) == ("[wsgi] http2: HTTP/2 needs the h2 package "
                                "(pip install 'twisted[http2]')")


def test_the_client_ca_makes_certificates_mandatory(files):
    mode = tls.ServerTLS(files.conf(
        ssl_ca_file=files.ca)).context.get_verify_mode()
    assert mode & SSL.VERIFY_PEER and mode & SSL.VERIFY_FAIL_IF_NO_PEER_CERT


def test_no_client_ca_asks_for_no_certificate(files):
    context = tls.ServerTLS(files.conf()).context
    assert context.get_verify_mode() == SSL.VERIFY_NONE


@pytest.mark.parametrize("option,content,message", [
    ("ssl_cert_file", b"not pem", "{path} holds no PEM certificate"),
    ("ssl_key_file", b"not pem", "{path} holds no PEM private key"),
    ("ssl_ca_file", b"", "{path} holds no PEM certificate"),
])
def test_files_without_pem_are_refused(files, option, content, message):
    path = files.write("bad.pem", content)
    with pytest.raises(minova_conf.ConfigError) as error:
        tls.ServerTLS(files.conf(**{option: path}))
    assert str(error.value) == "[wsgi] %s: %s" % (
        option, message.format(path=path))


def test_an_encrypted_key_is_refused(files):
    key = serialization.load_pem_private_key(
        files.leaf.private_key_pem.bytes(), password=None)
    path = files.write("encrypted.pem", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass")))
    with pytest.raises(minova_conf.ConfigError) as error:
        tls.ServerTLS(files.conf(ssl_key_file=path))
    assert str(error.value) == ("[wsgi] ssl_key_file: %s is encrypted; "
                                "minova needs an unencrypted key" % path)


def test_an_expired_client_ca_is_refused(files):
    # trustme cannot backdate a CA, so sign an expired copy of one here.
    ca = trustme.CA()
    key = serialization.load_pem_private_key(
        ca.private_key_pem.bytes(), password=None)
    cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    expired = (x509.CertificateBuilder()
               .subject_name(cert.subject).issuer_name(cert.subject)
               .public_key(cert.public_key()).serial_number(1)
               .not_valid_before(datetime.datetime(2019, 1, 1))
               .not_valid_after(datetime.datetime(2020, 6, 1, 12, 30))
               .sign(key, cert.signature_hash_algorithm))
    path = files.write("old-ca.pem",
                       expired.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(minova_conf.ConfigError) as error:
        tls.ServerTLS(files.conf(ssl_ca_file=path))
    assert str(error.value) == (
        "[wsgi] ssl_ca_file: %s expired on 2020-06-01 12:30:00 UTC (%s)"
        % (path, cert.subject.rfc4514_string()))


def test_reload_takes_new_files_for_new_connections(files):
    server_tls = tls.ServerTLS(files.conf())
    before = connection(server_tls)
    assert before.get_context() is connection(server_tls).get_context()
    new = files.intermediate.issue_cert("127.0.0.1")
    files.write("cert.pem", files.chain(new))
    files.write("key.pem", new.private_key_pem.bytes())
    with capturedLogs() as events:
        assert server_tls.reload() is True
    # New connections get the new context; the open one keeps its own.
    assert connection(server_tls).get_context() is not before.get_context()
    assert [e["log_format"].split(":")[0] for e in events] == ["TLS reloaded"]


def test_a_bad_reload_keeps_the_context_in_service(files):
    server_tls = tls.ServerTLS(files.conf())
    context = server_tls.context
    other = files.intermediate.issue_cert("127.0.0.1")
    files.write("key.pem", other.private_key_pem.bytes())
    with capturedLogs() as events:
        assert server_tls.reload() is False
    assert server_tls.context is context
    (event,) = events
    assert event["log_level"].name == "error"
    assert event["error"] == (
        "[wsgi] ssl_key_file: %s does not match the certificate in %s"
        % (files.key, files.cert))

"""TLS on the APIs in enabled_ssl_apis, tested with real handshakes on loopback.

The host serves tests/functional/apps/echoapp (it answers with the environ
it got), so what the app sees over TLS is checked apart from nova's stacks.
Certificates are made per test with trustme: a root CA, an intermediate
that signs the server's certificate (so the chain must be served), and a
second CA for client certificates. The clients are Python's ssl module,
``openssl s_client`` and ``curl`` (HTTP/2).
"""

import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from tests.functional.certificates import Certificates
from tests.functional.process import (base_config, echo_config, run_minova,
                                      write_config)
from tests.polling import wait_for

OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")
needs_openssl = pytest.mark.skipif(OPENSSL is None,
                                   reason="openssl command not installed")


@pytest.fixture
def pki(tmp_path):
    return Certificates(str(tmp_path))


def tls_config(tmp_path, pki, **wsgi):
    """Echo on both APIs, osapi_compute over TLS with ``pki``'s certificate."""
    options = {"ssl_cert_file": pki.cert_file, "ssl_key_file": pki.key_file}
    options.update(wsgi)
    return echo_config(tmp_path, DEFAULT={"enabled_ssl_apis": "osapi_compute"},
                       wsgi=options)


def client_context(pki, **settings):
    """A verifying client context trusting only the root CA."""
    context = ssl.create_default_context(cafile=pki.root_file)
    for name, value in settings.items():
        setattr(context, name, value)
    return context


def https(server, context, path="/"):
    """GET ``path`` from osapi_compute over TLS; (response, json, socket)."""
    host, port = server.addresses["osapi_compute"]
    conn = http.client.HTTPSConnection(host, port, context=context,
                                       timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    return response, json.loads(response.read()), conn


def handshake(server, context):
    """Connect to osapi_compute and handshake; the TLS socket (close it)."""
    sock = socket.create_connection(server.addresses["osapi_compute"],
                                    timeout=10)
    return context.wrap_socket(sock, server_hostname="127.0.0.1")


def s_client(server, *args):
    """GET / from osapi_compute with ``openssl s_client``; (status, output).

    It reads until the server closes, so an alert sent after a TLS 1.3
    handshake (a refused client certificate) is seen.
    """
    host, port = server.addresses["osapi_compute"]
    result = subprocess.run(
        [OPENSSL, "s_client", "-connect", "%s:%d" % (host, port),
         "-ign_eof"] + list(args), input="GET / HTTP/1.0\r\n\r\n",
        capture_output=True, text=True, timeout=30)
    return result.returncode, result.stdout + result.stderr


def served_serial(server, pki):
    """The serial number a new connection to osapi_compute is shown."""
    with handshake(server, client_context(pki)) as tls:
        return peer_serial(tls)


def peer_serial(tls):
    """The serial number of the certificate ``tls`` (a socket) was shown."""
    return x509.load_der_x509_certificate(
        tls.getpeercert(binary_form=True)).serial_number


def subject(cert_file):
    """The subject of the first certificate in ``cert_file``."""
    with open(cert_file, "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).subject


def test_the_tls_api_is_https_only_and_the_other_stays_plain(minova,
                                                             tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    response, environ, _ = https(server, client_context(pki), "/a?x=1")
    assert response.status == 200
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["PATH_INFO"] == "/a" and environ["QUERY_STRING"] == "x=1"
    assert environ["SSL_CLIENT_S_DN"] is None
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url("osapi_compute"), timeout=10)
    plain = requests.get(server.url("metadata"), timeout=10).json()
    assert plain["wsgi.url_scheme"] == "http"
    host, port = server.addresses["osapi_compute"]
    assert "osapi_compute listening on %s:%d (TLS)" % (host, port) in server.log
    assert "metadata listening on %s:%d\n" % server.addresses["metadata"] \
        in server.log


def test_links_from_nova_say_https(minova, tmp_path, pki):
    sections = base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute",
        "enabled_ssl_apis": "osapi_compute"},
        wsgi={"ssl_cert_file": pki.cert_file, "ssl_key_file": pki.key_file})
    server = minova(sections, expect=("osapi_compute",))
    _, versions, _ = https(server, client_context(pki))
    hrefs = [link["href"] for version in versions["versions"]
             for link in version["links"]]
    host, port = server.addresses["osapi_compute"]
    assert hrefs and all(href.startswith("https://%s:%d/" % (host, port))
                         for href in hrefs)


@needs_openssl
def test_the_intermediate_is_served_and_there_is_no_compression(
        minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    status, output = s_client(server, "-CAfile", pki.root_file, "-showcerts",
                              "-tls1_2")
    assert status == 0, output
    assert "Verify return code: 0 (ok)" in output
    assert output.count("-----BEGIN CERTIFICATE-----") == 2
    assert "Compression: NONE" in output


@needs_openssl
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_1_1_is_refused_1_2_and_1_3_are_served(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    status, output = s_client(server, "-tls1_1", "-cipher",
                              "DEFAULT@SECLEVEL=0")
    assert status != 0 and "alert protocol version" in output, output
    old = client_context(pki, minimum_version=ssl.TLSVersion.TLSv1,
                         maximum_version=ssl.TLSVersion.TLSv1_1)
    old.set_ciphers("DEFAULT@SECLEVEL=0")
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
        handshake(server, old)
    for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                          (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
        context = client_context(pki, maximum_version=version)
        with handshake(server, context) as tls:
            assert tls.version() == name


@needs_openssl
def test_ssl_minimum_version_1_3_refuses_tls_1_2(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki, ssl_minimum_version="1.3"))
    with pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"):
        handshake(server, client_context(
            pki, maximum_version=ssl.TLSVersion.TLSv1_2))
    status, output = s_client(server, "-tls1_2")
    assert status != 0 and "alert protocol version" in output, output
    with handshake(server, client_context(pki)) as tls:
        assert tls.version() == "TLSv1.3"


def test_the_default_ciphers_refuse_cbc_and_ssl_ciphers_narrows_them(
        minova, tmp_path, pki):
    tls12 = dict(maximum_version=ssl.TLSVersion.TLSv1_2)
    server = minova(tls_config(tmp_path, pki))
    cbc = client_context(pki, **tls12)
    cbc.set_ciphers("ECDHE-ECDSA-AES128-SHA")
    with pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE"):
        handshake(server, cbc)
    server.stop()

    server = minova(tls_config(tmp_path, pki,
                               ssl_ciphers="ECDHE-ECDSA-AES256-GCM-SHA384"),
                    name="narrow.conf")
    other = client_context(pki, **tls12)
    other.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    with pytest.raises(ssl.SSLError, match="HANDSHAKE_FAILURE"):
        handshake(server, other)
    with handshake(server, client_context(pki, **tls12)) as tls:
        assert tls.cipher()[0] == "ECDHE-ECDSA-AES256-GCM-SHA384"


@needs_openssl
def test_renegotiation_is_refused(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    host, port = server.addresses["osapi_compute"]
    client = subprocess.Popen(
        [OPENSSL, "s_client", "-connect", "%s:%d" % (host, port), "-tls1_2"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    output, _ = client.communicate("R\n", timeout=30)
    assert "RENEGOTIATING" in output
    assert client.returncode != 0 and "no renegotiation" in output, output


def test_sigterm_closes_an_idle_tls_keep_alive_connection(minova, tmp_path,
                                                          pki):
    # No deadline: only closing the idle connection lets the server stop.
    sections = tls_config(tmp_path, pki)
    sections["DEFAULT"]["graceful_shutdown_timeout"] = 0
    server = minova(sections)
    response, _, idle = https(server, client_context(pki))
    assert response.status == 200
    server.signal(signal.SIGTERM)
    server.wait(20)
    assert "Server Shut Down." in server.log
    idle.close()


# --- every way the files can be wrong stops startup with one line ----------

def _encrypt(pki):
    key = serialization.load_pem_private_key(
        pki.server.private_key_pem.bytes(), password=None)
    return pki.write("encrypted-key.pem", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret")))


def _expired(pki):
    leaf = pki.intermediate.issue_cert(
        "127.0.0.1", not_before=datetime.datetime(2020, 1, 1),
        not_after=datetime.datetime(2021, 1, 1))
    return pki.write_server(leaf, "expired.pem", "expired-key.pem")


BAD_FILES = {
    "encrypted key": lambda pki: (
        {"ssl_key_file": _encrypt(pki)},
        "[wsgi] ssl_key_file: {ssl_key_file} is encrypted; minova needs an "
        "unencrypted key"),
    "key of another certificate": lambda pki: (
        {"ssl_key_file": pki.client_files(pki.client_ca, "other")[1]},
        "[wsgi] ssl_key_file: {ssl_key_file} does not match the certificate "
        "in {ssl_cert_file}"),
    "missing certificate": lambda pki: (
        {"ssl_cert_file": pki.cert_file + ".missing"},
        "[wsgi] ssl_cert_file: cannot read {ssl_cert_file}: No such file or "
        "directory"),
    "missing key": lambda pki: (
        {"ssl_key_file": pki.key_file + ".missing"},
        "[wsgi] ssl_key_file: cannot read {ssl_key_file}: No such file or "
        "directory"),
    "key path is a directory": lambda pki: (
        {"ssl_key_file": pki.directory},
        "[wsgi] ssl_key_file: cannot read {ssl_key_file}: Is a directory"),
    "expired certificate": lambda pki: (
        dict(zip(("ssl_cert_file", "ssl_key_file"), _expired(pki))),
        "[wsgi] ssl_cert_file: {ssl_cert_file} expired on 2021-01-01 "
        "00:00:00 UTC (OU=Testing cert #"),
    "missing client CA": lambda pki: (
        {"ssl_ca_file": pki.client_ca_file + ".missing"},
        "[wsgi] ssl_ca_file: cannot read {ssl_ca_file}: No such file or "
        "directory"),
    "certificate not set": lambda pki: (
        {"ssl_cert_file": ""},
        "[wsgi] ssl_cert_file is not set; the APIs in enabled_ssl_apis "
        "need it"),
    "ciphers that select nothing": lambda pki: (
        {"ssl_ciphers": "NO-SUCH-CIPHER"},
        "[wsgi] ssl_ciphers: 'NO-SUCH-CIPHER' selects no cipher this "
        "OpenSSL offers"),
}


def _assert_one_line_exit(tmp_path, sections, message):
    config = write_config(tmp_path / "api.conf", sections)
    result = run_minova(["--config", config], tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("minova: " + message), lines


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_tls_file_stops_startup_with_one_line(tmp_path, pki, case):
    options, message = BAD_FILES[case](pki)
    sections = tls_config(tmp_path, pki, **options)
    _assert_one_line_exit(tmp_path, sections,
                          message.format(**sections["wsgi"]))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_key_stops_startup_with_one_line(tmp_path, pki):
    os.chmod(pki.key_file, 0)
    _assert_one_line_exit(
        tmp_path, tls_config(tmp_path, pki),
        "[wsgi] ssl_key_file: cannot read %s: Permission denied"
        % pki.key_file)


# --- client certificates -----------------------------------------------------

@needs_openssl
def test_ssl_ca_file_requires_a_client_certificate_from_that_ca(
        minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki, ssl_ca_file=pki.client_ca_file))
    good_cert, good_key = pki.client_files(pki.client_ca, "alice")
    bad_cert, bad_key = pki.client_files(pki.intermediate, "mallory")

    for cert, key in ((None, None), (bad_cert, bad_key)):
        context = client_context(pki)
        if cert:
            context.load_cert_chain(cert, key)
        with pytest.raises((ssl.SSLError, ConnectionError)):
            https(server, context)

    status, output = s_client(server, "-CAfile", pki.root_file)
    assert status != 0 and "certificate required" in output, output
    status, output = s_client(server, "-CAfile", pki.root_file,
                              "-cert", bad_cert, "-key", bad_key)
    assert status != 0 and "unknown ca" in output, output

    context = client_context(pki)
    context.load_cert_chain(good_cert, good_key)
    response, environ, _ = https(server, context)
    assert response.status == 200
    assert environ["SSL_CLIENT_S_DN"] == subject(good_cert).rfc4514_string()
    assert environ["SSL_CLIENT_S_DN"].startswith("CN=alice,")


# --- HTTP/2 by ALPN ------------------------------------------------------------

def _alpn(server, pki):
    context = client_context(pki)
    context.set_alpn_protocols(["h2", "http/1.1"])
    with handshake(server, context) as tls:
        return tls.selected_alpn_protocol()


def test_h2_is_not_offered_by_default(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    assert _alpn(server, pki) == "http/1.1"


needs_curl = pytest.mark.skipif(CURL is None, reason="curl not installed")


def curl(server, path, *args):
    """GET ``path`` from osapi_compute with curl; (HTTP version, environ)."""
    result = subprocess.run(
        [CURL, "-sS", "-w", "\n%{http_version}"] + list(args)
        + [server.url("osapi_compute", path, scheme="https")],
        capture_output=True, text=True, check=True, timeout=30)
    body, version = result.stdout.rsplit("\n", 1)
    return version, json.loads(body)


@needs_curl
def test_http2_option_serves_the_same_app_over_h2(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki, http2=True,
                               ssl_ca_file=pki.client_ca_file))
    assert _alpn(server, pki) == "h2"
    cert, key = pki.client_files(pki.client_ca, "alice")
    options = ("--cacert", pki.root_file, "--cert", cert, "--key", key)
    version, environ = curl(server, "/over?h=2", "--http2", *options)
    assert version == "2" and environ["SERVER_PROTOCOL"] == "HTTP/2"
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["PATH_INFO"] == "/over"
    assert environ["SSL_CLIENT_S_DN"] == subject(cert).rfc4514_string()
    version, environ = curl(server, "/over?h=1", "--http1.1", *options)
    assert version == "1.1" and environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    wait_for(lambda: '"GET /over?h=2 HTTP/2" status: 200' in server.log,
             what="the access line of the h2 request")


@needs_curl
def test_h2_bodies_keep_to_the_body_limit(minova, tmp_path, pki):
    """A stream's body within [oslo_middleware] max_request_body_size
    reaches the app; one past it is refused before the app runs."""
    server = minova(echo_config(
        tmp_path, DEFAULT={"enabled_ssl_apis": "osapi_compute"},
        wsgi={"ssl_cert_file": pki.cert_file, "ssl_key_file": pki.key_file,
              "http2": True},
        oslo_middleware={"max_request_body_size": 1000}))
    version, environ = curl(server, "/small", "--http2", "--cacert",
                            pki.root_file, "--data-binary", "x" * 1000)
    assert version == "2" and environ["body"] == "x" * 1000
    big = tmp_path / "big"
    big.write_bytes(b"y" * 5000)
    refused = subprocess.run(
        [CURL, "-sS", "--http2", "--cacert", pki.root_file, "--max-time",
         "10", "--data-binary", "@%s" % big,
         server.url("osapi_compute", "/big", scheme="https")],
        capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0 and '"body"' not in refused.stdout
    wait_for(lambda: "refused a request body of 5000 bytes or more" in
             server.log, what="the refused body's log line")
    assert "/big" not in server.log.split("refused a request body")[0]


@needs_curl
def test_closed_h2_connections_leave_the_connection_cap(minova, tmp_path,
                                                       pki):
    server = minova(tls_config(tmp_path, pki, http2=True,
                               default_pool_size=2))
    for attempt in range(4):
        version, _ = curl(server, "/%d" % attempt, "--http2", "--cacert",
                          pki.root_file, "--max-time", "10")
        assert version == "2"


@needs_curl
def test_sigterm_lets_an_inflight_h2_request_finish(minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki, http2=True))
    client = subprocess.Popen(
        [CURL, "-sS", "--http2", "--cacert", pki.root_file,
         server.url("osapi_compute", "/?sleep=1.5", scheme="https")],
        stdout=subprocess.PIPE, text=True)
    wait_for(lambda: "echo: sleeping 1.5" in server.log,
             what="the slow request to reach the app")
    server.signal(signal.SIGTERM)
    output, _ = client.communicate(timeout=30)
    assert json.loads(output)["SERVER_PROTOCOL"] == "HTTP/2"
    server.wait(30)
    assert "Server Shut Down." in server.log


# --- rotation on SIGHUP --------------------------------------------------------

@needs_openssl
def test_sighup_rotates_the_certificate_for_new_connections_only(
        minova, tmp_path, pki):
    server = minova(tls_config(tmp_path, pki))
    old_serial = served_serial(server, pki)
    response, _, kept = https(server, client_context(pki), "/before")
    assert response.status == 200

    pki.write_server(pki.intermediate.issue_cert("127.0.0.1"))
    server.signal(signal.SIGHUP)
    wait_for(lambda: "TLS reloaded" in server.log, what="the reload")
    new_serial = served_serial(server, pki)
    assert new_serial != old_serial

    kept.request("GET", "/after")  # same keep-alive connection, old cert
    assert json.loads(kept.getresponse().read())["PATH_INFO"] == "/after"
    assert peer_serial(kept.sock) == old_serial

    _expired(pki)
    os.replace(os.path.join(pki.directory, "expired.pem"), pki.cert_file)
    server.signal(signal.SIGHUP)
    wait_for(lambda: "TLS reload failed" in server.log,
             what="the failed reload")
    failed = [line for line in server.log.splitlines()
              if "TLS reload failed" in line]
    assert len(failed) == 1
    assert "[wsgi] ssl_cert_file: %s expired on" % pki.cert_file in failed[0]
    assert served_serial(server, pki) == new_serial
    status, output = s_client(server, "-CAfile", pki.root_file)
    assert status == 0 and "Verify return code: 0 (ok)" in output
    # An HTTP/1.0 request gets the server's version (RFC 9110 6.2).
    assert "HTTP/1.1 200 Echo" in output

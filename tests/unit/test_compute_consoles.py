"""minova_tw.compute.consoles: nova's checks and URLs, tokens stored hashed, their lifetime."""

import hashlib
from urllib import parse

import pytest
import sqlalchemy as sa

from minova_tw.compute import consoles, exception
from minova_tw.db import engine as db_engine


@pytest.fixture
def server(compute, ctx, clock):
    """An ACTIVE server of ``ctx``."""
    uuid = compute.servers.create(ctx, "vm", "1")[0].uuid
    clock.advance(2)
    return uuid


def _token(url):
    """The token in a console URL, wherever nova puts it."""
    query = parse.parse_qs(parse.urlparse(url).query)
    if "path" in query:
        query = parse.parse_qs(parse.urlparse(query["path"][0]).query)
    return query["token"][0]


def _stored_hashes(conf):
    with db_engine.get_database(conf).engine.connect() as conn:
        return [row[0] for row in conn.execute(sa.text(
            "SELECT token_hash FROM console_auth_tokens"))]


def test_a_novnc_url_and_its_token(compute, conf, ctx, admin_ctx, server,
                                   clock):
    url = compute.consoles.get_console(ctx, server, "vnc", "novnc")["url"]
    assert url.startswith("http://127.0.0.1:6080/vnc_auto.html?path=%3F"
                          "token%3D")
    token = _token(url)
    assert _stored_hashes(conf) == [hashlib.sha256(token.encode())
                                    .hexdigest()]
    found = compute.consoles.lookup(admin_ctx, token)
    assert (found.instance_uuid, found.console_type, found.host,
            found.port) == (server, "novnc", "compute-1", 5900)
    with pytest.raises(exception.PolicyNotAuthorized):
        compute.consoles.lookup(ctx, token)
    clock.advance(599)
    assert compute.consoles.lookup(admin_ctx, token).instance_uuid == server
    clock.advance(1)
    with pytest.raises(exception.ConsoleTokenNotFound):
        compute.consoles.lookup(admin_ctx, token)
    # the next console drops the expired token
    compute.consoles.get_console(ctx, server, "vnc", "novnc")
    assert len(_stored_hashes(conf)) == 1


def test_the_url_follows_the_options(compute, ctx, server, override):
    override("enabled", True, "serial_console")
    override("base_url", "wss://console.example/serial", "serial_console")
    override("novncproxy_base_url", "https://c.example/vnc.html?path=x",
             "vnc")
    url = compute.consoles.get_console(ctx, server, "serial", "serial")["url"]
    assert url == "wss://console.example/serial?token=%s" % _token(url)
    url = compute.consoles.get_console(ctx, server, "vnc", "novnc")["url"]
    assert parse.parse_qs(parse.urlparse(url).query) == {
        "path": ["x?token=%s" % _token(url)]}


#: (protocol, console type, the error at nova's defaults)
REFUSED = [
    ("spice", "spice-html5", exception.ConsoleTypeUnavailable),
    ("serial", "serial", exception.ConsoleTypeUnavailable),
    ("mks", "webmks", exception.ConsoleTypeUnavailable),
    ("vnc", "xvpvnc", exception.ConsoleTypeInvalid),
    ("vnc", "serial", exception.ConsoleTypeInvalid),
]


def test_nova_defaults_refuse(compute, ctx, server):
    for protocol, console_type, error in REFUSED:
        with pytest.raises(error, match=console_type):
            compute.consoles.get_console(ctx, server, protocol, console_type)


def test_no_console_while_building_or_for_others(compute, ctx, other_ctx,
                                                 admin_ctx, server):
    building = compute.servers.create(ctx, "new", "1")[0].uuid
    with pytest.raises(exception.InstanceNotReady):
        compute.consoles.get_console(ctx, building, "vnc", "novnc")
    with pytest.raises(exception.InstanceNotFound):
        compute.consoles.get_console(other_ctx, server, "vnc", "novnc")
    url = compute.consoles.get_console(admin_ctx, server, "vnc",
                                       "novnc")["url"]
    compute.servers.delete(ctx, server)
    with pytest.raises(exception.ConsoleTokenNotFound):
        compute.consoles.lookup(admin_ctx, _token(url))

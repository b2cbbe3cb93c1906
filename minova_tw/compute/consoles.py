"""Remote consoles: a URL with a one-time token per request, and the token's lookup.

A console request checks what nova's compute manager checks (the protocol
is enabled, ``[vnc] enabled`` ...; the console type belongs to it; the
server is not building) and stores a token for the server: its SHA-256
only, with the console's endpoint and ``[consoleauth] token_ttl`` seconds
of life. The URL is the protocol's proxy base URL with the token, as nova
writes it; no proxy runs behind it (docs/consoles.md). The endpoint is
fictional too: the server's fake compute host and the port a libvirt host
would give the first console of its kind.

An admin looks a live token up (``lookup``); a token of a deleted server
is as good as gone, as nova deletes a server's tokens with it. Issuing a
token drops the expired ones, so the table holds live tokens only.

Deviation: nova refuses a console while a server migrates with 400 on the
2.6+ route and 409 on the older actions; minova answers 409 on both.
"""

import datetime
import hashlib
import uuid
from urllib import parse

import sqlalchemy as sa

from minova_tw.compute import base, exception, servers, states
from minova_tw.db import models

T = models.ConsoleAuthToken

#: protocol -> (config group, {console type: option of its proxy base URL});
#: a type not listed is ConsoleTypeInvalid, except for serial, whose type
#: nova's compute manager does not check.
PROTOCOLS = {
    "vnc": ("vnc", {"novnc": "novncproxy_base_url"}),
    "spice": ("spice", {"spice-html5": "html5proxy_base_url",
                        "spice-direct": "spice_direct_proxy_base_url"}),
    "serial": ("serial_console", {"serial": "base_url"}),
    "mks": ("mks", {"webmks": "mksproxy_base_url"}),
}
#: The endpoint each protocol's console has: (port, tls_port).
ENDPOINTS = {"vnc": (5900, None), "spice": (5900, 5901),
             "serial": (10000, None), "mks": (5900, None)}


def token_hash(token):
    """What is stored of a token (nova's: the hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def access_url(base_url, console_type, token):
    """nova's console URL: noVNC reads the token from the ``path`` query
    parameter (kept from the base URL, with ``?token=`` appended), every
    other console from a ``token`` parameter."""
    if console_type != "novnc":
        return "%s?token=%s" % (base_url, token)
    parts = parse.urlparse(base_url)
    query = parse.parse_qs(parts.query)
    query["path"] = "%s?token=%s" % (query.get("path", [""])[0], token)
    return parts._replace(query=parse.urlencode(query, doseq=True)).geturl()


class ConsoleAPI(base.Service):

    def _base_url(self, protocol, console_type):
        group_name, types = PROTOCOLS[protocol]
        group = self.conf[group_name]
        if not group.enabled:
            raise exception.ConsoleTypeUnavailable(console_type=console_type)
        if protocol == "serial":
            return group.base_url
        if console_type not in types:
            raise exception.ConsoleTypeInvalid(console_type=console_type)
        return group[types[console_type]]

    @base.writer
    def get_console(self, session, now, context, server_id, protocol,
                    console_type):
        """``{"url": ...}`` of a new ``protocol`` console of the server.

        In nova's order: InstanceNotFound (404), InstanceInvalidState
        (409) while it migrates, ConsoleTypeUnavailable (400) when the
        protocol is disabled, ConsoleTypeInvalid (400) for a type it does
        not have, InstanceNotReady (409) while the server builds.
        """
        instance = servers.get_instance(session, now, context, server_id,
                                        rule="os_compute_api:os-remote-consoles")
        if instance.task_state == states.MIGRATING:
            raise exception.InstanceInvalidState(
                action="get_%s_console" % protocol,
                instance_uuid=instance.uuid, attr="task_state",
                state=instance.task_state)
        base_url = self._base_url(protocol, console_type)
        if instance.vm_state == states.BUILDING:
            raise exception.InstanceNotReady(instance_id=instance.uuid)
        session.execute(sa.delete(T).where(T.expires_at <= now))
        token = str(uuid.uuid4())
        port, tls_port = ENDPOINTS[protocol]
        session.add(T(
            token_hash=token_hash(token), console_type=console_type,
            host=instance.host, port=port, tls_port=tls_port,
            internal_access_path=None, instance_uuid=instance.uuid,
            created_at=now, expires_at=now + datetime.timedelta(
                seconds=self.conf.consoleauth.token_ttl)))
        return {"url": access_url(base_url, console_type, token)}

    @base.reader
    def lookup(self, session, now, context, token):
        """The live token's row (console_type, host, port, tls_port,
        internal_access_path, instance_uuid); admin only;
        ConsoleTokenNotFound when it is unknown, expired or its server is
        gone."""
        base.require_admin(context, "os_compute_api:os-console-auth-tokens")
        found = session.scalars(
            sa.select(T).join(models.Instance,
                              models.Instance.uuid == T.instance_uuid)
            .where(T.token_hash == token_hash(token), T.expires_at > now,
                   models.Instance.deleted == 0)).first()
        if found is None:
            raise exception.ConsoleTokenNotFound()
        return found

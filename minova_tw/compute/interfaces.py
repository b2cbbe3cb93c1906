"""Interfaces (os-interface): a server's ports on the one network, attached and detached.

A port is a row of ``fixed_ips`` (``network``): its uuid, address, MAC and
tag. Attaching takes a port uuid the client names (any uuid is a port, as
any uuid is an image) or the network's uuid, optionally with the address
wanted, and gives the port a new address and MAC; a port is on one server
at a time (checked under the address pool's lock, and held by the
database's unique port id). Detaching releases the address. Both are
refused (409) while the server is locked or in a state nova refuses them
in, and record nova's instance action.
"""

import sqlalchemy as sa

from minova_tw.compute import (base, exception, instance_actions, lifecycle,
                               network, servers)
from minova_tw.db import locks, models

P = models.FixedIP
#: nova's policy rules of interface attachments.
RULE = "os_compute_api:os-attach-interfaces:%s"


def _port(instance, port_id):
    for port in instance.fixed_ips:
        if port.port_id == port_id:
            return port
    return None


class InterfaceAPI(base.Service):

    @base.reader
    def list(self, session, now, context, server_id):
        return list(servers.get_instance(session, now, context, server_id,
                                         rule=RULE % "list").fixed_ips)

    @base.reader
    def get(self, session, now, context, server_id, port_id):
        instance = servers.get_instance(session, now, context, server_id,
                                        rule=RULE % "show")
        port = _port(instance, port_id)
        if port is None:
            raise exception.PortNotOnInstance(instance=server_id,
                                              port=port_id)
        return port

    @base.writer
    def attach(self, session, now, context, server_id, network_id=None,
               port_id=None, fixed_ip=None, tag=None):
        """Attach a new port (``port_id``, else a fresh uuid) on the
        network, at ``fixed_ip`` or the lowest free address; return it."""
        instance = servers.checked_instance(session, now, context, server_id,
                                            lifecycle.ATTACH_INTERFACE,
                                            RULE % "create")
        if network_id is not None and network_id != network.network_id(
                self.conf):
            raise exception.NetworkNotFound(network_id=network_id)
        # The pool's lock first, so that the check sees every port
        # attached before it.
        locks.hold(session, locks.FIXED_IPS)
        if port_id is not None and session.scalar(
                sa.select(P.id).where(P.port_id == port_id)) is not None:
            raise exception.PortInUse(port_id=port_id)
        [port] = network.allocate(session, self.conf, instance, now, 1,
                                  [fixed_ip] if fixed_ip else [])
        port.port_id = port_id or port.port_id
        port.tag = tag
        instance_actions.record(session, now, context, instance,
                                "attach_interface")
        session.flush()
        return port

    @base.writer
    def detach(self, session, now, context, server_id, port_id):
        instance = servers.checked_instance(session, now, context, server_id,
                                            lifecycle.DETACH_INTERFACE,
                                            RULE % "delete")
        port = _port(instance, port_id)
        if port is None:
            raise exception.PortNotFound(port_id=port_id)
        instance.fixed_ips.remove(port)
        session.delete(port)
        instance_actions.record(session, now, context, instance,
                                "detach_interface")

    @base.reader
    def find_port(self, session, now, port_id):
        """The attached port ``port_id`` of a live server, with its
        server's uuid and project, or None (what the network stand-in
        shows)."""
        return session.execute(
            sa.select(P.port_id, P.address, P.mac_address,
                      models.Instance.uuid, models.Instance.project_id)
            .join(models.Instance)
            .where(P.port_id == port_id)).first()

"""Fixed IPs: allocation from ``[minova] fixed_range``, release, the network a server sees.

minova has no neutron: each server port is one row of ``fixed_ips`` with a
unique address, MAC and port uuid in the one network ``[minova]
network_label``, whose uuid (and its one subnet's) ``network_id`` and
``subnet_id`` derive from that label, so every process agrees. The
first host of the range is the gateway; it, the network and the broadcast
address are never allocated. Allocation holds the pool's lock row
(``db.locks``) until the transaction ends, so two processes or hosts never
pick the same free address.
"""

import ipaddress
import random
import uuid

import sqlalchemy as sa

from minova_tw.compute import exception
from minova_tw.db import locks, models

MAC_PREFIX = "fa:16:3e"


def network_id(conf):
    """The uuid of the one network."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          "minova:network:" + conf.minova.network_label))


def subnet_id(conf):
    """The uuid of the one network's one subnet."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL,
                          "minova:subnet:" + conf.minova.network_label))


def fixed_network(conf):
    return ipaddress.ip_network(conf.minova.fixed_range)


def gateway(conf):
    return next(fixed_network(conf).hosts())


def _usable(conf):
    hosts = fixed_network(conf).hosts()
    next(hosts)  # the gateway
    return hosts


def _random_mac(macs):
    while True:
        mac = "%s:%02x:%02x:%02x" % (MAC_PREFIX, *random.randbytes(3))
        if mac not in macs:
            return mac


def allocate(session, conf, instance, now, count, requested=()):
    """Give ``instance`` ``count`` fixed IPs: the ``requested`` addresses
    first, then the lowest free ones; return the new ports."""
    locks.hold(session, locks.FIXED_IPS)
    net = fixed_network(conf)
    reserved = {net.network_address, net.broadcast_address, gateway(conf)}
    taken = dict(session.execute(sa.select(
        models.FixedIP.address, models.FixedIP.mac_address)).all())
    macs = set(taken.values())
    addresses = []
    for address in requested:
        try:
            wanted = ipaddress.ip_address(address)
        except ValueError:
            raise exception.FixedIpInvalid(address=address) from None
        if wanted not in net or wanted in reserved:
            raise exception.FixedIpInvalid(address=address)
        if str(wanted) in taken:
            owner = session.scalar(
                sa.select(models.Instance.uuid).join(models.FixedIP)
                .where(models.FixedIP.address == str(wanted)))
            raise exception.FixedIpAlreadyInUse(address=address,
                                                instance_uuid=owner)
        addresses.append(str(wanted))
        taken[str(wanted)] = None
    free = (str(a) for a in _usable(conf) if str(a) not in taken)
    while len(addresses) < count:
        address = next(free, None)
        if address is None:
            raise exception.NoMoreFixedIps(net=conf.minova.network_label)
        addresses.append(address)
    ports = []
    for address in addresses:
        mac = _random_mac(macs)
        macs.add(mac)
        ports.append(models.FixedIP(
            address=address, mac_address=mac, port_id=models.new_uuid(),
            network=conf.minova.network_label, created_at=now))
    instance.fixed_ips.extend(ports)
    return ports


def release(session, instance):
    """Free every address of ``instance``."""
    for fixed_ip in list(instance.fixed_ips):
        instance.fixed_ips.remove(fixed_ip)
        session.delete(fixed_ip)


def network_info(conf, instance):
    """[{network, address, mac_address, version, netmask, gateway}] per port."""
    net = fixed_network(conf)
    return [{"network": ip.network, "address": ip.address,
             "mac_address": ip.mac_address, "version": net.version,
             "netmask": str(net.netmask), "gateway": str(gateway(conf))}
            for ip in instance.fixed_ips]

"""The fake compute hosts: their names, how loaded they are, which one a server takes.

minova has no hypervisors. ``[minova] fake_hosts`` says how many compute
hosts it pretends to have; they are named ``compute-1`` .. ``compute-N``
(``names``), and ``compute-1`` doubles as the controller that runs the
control services (``controller``). A server's host is stored in
``instances.host`` when it is created; a host's load is the number of
live servers on it (``server_counts``). ``pick`` is the one placement
rule: the least-loaded of the allowed hosts, the lowest-numbered on a tie,
so the same state always gives the same host. os-services,
os-hypervisors and migrations read the same list.
"""

import sqlalchemy as sa

from minova_tw.db import models, transitions

I = models.Instance


def names(conf):
    """The compute hosts, in order: compute-1 .. compute-N."""
    return ["compute-%d" % number
            for number in range(1, conf.minova.fake_hosts + 1)]


def controller(conf):
    """The host that runs the control services (conductor, scheduler)."""
    return names(conf)[0]


def exists(conf, host):
    return host in names(conf)


def server_counts(session, conf):
    """{host: how many live servers it has}, every host present (a server
    being offloaded, ``transitions.LEAVING_HOST``, has left it)."""
    counts = dict.fromkeys(names(conf), 0)
    rows = session.execute(
        sa.select(I.host, sa.func.count(I.id))
        .where(I.deleted == 0, I.host.is_not(None),
               sa.not_(transitions.LEAVING_HOST)).group_by(I.host))
    for host, count in rows:
        if host in counts:
            counts[host] = count
    return counts


def pick(allowed, counts, preference=None):
    """The host of ``allowed`` (in host order) that ``preference(host)``
    (smaller first; none by default) and then ``counts`` rank first, or
    None when nothing is allowed."""
    ranked = sorted(
        enumerate(allowed),
        key=lambda item: (preference(item[1]) if preference else 0,
                          counts.get(item[1], 0), item[0]))
    return ranked[0][1] if ranked else None

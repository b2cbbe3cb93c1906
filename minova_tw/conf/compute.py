"""[minova] options: the simulated compute hosts behind the API (minova additions).

nova has a hypervisor and neutron; minova has neither, so how long a server
takes to build or to finish an action, and which addresses it gets, are set
here. None of these options exists in nova, except the ``[DEFAULT]`` ones
of ``default_opts``: nova's names and defaults for when shelved servers
leave their host and deleted servers are reclaimed.
"""

from oslo_config import cfg

minova_group = cfg.OptGroup("minova", title="minova compute options",
                            help="The simulated compute hosts (minova "
                            "additions; nova has no such group).")

compute_opts = [
    cfg.StrOpt(
        "fixed_range",
        default="10.0.0.0/24",
        help="minova addition: IPv4 network fixed IPs are allocated from. "
        "The network address, the first host (the gateway) and the "
        "broadcast address are never handed out.",
    ),
    cfg.StrOpt(
        "network_label",
        default="private",
        help="minova addition: name of the network fixed IPs belong to, the "
        "key of a server's addresses.",
    ),
    cfg.FloatOpt(
        "build_time",
        default=2.0,
        min=0,
        help="minova addition: seconds a new server spends in BUILD before "
        "it becomes ACTIVE.",
    ),
    cfg.FloatOpt(
        "action_time",
        default=1.0,
        min=0,
        help="minova addition: seconds a server action (reboot, stop, "
        "resize ...) keeps its task state before it completes.",
    ),
    cfg.IntOpt(
        "max_servers_per_request",
        default=100,
        min=1,
        help="minova addition: the most servers one create request may "
        "make. A larger min_count is refused (400); a larger max_count "
        "makes this many, as a quota that allows fewer than max_count "
        "does. It bounds one request's transaction (and the write lock it "
        "holds) when the instances quota is unlimited (-1).",
    ),
    cfg.IntOpt(
        "fake_hosts",
        default=2,
        min=1,
        help="minova addition: how many simulated compute hosts servers "
        "are placed on, named compute-1 .. compute-N. A count rather than a "
        "list of names, so that every API host that shares the database "
        "agrees on the names without coordination, raising the count keeps "
        "the existing hosts (and their servers), and the names are "
        "predictable for scripts and tests. A new server goes to the host "
        "with the fewest servers (ties: the lowest number) that its server "
        "group's policy allows; compute-1 also runs the control services "
        "(conductor, scheduler).",
    ),
]


default_opts = [
    cfg.IntOpt(
        "shelved_offload_time",
        default=0,
        help="Seconds a shelved server keeps its host before it is "
        "offloaded (SHELVED_OFFLOADED, no host). 0 offloads it as soon as "
        "the shelve ends; a negative value never offloads it (only "
        "shelveOffload does).",
    ),
    cfg.IntOpt(
        "reclaim_instance_interval",
        default=0,
        help="Seconds a deleted server is kept as SOFT_DELETED, during "
        "which its owner may restore it (or forceDelete it at once); it is "
        "deleted for real when they have passed. 0 (or less) deletes at "
        "once. A soft-deleted server takes no quota, as in nova; a restore "
        "needs room for it again.",
    ),
]


def list_opts():
    return {minova_group: compute_opts, "DEFAULT": default_opts}

"""nova's compute API policy rules, with nova's names and defaults.

Every rule nova registers is here, served by minova or not yet, so that
code calling a rule by nova's name finds it and an operator's policy.yaml
written for nova loads unchanged. One module per area:

* ``base``: the personas (admin, project reader/member/manager, service)
* ``servers``: servers and what hangs off one (metadata, tags, ips, ...)
* ``server_actions``: ``POST /servers/{id}/action`` beyond servers' own
* ``flavors``: flavors, their access lists and extra specs
* ``project``: a project's own resources (keypairs, limits, quotas, ...)
* ``fleet``: the operator's view of hosts (services, hypervisors, ...)
* ``proxies``: nova's proxies to neutron, cinder and ironic

``list_rules`` is the ``oslo.policy.policies`` entry point ``minova``,
which oslopolicy-sample-generator reads.
"""

import itertools

from minova_tw.policies import (base, fleet, flavors, project, proxies,
                                server_actions, servers)


def list_rules():
    return list(itertools.chain(
        base.rules, servers.rules, server_actions.rules, flavors.rules,
        project.rules, fleet.rules, proxies.rules))

"""Authorization: nova's rules (minova_tw.policies) judged by oslo.policy.

One oslo.policy ``Enforcer`` per configuration (``enforcer(conf)``): it
reads ``[oslo_policy] policy_file`` (``policy.yaml``, looked up next to the
config files) and ``policy_dirs``, and reloads them when they change, as
nova's does. A request context carries the enforcer of the process's
configuration (the auth middleware gives it one); ``authorize`` is what
``RequestContext.can`` calls. A context built outside a request (tests,
minova-manage) is judged by nova's defaults alone.

``get_enforcer`` is the ``oslo.policy.enforcer`` entry point ``minova``,
for oslopolicy-policy-generator and oslopolicy-list-redundant: it reads
minova's configuration from the files those tools were given with
``--config-file``. Plain Python: no Twisted.
"""

import logging
import threading

from oslo_config import cfg
from oslo_policy import policy

from minova_tw import conf as minova_conf
from minova_tw import policies
from minova_tw.compute import exception

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
#: id(conf) -> (conf, Enforcer); the conf is kept so that its id stays its own.
_enforcers = {}
_defaults = []


def _make(conf, use_conf=True):
    rules = policies.list_rules()
    made = policy.Enforcer(
        conf, use_conf=use_conf,
        rules=None if use_conf else {r.name: r.check for r in rules})
    # nova's defaults changed in bulk in Wallaby; saying so for each rule
    # an operator has not touched would only fill the log.
    made.suppress_default_change_warnings = True
    made.register_defaults(rules)
    made.load_rules()
    return made


def enforcer(conf):
    """The Enforcer of ``conf`` (made on first use, then shared)."""
    entry = _enforcers.get(id(conf))
    if entry is None:
        with _lock:
            entry = _enforcers.get(id(conf))
            if entry is None:
                entry = _enforcers[id(conf)] = (conf, _make(conf))
    return entry[1]


def defaults():
    """An Enforcer of nova's defaults, with no policy file."""
    if not _defaults:
        with _lock:
            if not _defaults:
                _defaults.append(_make(cfg.ConfigOpts(), use_conf=False))
    return _defaults[0]


def default_target(context):
    """What a rule is checked against when the caller names no resource:
    the caller's own project and user, as nova does."""
    return {"project_id": context.project_id, "user_id": context.user_id}


def authorize(context, action, target=None, fatal=True):
    """Whether ``context`` may do ``action`` to ``target`` (a dict with the
    resource's ``project_id`` and ``user_id``).

    When it may not: raises PolicyNotAuthorized (403, nova's message) if
    ``fatal``, else returns False. A token of the wrong scope (system,
    domain) is refused the same way. The context's ``enforcer`` judges,
    nova's defaults if it has none.
    """
    rules = getattr(context, "enforcer", None) or defaults()
    if target is None:
        target = default_target(context)
    try:
        return rules.authorize(action, target, context, do_raise=fatal,
                               exc=exception.PolicyNotAuthorized,
                               action=action)
    except policy.InvalidScope:
        LOG.debug("%s refused: the token's scope is not the rule's", action)
        if fatal:
            raise exception.PolicyNotAuthorized(action=action) from None
        return False


def get_enforcer():
    """The ``oslo.policy.enforcer`` entry point: the Enforcer of the
    minova configuration in the oslopolicy tool's ``--config-file``s."""
    return enforcer(minova_conf.load(config_files=cfg.CONF.config_file or ()))

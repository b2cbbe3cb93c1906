"""Authorization: nova's rules (minova_tw.policies) judged by oslo.policy.

One oslo.policy ``Enforcer`` per configuration (``enforcer(conf)``): it
reads ``[oslo_policy] policy_file`` (``policy.yaml``, looked up next to the
config files) and ``policy_dirs``, and reloads them when they change, as
nova's does. oslo.policy looks for those files and walks the rule's check
tree on every check (about a millisecond here, more than a whole request
of the mini nova costs); so minova's ``Enforcer`` looks at the files at
most once a ``RECHECK`` seconds and remembers its decisions (by rule,
caller's credentials and target) until then: a changed policy.yaml
counts within that second.

A request context carries the enforcer of the process's configuration
(the auth middleware gives it one); ``authorize`` is what
``RequestContext.can`` calls. A context built outside a request (tests,
minova-manage) is judged by nova's defaults alone.

``get_enforcer`` is the ``oslo.policy.enforcer`` entry point ``minova``,
for oslopolicy-policy-generator and oslopolicy-list-redundant: it reads
minova's configuration from the files those tools were given with
``--config-file``. Plain Python: no Twisted.
"""

import threading
import time

from oslo_config import cfg
from oslo_policy import policy

from minova_tw import conf as minova_conf
from minova_tw import policies
from minova_tw.compute import exception

#: Seconds between looks at the policy files; decisions last as long.
RECHECK = 1.0
#: Decisions kept at most (an enforcer with no files never rechecks).
MAX_DECISIONS = 10000

_lock = threading.Lock()
#: id(conf) -> (conf, Enforcer); the conf is kept so that its id stays its own.
_enforcers = {}
_defaults = []


def _credentials(context):
    """What oslo.context's ``to_policy_values`` gives a check, as a key
    (read from the attributes: that Mapping is slow to walk)."""
    return (context.user_id, context.user_domain_id, context.system_scope,
            context.domain_id, context.project_id, context.project_domain_id,
            tuple(context.roles), context.is_admin_project,
            context.service_user_id, context.service_user_domain_id,
            context.service_project_id, context.service_project_domain_id,
            tuple(context.service_roles))


class Enforcer(policy.Enforcer):
    """oslo.policy's Enforcer, looking at the policy files at most once a
    ``RECHECK`` seconds of ``clock``, and remembering its decisions as
    long."""

    def __init__(self, conf, clock=time.monotonic, **kwargs):
        super().__init__(conf, **kwargs)
        self.clock = clock
        self._recheck_at = None
        self._decisions = {}

    def load_rules(self, force_reload=False):
        now = self.clock()
        if (force_reload or self._recheck_at is None
                or now >= self._recheck_at):
            super().load_rules(force_reload)
            self._recheck_at = now + RECHECK
            self._decisions = {}

    def decide(self, action, target, context):
        """Whether the rule ``action`` allows ``context`` on ``target``
        (False for a token of another scope than the rule's). Raises
        PolicyNotRegistered for a rule nobody registered."""
        self.load_rules()
        key = (action, _credentials(context), tuple(sorted(target.items())))
        decision = self._decisions.get(key)
        if decision is None:
            decision = bool(self.authorize(action, target, context,
                                           do_raise=False))
            if len(self._decisions) >= MAX_DECISIONS:
                self._decisions = {}
            self._decisions[key] = decision
        return decision


def _make(conf, use_conf=True, clock=time.monotonic):
    rules = policies.list_rules()
    made = Enforcer(
        conf, clock=clock, use_conf=use_conf,
        rules=None if use_conf else {r.name: r.check for r in rules})
    # nova's defaults changed in bulk in Wallaby; saying so for each rule
    # an operator has not touched would only fill the log.
    made.suppress_default_change_warnings = True
    made.register_defaults(rules)
    made.load_rules()
    return made


def enforcer(conf, clock=time.monotonic):
    """The Enforcer of ``conf`` (made on first use, then shared);
    ``clock`` says when to look at the policy files again."""
    entry = _enforcers.get(id(conf))
    if entry is None:
        with _lock:
            entry = _enforcers.get(id(conf))
            if entry is None:
                entry = _enforcers[id(conf)] = (conf, _make(conf,
                                                            clock=clock))
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
    judge = getattr(context, "enforcer", None) or defaults()
    if target is None:
        target = default_target(context)
    if judge.decide(action, target, context):
        return True
    if fatal:
        raise exception.PolicyNotAuthorized(action=action)
    return False


def get_enforcer():
    """The ``oslo.policy.enforcer`` entry point: the Enforcer of the
    minova configuration in the oslopolicy tool's ``--config-file``s."""
    return enforcer(minova_conf.load(config_files=cfg.CONF.config_file or ()))

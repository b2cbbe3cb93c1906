"""[vnc], [spice], [serial_console], [mks], [consoleauth]: the remote consoles (nova's names and defaults).

Which console protocols a server offers, the base of the URL a console
request answers with, and how long its token stays valid. minova runs no
console proxy: the URL is built as nova builds it, and nothing answers at
it (docs/consoles.md).
"""

from oslo_config import cfg

_PLACEHOLDER = (" minova runs no proxy there: the URL is handed out as "
                "nova does, with the token, and nothing answers at it.")


def _enabled(kind, default=False, **deprecated):
    """The group's ``enabled`` switch."""
    return cfg.BoolOpt("enabled", default=default, **deprecated,
                       help="Whether servers offer a %s console; when false "
                       "a %s console request answers 400." % (kind, kind))


def _base_url(name, default, what, **kwargs):
    """The public URL of a console proxy, the base of a console's URL."""
    return cfg.URIOpt(name, default=default, **kwargs,
                      help="Public URL of the %s; a console's URL is this "
                      "with the token." % what + _PLACEHOLDER)

vnc_group = cfg.OptGroup("vnc", title="VNC options",
                         help="VNC consoles (noVNC).")
vnc_opts = [
    _enabled("VNC", True, deprecated_group="DEFAULT",
             deprecated_name="vnc_enabled"),
    _base_url("novncproxy_base_url", "http://127.0.0.1:6080/vnc_auto.html",
              "noVNC proxy (the token goes in its 'path' query parameter)",
              deprecated_group="DEFAULT"),
]

spice_group = cfg.OptGroup("spice", title="SPICE options",
                           help="SPICE consoles.")
spice_opts = [
    _enabled("SPICE"),
    _base_url("html5proxy_base_url", "http://127.0.0.1:6082/spice_auto.html",
              "SPICE HTML5 proxy (console type spice-html5)"),
    _base_url("spice_direct_proxy_base_url", "http://127.0.0.1:13002/nova",
              "direct SPICE proxy (console type spice-direct, 2.99)"),
]

serial_group = cfg.OptGroup("serial_console", title="Serial console options",
                            help="Serial consoles over websockets.")
serial_opts = [
    _enabled("serial"),
    _base_url("base_url", "ws://127.0.0.1:6083/", "serial console proxy"),
]

mks_group = cfg.OptGroup("mks", title="MKS options",
                         help="WebMKS consoles (microversion 2.8).")
mks_opts = [
    _enabled("WebMKS"),
    _base_url("mksproxy_base_url", "http://127.0.0.1:6090/", "MKS proxy",
              schemes=["http", "https"]),
]

consoleauth_group = cfg.OptGroup("consoleauth", title="Console tokens",
                                 help="Console authorization tokens.")
consoleauth_opts = [
    cfg.IntOpt("token_ttl", default=600, min=0,
               deprecated_group="DEFAULT",
               deprecated_name="console_token_ttl",
               help="Seconds a console token stays valid: after that "
               "GET /os-console-auth-tokens/{token} answers 404."),
]


def list_opts():
    return {vnc_group: vnc_opts, spice_group: spice_opts,
            serial_group: serial_opts, mks_group: mks_opts,
            consoleauth_group: consoleauth_opts}

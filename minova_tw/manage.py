"""minova-manage: the operator's commands that run without the server.

``db sync`` and ``db version`` (migrations, as nova-manage's), ``flavor
list`` and ``flavor create``, and ``check``. They read the same config
files as twistd (``--config-file`` repeats; ``--config-dir`` too) and go
through the same database and compute code as the API, so what they do is
what the API would do. A failure is one line on stderr and exit status 1.

``check`` runs the checks twistd makes at startup (minova_tw.startup.check:
values, paste file, each API's paste app, TLS files, each listening address
bound and released at once) and prints one line per problem with exit
status 1, or "OK" with 0; what startup would skip with a warning is printed
as a "warning:" line and is no failure, except an option minova does not
know (a misspelling startup only warns about): that fails.
"""

import argparse
import sys

from minova_tw import conf as minova_conf
from minova_tw import context


def _admin():
    """The operator's context: the admin role, judged by nova's defaults
    (minova-manage works on the database, whatever policy.yaml says)."""
    return context.RequestContext(user_id="minova-manage", project_id=None,
                                  roles=["admin"], overwrite=False)


def db_sync(conf, args):
    from minova_tw.db import migration
    print(migration.sync(conf, args.version or "head"))


def db_version(conf, args):
    from minova_tw.db import migration
    print(migration.version(conf) or "None")


def _compute(conf):
    from minova_tw.compute import api
    from minova_tw.db import migration
    migration.ensure_current(conf)
    return api.API(conf)


FLAVOR_COLUMNS = ("ID", "Name", "RAM", "Disk", "Ephemeral", "VCPUs",
                  "Is Public")


def flavor_list(conf, args):
    flavors = _compute(conf).flavors.list(_admin(), is_public=None)
    rows = [FLAVOR_COLUMNS] + [
        (f.flavorid, f.name, f.memory_mb, f.root_gb, f.ephemeral_gb, f.vcpus,
         f.is_public) for f in flavors]
    widths = [max(len(str(row[i])) for row in rows)
              for i in range(len(FLAVOR_COLUMNS))]
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())


def flavor_create(conf, args):
    flavor = _compute(conf).flavors.create(
        _admin(), args.name, memory_mb=args.ram, vcpus=args.vcpus,
        root_gb=args.disk, flavorid=args.id, ephemeral_gb=args.ephemeral,
        swap=args.swap, is_public=not args.private,
        description=args.description)
    print(flavor.flavorid)


def check(conf, args):
    from minova_tw import startup
    problems = []
    startup.check(conf, problems.append,
                  lambda line: print("warning: " + line),
                  unknown=problems.append)
    for line in dict.fromkeys(problems):  # two APIs, one database: once
        print(line)
    if problems:
        raise SystemExit(1)
    print("OK")


def _parser():
    parser = argparse.ArgumentParser(
        prog="minova-manage",
        description="minova's operator commands (see README).")
    parser.add_argument("--config-file", "--config", action="append",
                        default=[], metavar="FILE",
                        help="config file (repeatable; later files win)")
    parser.add_argument("--config-dir", action="append", default=[],
                        metavar="DIR", help="directory of *.conf files")
    groups = parser.add_subparsers(dest="category", required=True)

    db = groups.add_parser("db", help="database schema").add_subparsers(
        dest="action", required=True)
    sync = db.add_parser("sync", help="upgrade the schema (default: head)")
    sync.add_argument("version", nargs="?")
    sync.set_defaults(func=db_sync)
    db.add_parser("version", help="print the schema revision").set_defaults(
        func=db_version)

    flavor = groups.add_parser("flavor", help="flavors").add_subparsers(
        dest="action", required=True)
    flavor.add_parser("list", help="list every flavor").set_defaults(
        func=flavor_list)
    create = flavor.add_parser("create", help="create a flavor")
    create.add_argument("name")
    create.add_argument("--ram", type=int, required=True, help="MiB")
    create.add_argument("--vcpus", type=int, required=True)
    create.add_argument("--disk", type=int, default=0, help="root disk, GiB")
    create.add_argument("--ephemeral", type=int, default=0, help="GiB")
    create.add_argument("--swap", type=int, default=0, help="MiB")
    create.add_argument("--id", default=None, help="flavor id (default: a "
                        "UUID)")
    create.add_argument("--private", action="store_true",
                        help="not public")
    create.add_argument("--description")
    create.set_defaults(func=flavor_create)

    groups.add_parser(
        "check", help="check the config and paste file as startup does "
        "(apps load, ports free, TLS files valid)").set_defaults(func=check)
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        conf = minova_conf.load(args.config_file, args.config_dir)
        args.func(conf, args)
    except minova_conf.ConfigError as exc:
        sys.exit("minova-manage: %s" % exc)
    except Exception as exc:
        message = getattr(exc, "format_message", lambda: str(exc))()
        sys.exit("minova-manage: %s" % " ".join(message.split()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

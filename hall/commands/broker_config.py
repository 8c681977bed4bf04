"""`hall broker-config`: Mosquitto's configuration, ACL and passwords for the accounts of a roster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from content.shared.catalog import N_, domain
from hall.options import UsageError, whole_number

_ = domain("hall").gettext

HELP = N_("generate Mosquitto configuration from a roster")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--roster", required=True, metavar="FILE", help=_("the roster: the hall's broker accounts"))
    parser.add_argument("--out", required=True, metavar="DIR", help=_("the directory the files are written to"))
    parser.add_argument("--port", type=whole_number, default=1883, metavar="PORT", help=_("MQTT port (default 1883)"))
    parser.add_argument(
        "--bind", default="127.0.0.1", metavar="ADDR", help=_("listen address (the hall LAN address in production)")
    )
    parser.add_argument("--tls-port", type=whole_number, metavar="PORT", help=_("also listen with TLS on this port"))
    parser.add_argument(
        "--websockets-port", type=whole_number, metavar="PORT", help=_("also listen for WebSockets on this port")
    )
    parser.add_argument(
        "--user", metavar="NAME", help=_("user Mosquitto runs as when started as root (default: mosquitto)")
    )
    parser.add_argument(
        "--clientid-plugin",
        metavar="PATH",
        help=_("hall_clientid.so (default: $HALL_CLIENTID_PLUGIN, /usr/local/lib/mosquitto/, this checkout's build)"),
    )
    parser.add_argument(
        "--no-clientid-plugin",
        action="store_true",
        help=_("do without it: any account can take over another's connection"),
    )


def run(args: argparse.Namespace) -> int:
    import yaml

    from content.broker.config import (
        CLIENTID_PLUGIN,
        Listeners,
        Roster,
        build_plugin,
        find_clientid_plugin,
        write_broker_dir,
    )
    from content.shared.files import PRIVATE, write_file
    from content.shared.yamlfile import load_yaml, validate_model

    if args.no_clientid_plugin:
        plugin = None
    else:
        plugin = Path(args.clientid_plugin) if args.clientid_plugin else find_clientid_plugin()
        if plugin is None or not plugin.is_file():
            if plugin is None:
                why = _(
                    "no {plugin}, which binds client ids to accounts: {build}; or pass --clientid-plugin PATH "
                    "(--no-clientid-plugin lets any account take over another's connection)"
                )
            else:
                why = _(
                    "no {plugin} at {path}, which binds client ids to accounts: {build}; or pass --clientid-plugin "
                    "PATH (--no-clientid-plugin lets any account take over another's connection)"
                )
            raise UsageError(why.format(plugin=CLIENTID_PLUGIN, path=plugin, build=build_plugin()))
    data, located, problems = load_yaml(Path(args.roster))
    roster = None
    if not problems:
        roster, problems = validate_model(Roster, data, located)
    for problem in problems:
        print(problem, file=sys.stderr)
    if roster is None:
        return 1
    out = Path(args.out)
    listeners = Listeners(args.port, args.bind, args.tls_port, args.websockets_port)
    passwords = write_broker_dir(out, roster, listeners, run_as=args.user, plugin=plugin)
    accounts = out / "accounts.yaml"
    host = "127.0.0.1" if args.bind in ("0.0.0.0", "::") else args.bind
    urls = {user: f"mqtt://{user}:{password}@{host}:{args.port}" for user, password in passwords.items()}
    write_file(accounts, yaml.safe_dump(urls, allow_unicode=True, sort_keys=False).encode(), mode=PRIVATE)
    words = domain("hall")
    count = len(passwords)
    print(
        words.ngettext(
            "wrote {out}/mosquitto.conf, acl, passwd ({count} account)",
            "wrote {out}/mosquitto.conf, acl, passwd ({count} accounts)",
            count,
        ).format(out=out, count=count)
    )
    print(_("broker URLs with passwords: {file} (readable by you only)").format(file=accounts))
    if args.tls_port:
        print(
            _(
                "TLS listener on {port}: put ca.crt, server.crt, server.key in {out}/certs "
                "(broker_config/make-certs.sh makes them)"
            ).format(port=args.tls_port, out=out)
        )
    if plugin is None:
        print(
            _("WARNING: without {plugin} any account can take over another's connection").format(
                plugin=CLIENTID_PLUGIN
            ),
            file=sys.stderr,
        )
    print(_("run: mosquitto -c {out}/mosquitto.conf").format(out=out))
    return 0

"""`hall broker-config`: Mosquitto's configuration, ACL and passwords for the accounts of a roster."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hall.options import UsageError

HELP = "generate Mosquitto configuration from a roster"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--roster", required=True, metavar="FILE")
    parser.add_argument("--out", required=True, metavar="DIR")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--bind", default="127.0.0.1", help="listen address (the hall LAN address in production)")
    parser.add_argument("--tls-port", type=int)
    parser.add_argument("--websockets-port", type=int)
    parser.add_argument("--user", help="user Mosquitto runs as when started as root (default: mosquitto)")
    parser.add_argument(
        "--clientid-plugin",
        metavar="PATH",
        help="hall_clientid.so (default: $HALL_CLIENTID_PLUGIN, /usr/local/lib/mosquitto/, this checkout's build)",
    )
    parser.add_argument(
        "--no-clientid-plugin",
        action="store_true",
        help="do without it: any account can take over another's connection",
    )


def run(args: argparse.Namespace) -> int:
    import yaml

    from content.broker.config import (
        BUILD_PLUGIN,
        CLIENTID_PLUGIN,
        Listeners,
        Roster,
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
            where = f" at {plugin}" if plugin else ""
            raise UsageError(
                f"no {CLIENTID_PLUGIN}{where}, which binds client ids to accounts: {BUILD_PLUGIN}; "
                "or pass --clientid-plugin PATH (--no-clientid-plugin lets any account take over another's connection)"
            )
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
    print(f"wrote {out}/mosquitto.conf, acl, passwd ({len(passwords)} accounts)")
    print(f"broker URLs with passwords: {accounts} (readable by you only)")
    if args.tls_port:
        print(
            f"TLS listener on {args.tls_port}: put ca.crt, server.crt, server.key in {out}/certs "
            "(broker_config/make-certs.sh makes them)"
        )
    if plugin is None:
        print(f"WARNING: without {CLIENTID_PLUGIN} any account can take over another's connection", file=sys.stderr)
    print(f"run: mosquitto -c {out}/mosquitto.conf")
    return 0

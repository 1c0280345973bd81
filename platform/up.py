"""`make up`: start every Tessera process on this machine and print the dashboard's URL.

    python platform/up.py [--base-port 8000] [--var ./var] [--no-traffic] [--rate 5]
                          [--stream kafka://HOST:PORT] [--olap http://HOST:8123]
                          [--registry-db postgresql://…] [--dashboard-db postgresql://…]

Without backend options everything is embedded under --var (local log, chDB, SQLite).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from backends import Backends, add_options
from default_layout import seed as seed_default_layout
from services import ROOT, Ports, provision_tokens, services, url
from supervisor import StartFailed, Supervisor


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make up", description=__doc__.splitlines()[0],
                                     epilog="make passes options as ARGS: make up ARGS='--stream kafka://127.0.0.1:9092'")
    parser.add_argument("--base-port", type=int, default=8000, help="dashboard port; the others follow (default 8000)")
    parser.add_argument("--var", type=Path, default=ROOT / "var", help="where all state lives (default ./var)")
    parser.add_argument("--no-traffic", action="store_true", help="do not generate synthetic demo traffic")
    parser.add_argument("--rate", type=float, default=5.0, help="synthetic page views per second (default 5)")
    add_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    ports = Ports(args.base_port)
    args.var.mkdir(parents=True, exist_ok=True)
    backends = Backends.of(args)
    supervisor = Supervisor(services(ports, args.var, 0.0 if args.no_traffic else args.rate, backends))

    taken = supervisor.taken_ports()
    if taken:
        for service in taken:
            print(f"error: port {service.port} ({service.name}) is already in use on 127.0.0.1.\n"
                  f"       See who holds it: ss -ltnp 'sport = :{service.port}'  — or start on other ports: "
                  f"make up ARGS='--base-port 9000'", file=sys.stderr)
        return 1
    unreachable = backends.unreachable()
    if unreachable:
        for problem in unreachable:
            print(f"error: {problem}; start that server first, or leave the option out to run embedded", file=sys.stderr)
        return 1

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        supervisor.stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        supervisor.say(backends.describe())
        provision_tokens(args.var, backends)  # the built-in sidecars' team tokens, under var/tokens/
        supervisor.start_all()
        if not supervisor.stopping.is_set():
            try:  # first run: the "Web analytics" layout
                layout_id, created = seed_default_layout(url(ports.dashboard), args.var)
                supervisor.say(f"{'seeded' if created else 'default'} layout: {url(ports.dashboard, f'/l/{layout_id}')}")
            except (RuntimeError, OSError, ValueError) as failure:
                supervisor.say(f"the default layout could not be seeded: {failure}")
            supervisor.say(f"Tessera is up: open {url(ports.dashboard, '/')}  (demo site {url(ports.demo, '/')}; Ctrl-C stops everything)")
            code = 0 if supervisor.watch() else 1
    except StartFailed as failure:
        supervisor.say(f"start failed: {failure}")
        code = 1
    finally:
        supervisor.say("stopping…")
        supervisor.stop_all()
        supervisor.say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())

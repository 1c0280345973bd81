"""Command line: ``serve`` (default) and ``tokens create --team X | ensure --team X --file F | list | revoke ID``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from registry.settings import RegistrySettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m registry", description="Tessera's widget registry.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the HTTP service (default)")
    for p in (parser, serve):
        p.add_argument("--host", default=argparse.SUPPRESS, help="bind address (default: TESSERA_REGISTRY_HOST or 127.0.0.1)")
        p.add_argument("--port", type=int, default=argparse.SUPPRESS, help="port (default: TESSERA_REGISTRY_PORT or 8001)")
    tokens = sub.add_parser("tokens", help="manage team tokens")
    actions = tokens.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="issue a token for a team (printed once)")
    create.add_argument("--team", required=True)
    ensure = actions.add_parser("ensure", help="make FILE hold an active token of the team (issue one if needed)")
    ensure.add_argument("--team", required=True)
    ensure.add_argument("--file", required=True, type=Path, help="where the token is kept (mode 0600)")
    actions.add_parser("list", help="list tokens (never their secrets)")
    revoke = actions.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("token_id")
    return parser


def serve(settings: RegistrySettings) -> int:
    from gatekeeper import server
    from gatekeeper.limits import EdgeLimits
    from registry.entrypoints.app import create_app

    server.run(
        create_app(settings),
        EdgeLimits.of("registry"),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,  # ~333 heartbeats/s would flood the log
        proxy_headers=False,  # the client address is never used
        server_header=False,
    )
    return 0


def tokens(settings: RegistrySettings, args: argparse.Namespace) -> int:
    from registry.bootstrap import open_stores, utc_now
    from registry.service_layer.tokens import create_token, ensure_token

    _widgets, store, engine = open_stores(settings)
    try:
        if args.action == "create":
            try:
                token, secret = create_token(store, args.team, utc_now())
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"id:     {token.id}\nteam:   {token.team}\ntoken:  {secret}")
            print("Keep the token now: only its hash is stored.", file=sys.stderr)
        elif args.action == "ensure":
            try:
                issued = ensure_token(store, args.team, args.file, utc_now())
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            print(f"{'issued a new' if issued else 'kept the'} token of team {args.team} in {args.file}")
        elif args.action == "list":
            print(f"{'id':<14}{'team':<24}{'created':<27}revoked")
            for t in store.all():
                revoked = t.revoked_at.isoformat(timespec="seconds") if t.revoked_at else "-"
                print(f"{t.id:<14}{t.team:<24}{t.created_at.isoformat(timespec='seconds'):<27}{revoked}")
        elif args.action == "revoke":
            if not store.revoke(args.token_id, utc_now()):
                print(f"error: no active token {args.token_id!r}", file=sys.stderr)
                return 1
            print(f"revoked {args.token_id}")
    finally:
        if engine is not None:
            engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    overrides = {k: v for k in ("host", "port") if (v := getattr(args, k, None)) is not None}
    settings = RegistrySettings(**overrides)
    if args.command == "tokens":
        return tokens(settings, args)
    return serve(settings)

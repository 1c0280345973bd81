"""Command line: ``python -m sidecar [run flags]`` and ``python -m sidecar scaffold <name>``.

Exit codes: 0 clean stop, 1 unexpected error, 2 bad config or manifest, 3 widget host
never healthy within --startup-timeout, 4 rejected by the registry (4xx).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from sidecar.lifecycle import HostNeverHealthy
from sidecar.manifest import ManifestError
from sidecar.ports import RegistryRejected
from sidecar.scaffold import ScaffoldError, scaffold
from sidecar.settings import SidecarSettings

EXIT_OK, EXIT_ERROR, EXIT_CONFIG, EXIT_HOST, EXIT_REJECTED = 0, 1, 2, 3, 4

FLAGS = {
    "--manifest": ("manifest", str, "path to the widget's manifest.json"),
    "--widget-url": ("widget_url", str, "base URL where the widget host serves the widget's folder"),
    "--registry-url": ("registry_url", str, "registry base URL (default http://127.0.0.1:8001)"),
    "--origin": ("origin", str, "X-Tessera-Origin to send (default: origin of --widget-url)"),
    "--token": ("token", str, "team token, sent as Authorization: Bearer"),
    "--token-file": ("token_file", str, "file whose first line is the team token (make up passes one)"),
    "--interval": ("interval", float, "heartbeat interval in seconds (default 3)"),
    "--jitter": ("jitter", float, "heartbeat jitter as a fraction, 0 <= j < 1 (default 0.2)"),
    "--health-interval": ("health_interval", float, "widget host check interval in seconds (default 2)"),
    "--startup-timeout": ("startup_timeout", float, "exit 3 if the host is not healthy by then; 0 waits forever"),
    "--request-timeout": ("request_timeout", float, "HTTP timeout in seconds (default 2)"),
}


def run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sidecar",
        description="Announce a widget to the Tessera registry while its host is healthy.",
        epilog="Also: python -m sidecar scaffold <name>. Every flag has a TESSERA_SIDECAR_<NAME> env twin. "
        "Exit codes: 0 stopped, 1 unexpected error, 2 bad config/manifest, 3 host never healthy, 4 rejected by registry.",
    )
    for flag, (dest, kind, help_text) in FLAGS.items():
        parser.add_argument(flag, dest=dest, type=kind, help=help_text)
    return parser


def scaffold_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sidecar scaffold", description="Create a widget folder.")
    parser.add_argument("name", help="widget id, e.g. top-pages")
    parser.add_argument("--dir", default="widgets", type=Path, help="parent folder (default widgets)")
    parser.add_argument("--team", default=None, help="owning team; its first word prefixes the element tag")
    parser.add_argument("--force", action="store_true", help="overwrite an existing folder's files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "scaffold":
        return scaffold_main(args[1:])
    if args and args[0] == "run":
        args = args[1:]
    return run_main(args)


def scaffold_main(args: list[str]) -> int:
    options = scaffold_parser().parse_args(args)
    try:
        folder = scaffold(options.name, options.dir, team=options.team, force=options.force)
    except ScaffoldError as exc:
        print(f"sidecar scaffold: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    team = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["team"]
    print(f"created {folder}/ — get your team's token once, serve the folder and run:")
    print(f"  python -m registry tokens create --team {team}")
    print(f"  python -m http.server 8100 --directory {options.dir}")
    print(f"  TESSERA_SIDECAR_TOKEN=<token> python -m sidecar --manifest {folder / 'manifest.json'} "
          f"--widget-url http://127.0.0.1:8100/{options.name}/")
    return EXIT_OK


def run_main(args: list[str]) -> int:
    from sidecar.runner import load_manifest, run

    options = run_parser().parse_args(args)
    overrides = {k: v for k, v in vars(options).items() if v is not None}
    try:
        settings = SidecarSettings(**overrides)
        manifest = load_manifest(settings)
        settings.team_token()
    except OSError as exc:
        print(f"sidecar: cannot read the token file: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ValidationError as exc:
        print(f"sidecar: bad settings: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ManifestError as exc:
        print(f"sidecar: bad manifest: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        asyncio.run(run(settings, manifest))
    except HostNeverHealthy as exc:
        print(f"sidecar {manifest.id}: exit reason=host-never-healthy detail=\"{exc}\"", file=sys.stderr)
        return EXIT_HOST
    except RegistryRejected as exc:
        print(f"sidecar {manifest.id}: rejected status={exc.status} detail=\"{exc.detail}\"", file=sys.stderr)
        return EXIT_REJECTED
    except KeyboardInterrupt:
        return EXIT_OK
    return EXIT_OK

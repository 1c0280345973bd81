"""What every tracker command shares: ``--host``, ``--port``, ``--log-level`` over its settings."""

from __future__ import annotations

import argparse
import logging

from pydantic_settings import BaseSettings


def parser(prog: str, description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m tracker {prog}", description=description)
    parser.add_argument("--host", help="listen address (default: the settings' host)")
    parser.add_argument("--port", type=int, help="listen port (default: the settings' port)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error", "critical"])
    return parser


def settle(settings: BaseSettings, args: argparse.Namespace, *names: str) -> BaseSettings:
    """``settings`` with the options given on the command line (host, port and ``names``), validated,
    and logging set up at ``--log-level``."""
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    given = {name: getattr(args, name) for name in ("host", "port", *names) if getattr(args, name) is not None}
    return type(settings).model_validate({**settings.model_dump(), **given}) if given else settings

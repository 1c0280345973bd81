"""Which backends `make up` runs on: the embedded defaults, or the scale-out engines by URL.

    --stream       local (default: the on-disk log under --var)
                   kafka://HOST:PORT[,HOST:PORT...][?idempotence=false&partitions=N]
    --olap         chdb:///PATH (default: <var>/olap)  |  http(s)://USER:PASS@HOST:8123 (ClickHouse server)
    --registry-db  sqlite:///PATH (default: <var>/registry.db)  |  postgresql://USER@HOST:5432/DB
    --dashboard-db sqlite:///PATH (default: <var>/dashboard.db) |  postgresql://USER@HOST:5432/DB

Each option becomes the ``TESSERA_…`` variables of the processes that read it; nothing
else changes, so what runs here is what a cluster runs.
"""

from __future__ import annotations

import argparse
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass(frozen=True)
class Kafka:
    servers: str  # host:port[,host:port...]
    idempotence: bool = True
    partitions: int | None = None  # None: the processes' default (4)

    def addresses(self) -> list[tuple[str, int]]:
        return [(host, int(port)) for host, _, port in (s.rpartition(":") for s in self.servers.split(","))]


def stream(value: str) -> Kafka | None:
    """``local`` is None (the on-disk log); ``kafka://…`` a Kafka-protocol cluster."""
    if value == "local":
        return None
    parts = urlsplit(value)
    if parts.scheme != "kafka" or not parts.netloc or parts.path not in ("", "/"):
        raise argparse.ArgumentTypeError(f"expected local or kafka://host:port[,host:port], not {value!r}")
    servers = parts.netloc.split(",")
    for server in servers:
        host, _, port = server.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise argparse.ArgumentTypeError(f"{server!r} is not host:port")
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = set(options) - {"idempotence", "partitions"}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown option {sorted(unknown)[0]!r} (idempotence, partitions)")
    idempotence = options.get("idempotence", "true").lower()
    if idempotence not in TRUE + FALSE:
        raise argparse.ArgumentTypeError("idempotence must be true or false")
    partitions = options.get("partitions")
    if partitions is not None and (not partitions.isdigit() or not 1 <= int(partitions) <= 1024):
        raise argparse.ArgumentTypeError("partitions must be a whole number from 1 to 1024")
    return Kafka(",".join(servers), idempotence in TRUE, int(partitions) if partitions else None)


def database(value: str) -> str:
    """An argparse type: a SQLite or PostgreSQL URL; ``postgresql://`` gets the installed
    driver (psycopg 3) spelled out, since SQLAlchemy would otherwise look for psycopg2."""

    scheme, sep, rest = value.partition("://")
    if not sep or not rest:
        raise argparse.ArgumentTypeError("expected sqlite:///path or postgresql://user@host:port/db")
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme == "sqlite":
        return value
    raise argparse.ArgumentTypeError(f"{scheme}:// is not supported (sqlite or postgresql)")


def olap(value: str) -> str:
    scheme = value.partition("://")[0]
    if scheme == "chdb" and value.startswith("chdb:///") and len(value) > len("chdb:///"):
        return value
    if scheme in ("http", "https") and urlsplit(value).hostname:
        return value
    if scheme == "pinot":
        raise argparse.ArgumentTypeError("Pinot ingests the topic itself and has no writer; run "
                                         "`python -m tracker query` with TESSERA_QUERY_OLAP_BACKEND=pinot")
    raise argparse.ArgumentTypeError(f"expected chdb:///path or http(s)://user:pass@host:8123, not {scheme}://…")


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backends (default: everything embedded under --var)")
    group.add_argument("--stream", type=stream, default=None, metavar="URL",
                       help="local, or kafka://host:port[?idempotence=false&partitions=N] "
                            "(idempotence=false for brokers without idempotent producers, e.g. tansu)")
    group.add_argument("--olap", type=olap, default=None, metavar="DSN",
                       help="chdb:///path (embedded), or a ClickHouse server http(s)://user:pass@host:8123")
    group.add_argument("--registry-db", type=database, default=None, metavar="URL",
                       help="sqlite:///path, or postgresql://user@host:5432/db")
    group.add_argument("--dashboard-db", type=database, default=None, metavar="URL",
                       help="sqlite:///path, or postgresql://user@host:5432/db")


@dataclass(frozen=True)
class Backends:
    """The backends of one run; None everywhere is the embedded default under ``var``."""

    kafka: Kafka | None = None
    olap: str | None = None
    registry_db: str | None = None
    dashboard_db: str | None = None

    @classmethod
    def of(cls, args: argparse.Namespace) -> "Backends":
        return cls(args.stream, args.olap, args.registry_db, args.dashboard_db)

    def stream_env(self, prefix: str, var: Path) -> dict[str, str]:
        """The stream variables of the process reading ``prefix`` (the collector's, the writer's)."""
        if self.kafka is None:
            return {f"{prefix}STREAM_BACKEND": "local", f"{prefix}STREAM_DIR": str(var / "stream")}
        env = {f"{prefix}STREAM_BACKEND": "kafka", f"{prefix}KAFKA_BOOTSTRAP_SERVERS": self.kafka.servers,
               f"{prefix}KAFKA_IDEMPOTENCE": str(self.kafka.idempotence).lower()}
        if self.kafka.partitions:
            env[f"{prefix}STREAM_PARTITIONS"] = str(self.kafka.partitions)
        return env

    def olap_env(self, prefix: str, var: Path) -> dict[str, str]:
        dsn = self.olap or f"chdb:///{var / 'olap'}"
        return {f"{prefix}OLAP_BACKEND": "chdb" if dsn.startswith("chdb:") else "clickhouse", f"{prefix}OLAP_DSN": dsn}

    def registry_url(self, var: Path) -> str:
        return self.registry_db or f"sqlite:///{var / 'registry.db'}"

    def dashboard_url(self, var: Path) -> str:
        return self.dashboard_db or f"sqlite:///{var / 'dashboard.db'}"

    def describe(self) -> str:
        """One line for the launcher's log (no passwords)."""
        def safe(url: str) -> str:
            parts = urlsplit(url)
            return url.replace(f"{parts.password}@", "***@") if parts.password else url

        stream_text = "local log" if self.kafka is None else f"kafka {self.kafka.servers}"
        return (f"stream: {stream_text}; olap: {safe(self.olap) if self.olap else 'chDB'}; "
                f"registry: {safe(self.registry_db) if self.registry_db else 'SQLite'}; "
                f"dashboard: {safe(self.dashboard_db) if self.dashboard_db else 'SQLite'}")

    def unreachable(self) -> list[str]:
        """Servers the options name that do not accept a TCP connection (checked before starting)."""
        targets = []
        if self.kafka is not None:
            targets += [("--stream", host, port) for host, port in self.kafka.addresses()]
        for option, url in (("--olap", self.olap), ("--registry-db", self.registry_db),
                            ("--dashboard-db", self.dashboard_db)):
            parts = urlsplit(url or "")
            if parts.scheme.startswith(("postgres", "http")) and parts.hostname:
                default = {"http": 80, "https": 443}.get(parts.scheme, 5432)
                targets.append((option, parts.hostname, parts.port or default))
        return [f"{option}: nothing listens on {host}:{port}" for option, host, port in targets
                if not _accepts(host, port)]


def _accepts(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False

"""The composition root: build the registry's services from settings.

Adapters are picked by the database URL: ``memory://`` gives the in-memory fakes (tests,
throwaway runs); anything else is a SQLAlchemy URL (SQLite file or PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from registry.adapters.repository import InMemoryTokenStore, InMemoryWidgetRepository, TokenStore, WidgetRepository
from registry.domain.origin import OriginPolicy
from registry.service_layer.broadcaster import Broadcaster
from registry.service_layer.listing import Listing
from registry.service_layer.service import Clock, Registry
from registry.service_layer.tokens import Authenticator
from registry.settings import RegistrySettings

MEMORY = "memory://"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: RegistrySettings
    registry: Registry
    listing: Listing
    authenticator: Authenticator
    broadcaster: Broadcaster
    tokens: TokenStore
    engine: Engine | None = None

    def close(self) -> None:
        self.broadcaster.close()
        if self.engine is not None:
            self.engine.dispose()


def open_stores(settings: RegistrySettings) -> tuple[WidgetRepository, TokenStore, Engine | None]:
    """The metadata store's adapters, migrated to the latest schema."""
    if settings.database_url == MEMORY:
        return InMemoryWidgetRepository(), InMemoryTokenStore(), None
    from registry.adapters.database import make_engine, migrate
    from registry.adapters.sql_repository import SqlTokenStore, SqlWidgetRepository

    engine = make_engine(settings.database_url)
    migrate(engine)
    return SqlWidgetRepository(engine), SqlTokenStore(engine), engine


def bootstrap(settings: RegistrySettings, *, clock: Clock = utc_now) -> Services:
    repository, tokens, engine = open_stores(settings)
    broadcaster = Broadcaster()
    registry = Registry(
        repository,
        broadcaster,
        clock=clock,
        grace=timedelta(seconds=settings.grace_seconds),
        allowed_origins=OriginPolicy.from_settings(settings.allowed_origins, settings.allowed_networks),
        reservation=timedelta(seconds=settings.reservation_seconds),
        platform_teams=frozenset(settings.platform_teams),
    )
    return Services(
        settings=settings,
        registry=registry,
        listing=Listing(registry),
        authenticator=Authenticator(tokens, cache_seconds=settings.token_cache_seconds),
        broadcaster=broadcaster,
        tokens=tokens,
        engine=engine,
    )

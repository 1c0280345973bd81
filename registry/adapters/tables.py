"""SQLModel tables of the registry's metadata store (schema owned by Alembic migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel


def _time(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class WidgetRow(SQLModel, table=True):
    __tablename__ = "widget"

    id: str = Field(primary_key=True, max_length=64)
    team: str = Field(index=True, max_length=64)
    element: str = Field(index=True, max_length=100)
    version: str = Field(max_length=128)
    origin: str = Field(max_length=2048)
    manifest: dict = Field(sa_column=Column(JSON, nullable=False))
    registered_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())
    last_seen: datetime = Field(sa_column=_time())
    lease_expires_at: datetime = Field(sa_column=_time())
    removed_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class WidgetVersionRow(SQLModel, table=True):
    __tablename__ = "widget_version"

    widget_id: str = Field(primary_key=True, foreign_key="widget.id", max_length=64)
    version: str = Field(primary_key=True, max_length=128)
    origin: str = Field(max_length=2048)
    manifest: dict = Field(sa_column=Column(JSON, nullable=False))
    registered_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())


class TeamTokenRow(SQLModel, table=True):
    __tablename__ = "team_token"

    id: str = Field(primary_key=True, max_length=32)
    team: str = Field(index=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(sa_column=_time())
    revoked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))

"""SQLModel tables of the layouts store (schema owned by the Alembic migrations)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, Index
from sqlmodel import Field, SQLModel


def _time(nullable: bool = False) -> Column:
    return Column(DateTime(timezone=True), nullable=nullable)


class LayoutRow(SQLModel, table=True):
    __tablename__ = "layout"
    __table_args__ = (Index("ix_layout_updated", "updated_at"),)

    id: str = Field(primary_key=True, max_length=32)
    title: str = Field(max_length=200)
    owner: str = Field(index=True, max_length=200)
    description: str = Field(max_length=4000)
    edit_key_hash: str = Field(max_length=64)
    latest: int
    latest_hash: str = Field(max_length=80)
    parent_id: str | None = Field(default=None, max_length=32, index=True)
    parent_version: int | None = None
    created_at: datetime = Field(sa_column=_time())
    updated_at: datetime = Field(sa_column=_time())
    deleted_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))


class LayoutVersionRow(SQLModel, table=True):
    """Primary key (layout_id, number): two saves of the same number cannot both land."""

    __tablename__ = "layout_version"

    layout_id: str = Field(primary_key=True, foreign_key="layout.id", max_length=32)
    number: int = Field(primary_key=True)
    parent: int | None = None
    author: str = Field(max_length=200)
    message: str = Field(max_length=2000)
    content_hash: str = Field(max_length=80)
    restored_from: int | None = None
    document: dict = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=_time())


class LayoutLinkRow(SQLModel, table=True):
    __tablename__ = "layout_link"

    id: str = Field(primary_key=True, max_length=32)
    layout_id: str = Field(index=True, foreign_key="layout.id", max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=8)
    version: int | None = None
    view_state: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_column=_time())
    expires_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_time(nullable=True))

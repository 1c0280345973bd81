"""The layouts store on SQLModel's tables (SQLite by default, PostgreSQL by URL).

A save is one transaction: INSERT the version (primary key ``(layout_id, number)``),
then UPDATE the layout ``WHERE latest = number - 1``. Of two saves of the same number,
the database lets one insert and fails the other on the key; a save naming a version
ahead of the latest matches no row and is rolled back. Either way nothing is lost or
written twice.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from dashboard.layouts.capability import Link
from dashboard.layouts.history import Layout, Version
from dashboard.layouts.store import LayoutStore, LinkStore
from dashboard.layouts.tables import LayoutLinkRow, LayoutRow, LayoutVersionRow

LAYOUT = LayoutRow.__table__
VERSION = LayoutVersionRow.__table__
LINK = LayoutLinkRow.__table__
VERSION_INFO = [c for c in VERSION.c if c.name != "document"]
# Built once: statements with bound parameters compile once and are reused from the cache.
SELECT_LAYOUT = LAYOUT.select().where(LAYOUT.c.id == sa.bindparam("lid"))
SELECT_VERSION = VERSION.select().where(VERSION.c.layout_id == sa.bindparam("lid"),
                                        VERSION.c.number == sa.bindparam("num"))
SELECT_LINK = LINK.select().where(LINK.c.token_hash == sa.bindparam("th"))


@functools.cache
def _advance(fields: frozenset[str]) -> sa.Update:
    """``UPDATE layout SET latest = :number, <fields> WHERE id = :lid AND latest = :expected``."""
    return (LAYOUT.update()
            .where(LAYOUT.c.id == sa.bindparam("lid"), LAYOUT.c.latest == sa.bindparam("expected"))
            .values(latest=sa.bindparam("number"), **{f: sa.bindparam(f"s_{f}") for f in sorted(fields)}))


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; every time in the domain is aware UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _layout(row) -> Layout:
    m = row._mapping
    return Layout(id=m["id"], title=m["title"], owner=m["owner"], description=m["description"],
                  edit_key_hash=m["edit_key_hash"], latest=m["latest"], created_at=_utc(m["created_at"]),
                  updated_at=_utc(m["updated_at"]), latest_hash=m["latest_hash"], parent_id=m["parent_id"],
                  parent_version=m["parent_version"], deleted_at=_utc(m["deleted_at"]))


def _version(row) -> Version:
    m = row._mapping
    return Version(layout_id=m["layout_id"], number=m["number"], parent=m["parent"], author=m["author"],
                   message=m["message"], created_at=_utc(m["created_at"]), content_hash=m["content_hash"],
                   restored_from=m["restored_from"], document=m.get("document") or {})


def _version_values(version: Version) -> dict:
    return {"layout_id": version.layout_id, "number": version.number, "parent": version.parent,
            "author": version.author, "message": version.message, "content_hash": version.content_hash,
            "restored_from": version.restored_from, "document": version.document, "created_at": version.created_at}


class SqlLayoutStore(LayoutStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, layout: Layout, first: Version) -> None:
        values = {name: getattr(layout, name) for name in Layout.__slots__}
        with self.engine.begin() as conn:
            conn.execute(LAYOUT.insert(), values)
            conn.execute(VERSION.insert(), _version_values(first))

    def append(self, version: Version, summary: dict) -> bool:
        params = {"lid": version.layout_id, "expected": version.number - 1, "number": version.number,
                  **{f"s_{k}": v for k, v in summary.items()}}
        try:
            with self.engine.begin() as conn:
                conn.execute(VERSION.insert(), _version_values(version))
                updated = conn.execute(_advance(frozenset(summary)), params)
                if updated.rowcount != 1:
                    raise _Lost()
        except (IntegrityError, _Lost):
            return False
        return True

    def layout(self, layout_id: str) -> Layout | None:
        with self.engine.connect() as conn:
            row = conn.execute(SELECT_LAYOUT, {"lid": layout_id}).first()
        return _layout(row) if row else None

    def version(self, layout_id: str, number: int) -> Version | None:
        with self.engine.connect() as conn:
            row = conn.execute(SELECT_VERSION, {"lid": layout_id, "num": number}).first()
        return _version(row) if row else None

    def versions(self, layout_id: str, before: int | None, limit: int) -> list[Version]:
        query = sa.select(*VERSION_INFO).where(VERSION.c.layout_id == layout_id)
        if before is not None:
            query = query.where(VERSION.c.number < before)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(VERSION.c.number.desc()).limit(limit)).all()
        return [_version(r) for r in rows]

    def search(self, owner: str | None, text: str | None, limit: int, offset: int) -> list[Layout]:
        query = LAYOUT.select().where(LAYOUT.c.deleted_at.is_(None))
        if owner is not None:
            query = query.where(sa.func.lower(LAYOUT.c.owner) == owner.lower())
        if text:
            pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(sa.or_(*(sa.func.lower(c).like(pattern, escape="\\")
                                         for c in (LAYOUT.c.title, LAYOUT.c.description, LAYOUT.c.owner))))
        query = query.order_by(LAYOUT.c.updated_at.desc(), LAYOUT.c.id.desc()).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [_layout(r) for r in conn.execute(query)]

    def set_deleted(self, layout_id: str, at: datetime | None) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(LAYOUT.update().where(LAYOUT.c.id == layout_id).values(deleted_at=at)).rowcount == 1

    def purge(self, deleted_before: datetime) -> int:
        with self.engine.begin() as conn:
            gone = sa.select(LAYOUT.c.id).where(LAYOUT.c.deleted_at.is_not(None), LAYOUT.c.deleted_at < deleted_before)
            ids = [r[0] for r in conn.execute(gone)]
            if ids:
                conn.execute(LINK.delete().where(LINK.c.layout_id.in_(ids)))
                conn.execute(VERSION.delete().where(VERSION.c.layout_id.in_(ids)))
                conn.execute(LAYOUT.delete().where(LAYOUT.c.id.in_(ids)))
            return len(ids)

    def prune(self, layout_id: str, keep: int) -> int:
        with self.engine.begin() as conn:
            latest = conn.execute(sa.select(LAYOUT.c.latest).where(LAYOUT.c.id == layout_id)).scalar()
            if latest is None or keep <= 0:
                return 0
            return conn.execute(VERSION.delete().where(VERSION.c.layout_id == layout_id,
                                                       VERSION.c.number <= latest - keep)).rowcount


class _Lost(Exception):
    """The conditional update matched no row: roll the insert back."""


class SqlLinkStore(LinkStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, link: Link) -> None:
        with self.engine.begin() as conn:
            conn.execute(LINK.insert(), {name: getattr(link, name) for name in Link.__slots__})

    def find(self, token_hash: str) -> Link | None:
        with self.engine.connect() as conn:
            row = conn.execute(SELECT_LINK, {"th": token_hash}).first()
        return _link(row) if row else None

    def for_layout(self, layout_id: str) -> list[Link]:
        with self.engine.connect() as conn:
            rows = conn.execute(LINK.select().where(LINK.c.layout_id == layout_id).order_by(LINK.c.created_at))
            return [_link(r) for r in rows]

    def revoke(self, layout_id: str, link_id: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(
                LINK.update()
                .where(LINK.c.id == link_id, LINK.c.layout_id == layout_id, LINK.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount == 1


def _link(row) -> Link:
    m = row._mapping
    return Link(id=m["id"], layout_id=m["layout_id"], token_hash=m["token_hash"], role=m["role"],
                version=m["version"], created_at=_utc(m["created_at"]), expires_at=_utc(m["expires_at"]),
                revoked_at=_utc(m["revoked_at"]), view_state=m["view_state"])

"""SQLModel adapters of the metadata-store ports (SQLite or PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from registry.domain.manifest import manifest_from_document
from registry.domain.token import TeamToken
from registry.domain.widget import VersionEntry, Widget

from .repository import Lease, TokenStore, WidgetRepository
from .tables import TeamTokenRow, WidgetRow, WidgetVersionRow


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class SqlWidgetRepository(WidgetRepository):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        table = WidgetRow.__table__
        self._lease_update = (
            sa.update(table)
            .where(table.c.id == sa.bindparam("wid"))
            .values(last_seen=sa.bindparam("seen"), lease_expires_at=sa.bindparam("expires"))
        )

    def load_all(self) -> list[Widget]:
        with Session(self.engine) as session:
            rows = session.exec(select(WidgetRow)).all()
            history: dict[str, list[VersionEntry]] = {}
            for v in session.exec(select(WidgetVersionRow).order_by(WidgetVersionRow.registered_at)).all():
                entry = VersionEntry(
                    v.version, manifest_from_document(v.manifest, v.origin), _utc(v.registered_at), _utc(v.updated_at)
                )
                history.setdefault(v.widget_id, []).append(entry)
            return [
                Widget(
                    manifest=manifest_from_document(r.manifest, r.origin),
                    registered_at=_utc(r.registered_at),
                    updated_at=_utc(r.updated_at),
                    last_seen=_utc(r.last_seen),
                    lease_expires_at=_utc(r.lease_expires_at),
                    removed_at=_utc(r.removed_at),
                    versions=history.get(r.id, []),
                )
                for r in rows
            ]

    def save(self, widget: Widget) -> None:
        m = widget.manifest
        with Session(self.engine) as session:
            session.merge(
                WidgetRow(
                    id=m.id,
                    team=m.team,
                    element=m.element,
                    version=m.version,
                    origin=m.origin,
                    manifest=m.document(),
                    registered_at=widget.registered_at,
                    updated_at=widget.updated_at,
                    last_seen=widget.last_seen,
                    lease_expires_at=widget.lease_expires_at,
                    removed_at=widget.removed_at,
                )
            )
            session.flush()
            kept = [entry.version for entry in widget.versions]
            stale = sa.delete(WidgetVersionRow).where(WidgetVersionRow.widget_id == m.id, WidgetVersionRow.version.not_in(kept))
            session.exec(stale)  # a takeover after the reservation starts a fresh history
            for entry in widget.versions:
                session.merge(
                    WidgetVersionRow(
                        widget_id=m.id,
                        version=entry.version,
                        origin=entry.manifest.origin,
                        manifest=entry.manifest.document(),
                        registered_at=entry.registered_at,
                        updated_at=entry.updated_at,
                    )
                )
            session.commit()

    def save_leases(self, leases: list[Lease]) -> None:
        if not leases:
            return
        params = [{"wid": wid, "seen": seen, "expires": expires} for wid, seen, expires in leases]
        with self.engine.begin() as connection:
            connection.execute(self._lease_update, params)


def _token(row: TeamTokenRow) -> TeamToken:
    return TeamToken(row.id, row.team, row.token_hash, _utc(row.created_at), _utc(row.revoked_at))


class SqlTokenStore(TokenStore):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, token: TeamToken) -> None:
        with Session(self.engine) as session:
            session.add(TeamTokenRow(**{f: getattr(token, f) for f in ("id", "team", "token_hash", "created_at", "revoked_at")}))
            session.commit()

    def find(self, token_hash: str) -> TeamToken | None:
        with Session(self.engine) as session:
            row = session.exec(select(TeamTokenRow).where(TeamTokenRow.token_hash == token_hash)).first()
            return _token(row) if row else None

    def all(self) -> list[TeamToken]:
        with Session(self.engine) as session:
            return [_token(r) for r in session.exec(select(TeamTokenRow).order_by(TeamTokenRow.created_at)).all()]

    def revoke(self, token_id: str, now: datetime) -> bool:
        with Session(self.engine) as session:
            row = session.get(TeamTokenRow, token_id)
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = now
            session.add(row)
            session.commit()
            return True

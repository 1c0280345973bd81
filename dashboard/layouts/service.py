"""The layouts service: create, save (append-only, optimistic), restore, clone, share,
open shared links, delete with a grace period. Framework-free: the edge converts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.layouts import capability, document
from dashboard.layouts.capability import Link
from dashboard.layouts.diff import diff
from dashboard.layouts.history import Layout, Version
from dashboard.layouts.problems import (
    Forbidden,
    Gone,
    Invalid,
    NotFound,
    PreconditionRequired,
    Stale,
    Unauthenticated,
    problem,
)
from dashboard.layouts.store import LayoutStore, LinkStore

Clock = Callable[[], datetime]
AUTHOR_MAX, MESSAGE_MAX = 200, 2000
MAX_EXPIRY_SECONDS = 10 * 365 * 86400
AUTH = ("header", "Authorization")
ID = re.compile(r"[A-Za-z0-9_-]{1,32}")  # layout and link ids (anything else cannot exist)


@dataclass(frozen=True, slots=True)
class Created:
    layout: Layout
    version: Version
    edit_key: str
    view_token: str


@dataclass(frozen=True, slots=True)
class Saved:
    version: Version
    unchanged: bool


@dataclass(frozen=True, slots=True)
class Shared:
    link: Link
    layout: Layout
    version: Version


class Layouts:
    def __init__(self, layouts: LayoutStore, links: LinkStore, clock: Clock, *, max_bytes: int = document.MAX_BYTES,
                 delete_grace: timedelta = timedelta(days=30), retention: int | None = None) -> None:
        self.layouts, self.links, self.clock = layouts, links, clock
        self.max_bytes, self.delete_grace, self.retention = max_bytes, delete_grace, retention

    # ---- reading ---------------------------------------------------------------------

    def layout(self, layout_id: str) -> Layout:
        layout = self.layouts.layout(layout_id) if ID.fullmatch(layout_id) else None
        if layout is None:
            raise NotFound(problem(("path", "id"), "no layout with this id", "not_found.layout"))
        if layout.deleted_at is not None:
            until = layout.deleted_at + self.delete_grace
            raise Gone(problem(("path", "id"), "this layout was deleted; its edit key can undelete it until "
                               f"{until.isoformat()}", "gone.layout"), extra={"recoverableUntil": until})
        return layout

    def read(self, layout_id: str, number: int | None = None) -> tuple[Layout, Version]:
        layout = self.layout(layout_id)
        return layout, self._version(layout, number, ("query", "version"))

    def _version(self, layout: Layout, number: int | None, loc: tuple) -> Version:
        wanted = layout.latest if number is None else number
        version = self.layouts.version(layout.id, wanted) if 1 <= wanted <= layout.latest else None
        if version is None:
            raise NotFound(problem(loc, f"layout {layout.id} has no version {wanted} (latest is {layout.latest})",
                                   "not_found.version"))
        return Version(**{**_fields(version), "document": document.current(version.document)})

    def versions(self, layout_id: str, before: int | None = None, limit: int = 200) -> tuple[Layout, list[Version]]:
        layout = self.layout(layout_id)
        return layout, self.layouts.versions(layout.id, before, limit)

    def diff(self, layout_id: str, start: int | None, end: int | None, against: str | None = None) -> dict:
        layout = self.layout(layout_id)
        after = self._version(layout, end, ("query", "to"))
        if against is not None:
            if layout.parent_id is None:
                raise Invalid(problem(("query", "against"), "this layout is not a clone; it has no parent",
                                      "value_error.no_parent"))
            parent = self.layouts.layout(layout.parent_id)
            if parent is None:
                raise NotFound(problem(("query", "against"), "the parent layout no longer exists", "not_found.parent"))
            number = parent.latest if against == "parent-latest" else layout.parent_version
            before = self._version(parent, number, ("query", "against"))
            source = {"id": parent.id, "version": before.number, "latestVersion": parent.latest}
        else:
            if start is None:
                raise Invalid(problem(("query", "from"), "give from=N (or against=parent)", "value_error.missing"))
            before = self._version(layout, start, ("query", "from"))
            source = {"id": layout.id, "version": before.number}
        return {"from": source, "to": {"id": layout.id, "version": after.number},
                **diff(before.document, after.document)}

    def gallery(self, owner: str | None, text: str | None, limit: int, offset: int) -> list[Layout]:
        return self.layouts.search(owner or None, text or None, limit, offset)

    def parent_of(self, layout: Layout) -> dict | None:
        if layout.parent_id is None:
            return None
        parent = self.layouts.layout(layout.parent_id)
        return {"id": layout.parent_id, "version": layout.parent_version,
                "latestVersion": parent.latest if parent and parent.deleted_at is None else None,
                "title": parent.title if parent else None}

    # ---- writing ---------------------------------------------------------------------

    def create(self, body: object, *, parent: tuple[str, int] | None = None) -> Created:
        doc = document.parse(body, max_bytes=self.max_bytes)
        author, message = _save_fields(body)
        now = self.clock()
        edit_key = capability.new_token(capability.EDIT_KEY_PREFIX)
        layout = Layout(id=capability.new_id(), title=doc["title"], owner=doc["owner"],
                        description=doc["description"], edit_key_hash=capability.token_hash(edit_key), latest=1,
                        created_at=now, updated_at=now, latest_hash=document.content_hash(doc),
                        parent_id=parent[0] if parent else None, parent_version=parent[1] if parent else None)
        first = Version(layout.id, 1, None, author, message, now, layout.latest_hash, document=doc)
        self.layouts.create(layout, first)
        link, token = self._mint(layout.id, "view", None, None, None, now)
        self.links.add(link)
        return Created(layout, first, edit_key, token)

    def save(self, layout_id: str, body: object, token: str | None, if_match: int | None) -> Saved:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "edit")
        if if_match is None:
            raise PreconditionRequired(problem(("header", "If-Match"), f'send If-Match: "N" naming the version '
                                               f"you edited (the latest is {layout.latest})", "precondition.required"),
                                       extra={"currentVersion": layout.latest})
        doc = document.parse(body, max_bytes=self.max_bytes)
        author, message = _save_fields(body)
        return self._append(layout, doc, if_match, author, message, None)

    def restore(self, layout_id: str, body: object, token: str | None, if_match: int | None) -> Saved:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "edit")
        if not isinstance(body, dict):
            raise Invalid(problem(("body",), "send {\"version\": N}", "type_error.object"))
        number = body.get("version")
        if isinstance(number, bool) or not isinstance(number, int):
            raise Invalid(problem(("body", "version"), "version must be an integer", "type_error.integer"))
        old = self._version(layout, number, ("body", "version"))
        author, message = _save_fields(body)
        expected = layout.latest if if_match is None else if_match
        return self._append(layout, old.document, expected, author, message or f"restored version {number}", number)

    def _append(self, layout: Layout, doc: dict, expected: int, author: str, message: str,
                restored_from: int | None) -> Saved:
        if expected != layout.latest:
            raise Stale(layout.latest, expected)
        digest = document.content_hash(doc)
        if digest == layout.latest_hash:
            return Saved(self._version(layout, layout.latest, ("header", "If-Match")), unchanged=True)
        now = self.clock()
        version = Version(layout.id, expected + 1, expected, author, message, now, digest, restored_from, doc)
        summary = {"title": doc["title"], "owner": doc["owner"], "description": doc["description"],
                   "updated_at": now, "latest_hash": digest}
        if not self.layouts.append(version, summary):
            current = self.layouts.layout(layout.id)
            raise Stale(current.latest if current else expected, expected)
        if self.retention:
            self.layouts.prune(layout.id, self.retention)
        return Saved(version, unchanged=False)

    def clone(self, layout_id: str, body: object) -> Created:
        layout = self.layout(layout_id)
        body = {} if body is None else body
        if not isinstance(body, dict):
            raise Invalid(problem(("body",), "the clone body must be a JSON object", "type_error.object"))
        number = body.get("version")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise Invalid(problem(("body", "version"), "version must be an integer", "type_error.integer"))
        source = self._version(layout, number, ("body", "version"))
        overrides = {k: body[k] for k in ("title", "owner", "description") if k in body}
        doc = {**source.document, **overrides}
        message = body.get("message") or f"cloned from {layout.id} version {source.number}"
        return self.create({**doc, "author": body.get("author", ""), "message": message},
                           parent=(layout.id, source.number))

    def delete(self, layout_id: str, token: str | None) -> datetime:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "owner")
        now = self.clock()
        self.layouts.set_deleted(layout.id, now)
        return now + self.delete_grace

    def undelete(self, layout_id: str, token: str | None) -> Layout:
        layout = self.layouts.layout(layout_id) if ID.fullmatch(layout_id) else None
        if layout is None:
            raise NotFound(problem(("path", "id"), "no layout with this id", "not_found.layout"))
        self.authorize(layout, token, "owner")
        self.layouts.set_deleted(layout.id, None)
        layout.deleted_at = None
        return layout

    def purge(self) -> int:
        return self.layouts.purge(self.clock() - self.delete_grace)

    # ---- capabilities ----------------------------------------------------------------

    def authorize(self, layout: Layout, token: str | None, need: str) -> str:
        """The caller's role on ``layout`` (``owner``, ``edit`` or ``view``), or a refusal."""
        role, reason = self.role(layout, token)
        if role is None:
            raise Unauthenticated(problem(AUTH, reason, "auth.required"))
        if need == "edit" and role == "view":
            raise Forbidden(problem(AUTH, "a view link cannot change this layout", "auth.view_only"))
        if need == "owner" and role != "owner":
            raise Forbidden(problem(AUTH, "only the layout's edit key can do this", "auth.owner_only"))
        return role

    def role(self, layout: Layout, token: str | None) -> tuple[str | None, str]:
        if not token:
            return None, "send the edit key or an edit link's token as Authorization: Bearer …"
        digest = capability.token_hash(token)
        if capability.same_hash(digest, layout.edit_key_hash):
            return "owner", ""
        link = self.links.find(digest)
        if link is None or link.layout_id != layout.id:
            return None, "this key or link is not valid for this layout"
        state = link.state(self.clock())
        if state != "active":
            return None, f"this link has {'expired' if state == 'expired' else 'been revoked'}"
        return link.role, ""

    def access(self, layout_id: str, token: str | None) -> dict:
        layout = self.layout(layout_id)
        role, reason = self.role(layout, token)
        return {"id": layout.id, "role": role or "none", "canSave": role in ("owner", "edit"),
                "canShare": role == "owner", "reason": reason or None, "version": layout.latest}

    def share(self, layout_id: str, token: str | None, body: object) -> tuple[Link, str]:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "owner")
        if not isinstance(body, dict):
            raise Invalid(problem(("body",), 'send {"role": "view"|"edit", "version": N|"latest", '
                                  '"expiresIn": seconds|null}', "type_error.object"))
        role = body.get("role", "view")
        if role not in capability.ROLES:
            raise Invalid(problem(("body", "role"), 'role must be "view" or "edit"', "value_error.role"))
        pinned = body.get("version", "latest")
        if pinned in (None, "latest"):
            pinned = None
        else:
            if isinstance(pinned, bool) or not isinstance(pinned, int):
                raise Invalid(problem(("body", "version"), 'version must be a version number or "latest"',
                                      "type_error.integer"))
            self._version(layout, pinned, ("body", "version"))
        expires_in = body.get("expiresIn")
        if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(expires_in, (int, float))
                                       or not 1 <= expires_in <= MAX_EXPIRY_SECONDS):
            raise Invalid(problem(("body", "expiresIn"), f"expiresIn must be seconds from 1 to {MAX_EXPIRY_SECONDS}"
                                  " or null (never expires)", "value_error.expires_in"))
        view_state = body.get("viewState")
        if view_state is not None:
            try:
                checked = document.parse({"title": "-", "layout": {}, "viewState": view_state})
            except Invalid as exc:
                raise Invalid(*[problem(("body", "viewState", *p.loc[2:]), p.msg, p.type) for p in exc.problems]) \
                    from None
            view_state = checked["viewState"]
        live = body.get("live", False)
        if not isinstance(live, bool):
            raise Invalid(problem(("body", "live"), "live must be true or false", "type_error.bool"))
        if live and role != "view":
            raise Invalid(problem(("body", "live"), "only a view link can be live (its viewers follow the "
                                  "presenter; an edit link's holder edits)", "value_error.live_role"))
        # the server records whether a link is live (the relay belongs to the link): only
        # ``live: true`` sets viewState.live; an older client's relay id there is left as it is
        if live:
            view_state = {**(view_state or {}), "live": True}
        elif isinstance(view_state, dict) and view_state.get("live") is True:
            view_state = {k: v for k, v in view_state.items() if k != "live"} or None
        now = self.clock()
        link, link_token = self._mint(layout.id, role, pinned, expires_in, view_state, now)
        self.links.add(link)
        return link, link_token

    def _mint(self, layout_id: str, role: str, version: int | None, expires_in: float | None,
              view_state: dict | None, now: datetime) -> tuple[Link, str]:
        token = capability.new_token(capability.LINK_PREFIX[role])
        expires = now + timedelta(seconds=expires_in) if expires_in is not None else None
        return Link(capability.new_id(), layout_id, capability.token_hash(token), role, version, now, expires,
                    None, view_state), token

    def list_links(self, layout_id: str, token: str | None, include_all: bool = False) -> list[Link]:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "owner")
        now = self.clock()
        return [l for l in self.links.for_layout(layout.id) if include_all or l.state(now) == "active"]

    def revoke(self, layout_id: str, token: str | None, link_id: str) -> None:
        layout = self.layout(layout_id)
        self.authorize(layout, token, "owner")
        if not ID.fullmatch(link_id) or not self.links.revoke(layout.id, link_id, self.clock()):
            raise NotFound(problem(("path", "link_id"), "this layout has no unrevoked link with this id",
                                   "not_found.link"))

    def live_link(self, layout_id: str, token: str | None, link_id: str) -> Link:
        """The live link ``link_id`` of this layout, for its presenter (edit key) to (re)open its relay."""
        layout = self.layout(layout_id)
        self.authorize(layout, token, "owner")
        loc = ("path", "link_id")
        link = next((l for l in self.links.for_layout(layout.id) if l.id == link_id), None) \
            if ID.fullmatch(link_id) else None
        if link is None:
            raise NotFound(problem(loc, "this layout has no link with this id", "not_found.link"))
        if link.state(self.clock()) != "active":
            raise Gone(problem(loc, f"this link has {'expired' if link.state(self.clock()) == 'expired' else 'been revoked'}",
                               "gone.link"))
        if not link.live:
            raise Invalid(problem(loc, "this link is not live; create a view link with live: true", "value_error.not_live"))
        return link

    def follow_shared(self, token: str | None) -> Link:
        """The live link a follower's token opens (404 unknown or not live, 410 revoked, expired, deleted)."""
        shared = self.open_shared(token)
        if not shared.link.live:
            raise NotFound(problem(("header", "Authorization"), "this share link is not live", "not_found.live"))
        return shared.link

    def open_shared(self, token: str | None) -> Shared:
        """The layout behind a share link: its pinned version, or the latest."""
        loc = ("path", "token")
        link = self.links.find(capability.token_hash(token)) if token else None
        if link is None:
            raise NotFound(problem(loc, "this link does not exist; ask the sender for a new one", "not_found.link"))
        state = link.state(self.clock())
        if state == "expired":
            raise Gone(problem(loc, "this link has expired; ask the sender for a new one", "gone.expired"),
                       extra={"expiredAt": link.expires_at})
        if state == "revoked":
            raise Gone(problem(loc, "this link was revoked by the layout's owner", "gone.revoked"),
                       extra={"revokedAt": link.revoked_at})
        layout = self.layouts.layout(link.layout_id)
        if layout is None or layout.deleted_at is not None:
            raise Gone(problem(loc, "the shared layout was deleted", "gone.layout"))
        version = self._version(layout, link.version, loc)
        return Shared(link, layout, version)


def _fields(version: Version) -> dict:
    return {name: getattr(version, name) for name in Version.__slots__}


def _save_fields(body: object) -> tuple[str, str]:
    if not isinstance(body, dict):
        return "", ""
    author, message = body.get("author", ""), body.get("message", "")
    for name, value, limit in (("author", author, AUTHOR_MAX), ("message", message, MESSAGE_MAX)):
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > limit or document.CONTROL.search(value) \
                or (name == "author" and document.ONE_LINE_CONTROL.search(value)):
            raise Invalid(problem(("body", name), f"{name} must be text of at most {limit} characters without "
                                  "control characters", "value_error.text"))
    return author or "", message or ""

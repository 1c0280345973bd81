"""Drop-in shapes of trackers people already run, mapped to the collector's fields.

* Plausible ``POST /api/event``: JSON ``{n, u, d, r, p, h, w}`` (sent as text/plain);
  ``d`` may list several sites, comma-separated.
* Snowplow tracker protocol: ``GET /i`` pixel and ``POST …/tp2`` (``payload_data``
  with ``data: [ {…}, … ]``); ``e`` is the event type, ``aid`` the site — or, when a
  tracker sets no ``aid``, the host of the page's ``url`` (as Plausible's ``d`` defaults).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

import msgspec

from tracker.collector.capture import IncomingEvent, Rejected, captured
from tracker.collector.validation import json_props

Fields = dict[str, Any]  # site, name, url, referrer, title, props, ts (epoch ms), event_id, error

NO_SITE = "aid: missing, and no page url to take the site from"

SNOWPLOW_NAMES = {"pv": "pageview", "pp": "page_ping", "se": "structured", "ue": "unstructured",
                  "tr": "transaction", "ti": "transaction_item"}


def plausible(body: Any) -> list[Fields]:
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    props, error = json_props(body.get("p", body.get("props")))
    sites = [s.strip() for s in str(body.get("d") or body.get("domain") or "").split(",") if s.strip()]
    base: Fields = {"name": str(body.get("n") or body.get("name") or "pageview"),
                    "url": str(body.get("u") or body.get("url") or ""),
                    "referrer": str(body.get("r") or body.get("referrer") or ""),
                    "props": props, "error": error}
    return [{**base, "site": site} for site in sites] or [{**base, "site": ""}]


def _b64json(value: str) -> Any:
    padded = value + "=" * (-len(value) % 4)
    return msgspec.json.decode(base64.urlsafe_b64decode(padded))


def snowplow(params: dict[str, str]) -> Fields:
    """One tracker-protocol event (all values are strings) as collector fields."""
    e = params.get("e", "pv")
    name = SNOWPLOW_NAMES.get(e, e)
    props: dict[str, Any] = {}
    error = ""
    if e == "se":
        name = params.get("se_ac") or "structured"
        for key, prop in (("se_ca", "category"), ("se_la", "label"), ("se_pr", "property"), ("se_va", "value")):
            if params.get(key):
                props[prop] = params[key]
    elif e == "ue":
        try:
            inner = (msgspec.json.decode(params["ue_pr"]) if params.get("ue_pr")
                     else _b64json(params.get("ue_px", "")))
            data = inner.get("data", {})
            schema = str(data.get("schema", ""))
            name = schema.split("/")[1] if schema.count("/") >= 1 else name
            props = {k: v for k, v in (data.get("data") or {}).items()}
        except (msgspec.DecodeError, binascii.Error, AttributeError, ValueError, KeyError, RecursionError):
            error = "bad unstructured event payload"
    elif e == "pp":
        props = {k: params[k] for k in ("pp_mix", "pp_max", "pp_miy", "pp_may") if params.get(k)}
    ts = None
    dtm = params.get("dtm", "")
    if dtm.isascii() and dtm.isdigit() and len(dtm) < 20:
        ts = int(dtm)
    if params.get("p"):
        props.setdefault("platform", params["p"])
    return {"site": params.get("aid") or host_of(params.get("url", "")), "name": name, "url": params.get("url", ""),
            "referrer": params.get("refr", ""), "title": params.get("page", ""), "props": props,
            "ts": ts, "event_id": params.get("eid"), "error": error}


def capture(fields: Fields, raw: str) -> IncomingEvent | Rejected:
    """The capture of one drop-in event; ``raw`` is what the dead-letter topic keeps of it."""
    return captured(raw, **fields)


def host_of(url: str) -> str:
    """The host of a page URL (lower-cased, no port), or ""."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def snowplow_payload(body: Any) -> list[dict[str, str]]:
    """The events of a ``payload_data`` POST body."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ValueError("expected a payload_data object with a data array")
    return [{str(k): str(v) for k, v in item.items()} for item in body["data"] if isinstance(item, dict)]

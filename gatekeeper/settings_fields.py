"""Settings field types every service's edge reads the same way, from one comma-separated
environment variable each: a list of names, the origins widgets may load from, and the
networks widget hosts may use. Each is checked when the settings are built, naming the bad entry.

    allowed_origins: OriginEntries = Field(default_factory=list, description=...)
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_settings import NoDecode

from gatekeeper.address import AddressPolicy
from gatekeeper.origin_list import OriginList


def split_commas(value: object) -> object:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; a list (from code) is left as it is."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _origins(value: list[str]) -> list[str]:
    OriginList(value)  # raises ValueError naming the bad entry
    return value


def _networks(value: list[str]) -> list[str]:
    AddressPolicy.from_strings(value)
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(split_commas)]
OriginEntries = Annotated[list[str], NoDecode, BeforeValidator(split_commas), AfterValidator(_origins)]
NetworkEntries = Annotated[list[str], NoDecode, BeforeValidator(split_commas), AfterValidator(_networks)]

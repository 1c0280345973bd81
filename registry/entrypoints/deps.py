"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from registry.bootstrap import Services
from registry.service_layer.listing import Listing
from registry.service_layer.service import Registry


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_registry(request: Request) -> Registry:
    return request.app.state.services.registry


async def get_listing(request: Request) -> Listing:
    return request.app.state.services.listing


async def get_team(
    request: Request,
    authorization: Annotated[str | None, Header(description="Bearer <team token> (required when tokens are enforced)")] = None,
) -> str | None:
    """The caller's team when tokens are enforced; None when they are not."""
    services: Services = request.app.state.services
    if not services.settings.require_tokens:
        return None
    return await services.authenticator.team_for(authorization)


ServicesDep = Annotated[Services, Depends(get_services)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
ListingDep = Annotated[Listing, Depends(get_listing)]
TeamDep = Annotated[str | None, Depends(get_team)]
OriginHeader = Annotated[
    str | None,
    Header(alias="X-Tessera-Origin", description="Origin (or base URL) of the announcing widget host."),
]

"""FastAPI dependency aliases."""

from typing import Annotated

from fastapi import Depends, Request

from dashboard.gateway import Gateway


def get_gateway(request: Request) -> Gateway:
    return request.app.state.gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]

"""``/healthz``: the dashboard can serve (upstreams are reported, not required)."""

from fastapi import APIRouter

from dashboard.deps import GatewayDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def read_health(gateway: GatewayDep) -> dict:
    return {
        "status": "ok",
        "upstreams": {
            "registry": gateway.registry.breaker.state.value,
            "query": gateway.query.breaker.state.value,
        },
    }

"""The dashboard's settings: one object, built by ``main()`` and passed down."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gatekeeper.settings_fields import NetworkEntries, OriginEntries


class DashboardSettings(BaseSettings):
    """Where the dashboard listens, which upstreams it fronts, and how patient it is."""

    model_config = SettingsConfigDict(env_prefix="TESSERA_DASHBOARD_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    registry_url: str = "http://127.0.0.1:8001"
    query_url: str = "http://127.0.0.1:8003"
    database_url: str = "sqlite:///var/dashboard.db"
    web_dist: str = ""
    connect_timeout: float = 2.0
    read_timeout: float = 5.0
    retry_attempts: int = 3
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0
    registry_concurrency: int = 16
    metrics_concurrency: int = 32
    widget_concurrency: int = Field(default=64, ge=1, description="Widget-file fetches in flight, all hosts (backstop).")
    stream_concurrency: int = 64
    max_streams_per_client: int = 16  # open SSE streams per client address (429 beyond)
    max_streams: int = 256  # open SSE streams in all, every stream route (503 beyond)
    catalogue_cache_seconds: float = 2.0
    stream_keepalive_seconds: float = 15.0
    # the registry's change feed pings every 15 s: this long without a byte, its connection is dead
    registry_feed_idle_seconds: float = Field(default=45.0, gt=0)
    shutdown_grace_seconds: float = 3.0
    layout_max_bytes: int = 256 * 1024
    layout_delete_grace_days: float = 30.0
    layout_retention_versions: int = 0  # 0 keeps every version
    widget_origins: OriginEntries = Field(
        default_factory=list,
        description="Comma-separated origins the widget proxy may fetch from: exact origins (trusted even on "
        "loopback or a private network), `https://*.example.com` wildcards or `*` (public addresses only). "
        "Empty: any origin the registry lists, public addresses only.",
    )
    widget_networks: NetworkEntries = Field(
        default_factory=list,
        description="Comma-separated networks (CIDR) whose internal addresses widget hosts may use.",
    )
    widget_host_concurrency: int = Field(default=8, ge=1, description="Fetches in flight to one widget host.")
    widget_timeout_seconds: float = Field(default=10.0, gt=0, description="Total time for one widget-file fetch.")
    widget_max_bytes: int = Field(default=16 * 1024 * 1024, gt=0, description="Largest widget file served.")

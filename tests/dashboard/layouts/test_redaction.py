"""Share-link tokens never reach the access log (a real uvicorn server, its own logger)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import httpx
import pytest

from dashboard.app import create_app
from dashboard.layouts.redaction import redact

from .conftest import layout_doc, settings_for


def test_redact_masks_tokens_in_share_paths_and_queries():
    assert redact("/v/tvl_abcdefghijklmnopqrstuvwxyz0123") == "/v/[token]"
    assert redact("/e/anything?x=1") == "/e/[token]?x=1"
    assert redact("/api/v1/shared/tvl_secret") == "/api/v1/shared/[token]"
    assert redact("/x?a=1&token=abc&b=2") == "/x?a=1&token=[token]&b=2"
    assert redact("/api/v1/layouts/abc/versions") == "/api/v1/layouts/abc/versions"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + " " + " ".join(map(str, record.args or ())))


@pytest.mark.integration
def test_a_real_server_logs_no_token(tmp_path):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(settings_for(f"sqlite:///{tmp_path}/dashboard.db"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    collect = Collect()
    logging.getLogger("uvicorn.access").addHandler(collect)
    try:
        base = f"http://127.0.0.1:{port}"
        created = httpx.post(f"{base}/api/v1/layouts", json=layout_doc()).json()
        token = created["viewUrl"].removeprefix("/v/")
        assert httpx.get(f"{base}/api/v1/shared/{token}").status_code == 200
        httpx.get(f"{base}/v/{token}")
        httpx.get(f"{base}/e/{token}?token={token}")
        time.sleep(0.2)
    finally:
        logging.getLogger("uvicorn.access").removeHandler(collect)
        server.should_exit = True
        thread.join(10)
    text = "\n".join(collect.lines)
    assert "/api/v1/shared/[token]" in text and "/v/[token]" in text
    assert token not in text and created["editKey"] not in text

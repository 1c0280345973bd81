"""tracker/entrypoints/serving.py: the command line overrides the settings, and is validated by them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError

from tracker.collector.settings import CollectorSettings
from tracker.entrypoints.serving import parser, settle
from tracker.writer.settings import WriterSettings


def test_given_options_override_the_environment_and_the_rest_is_kept(monkeypatch):
    monkeypatch.setenv("TESSERA_WRITER_PORT", "9100")
    monkeypatch.setenv("TESSERA_WRITER_KAFKA_IDEMPOTENCE", "false")
    args = parser("writer", None).parse_args(["--host", "0.0.0.0"])
    settings = settle(WriterSettings(), args)
    assert (settings.host, settings.port, settings.kafka_idempotence) == ("0.0.0.0", 9100, False)


def test_the_collectors_stream_backend_option_is_validated_like_its_variable(tmp_path):
    options = parser("collector", None)
    options.add_argument("--stream-backend")
    settings = settle(CollectorSettings(), options.parse_args(["--stream-backend", "memory"]), "stream_backend")
    assert settings.stream_backend == "memory"
    with pytest.raises(ValidationError, match="stream_backend"):
        settle(CollectorSettings(), options.parse_args(["--stream-backend", "redis"]), "stream_backend")


@pytest.mark.parametrize("command", ["collector", "writer", "query"])
def test_every_command_has_help(command):
    out = subprocess.run([sys.executable, "-m", "tracker", command, "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "--host" in out and "--port" in out and "--log-level" in out

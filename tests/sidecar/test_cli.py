import json

from sidecar.cli import EXIT_CONFIG, main


def test_missing_manifest_is_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ID", raising=False)
    assert main(["--manifest", str(tmp_path / "nope.json"), "--widget-url", "http://h/"]) == EXIT_CONFIG
    assert "bad manifest" in capsys.readouterr().err


def test_bad_setting_is_exit_2(tmp_path, capsys):
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"id": "w", "element": "x-w", "module": "w.js"}))
    assert main(["--manifest", str(path), "--widget-url", "http://h/", "--jitter", "5"]) == EXIT_CONFIG
    assert "bad settings" in capsys.readouterr().err


def test_scaffold_command(tmp_path, capsys):
    assert main(["scaffold", "hello", "--dir", str(tmp_path), "--team", "qa"]) == 0
    assert (tmp_path / "hello" / "manifest.json").exists()
    out = capsys.readouterr().out
    assert "python -m sidecar --manifest" in out and "python -m registry tokens create --team qa" in out
    assert main(["scaffold", "hello", "--dir", str(tmp_path)]) == EXIT_CONFIG

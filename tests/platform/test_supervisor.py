from __future__ import annotations

import io
import os
import signal
import socket
import sys
import threading
import time

import pytest

SLEEPER = "import signal, sys, time; print('up', flush=True); time.sleep(60)"


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_port_in_use_detects_a_listening_socket(supervisor_module):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert supervisor_module.port_in_use(port)
    assert not supervisor_module.port_in_use(port)


def test_start_logs_with_prefix_and_stop_leaves_no_process(supervisor_module):
    out = io.StringIO()
    services = [
        supervisor_module.Service("first", [sys.executable, "-c", SLEEPER]),
        supervisor_module.Service("second", [sys.executable, "-c", SLEEPER]),
    ]
    supervisor = supervisor_module.Supervisor(services, out=out)
    supervisor.start_all()
    pids = [r.process.pid for r in supervisor.running]
    assert wait_for(lambda: out.getvalue().count("up") == 2)
    assert " first | up" in out.getvalue() and "second | up" in out.getvalue()
    supervisor.stop_all(grace=5)
    assert not any(alive(pid) for pid in pids)


def test_stop_kills_a_child_that_ignores_sigterm(supervisor_module):
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    out = io.StringIO()
    supervisor = supervisor_module.Supervisor([supervisor_module.Service("stubborn", [sys.executable, "-c", stubborn])], out=out)
    supervisor.start_all()
    assert wait_for(lambda: "up" in out.getvalue())
    pid = supervisor.running[0].process.pid
    supervisor.stop_all(grace=1)
    assert not alive(pid)
    assert "killing it" in out.getvalue()


def test_a_service_that_dies_before_ready_fails_the_start(supervisor_module):
    service = supervisor_module.Service("broken", [sys.executable, "-c", "print('boom'); raise SystemExit(3)"],
                                        ready=lambda: False)
    supervisor = supervisor_module.Supervisor([service], out=io.StringIO(), ready_timeout=10)
    with pytest.raises(supervisor_module.StartFailed, match="broken exited with code 3"):
        supervisor.start_all()
    supervisor.stop_all(grace=1)


def test_readiness_waits_for_the_probe(supervisor_module):
    marker = {"ready_at": time.monotonic() + 0.5}
    service = supervisor_module.Service("slow", [sys.executable, "-c", SLEEPER],
                                        ready=lambda: time.monotonic() >= marker["ready_at"])
    out = io.StringIO()
    supervisor = supervisor_module.Supervisor([service], out=out)
    started = time.monotonic()
    supervisor.start_all()
    assert time.monotonic() - started >= 0.45
    assert "slow is ready" in out.getvalue()
    supervisor.stop_all(grace=2)


def test_watch_restarts_a_crashed_service(supervisor_module):
    out = io.StringIO()
    supervisor = supervisor_module.Supervisor([supervisor_module.Service("flaky", [sys.executable, "-c", SLEEPER])], out=out)
    supervisor.start_all()
    watcher = threading.Thread(target=supervisor.watch, daemon=True)
    watcher.start()
    first = supervisor.running[0].process.pid
    assert wait_for(lambda: "up" in out.getvalue())
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: supervisor.running[0].process.pid != first and supervisor.running[0].exit_code is None)
    assert "restarting" in out.getvalue()
    supervisor.stop_all(grace=2)
    watcher.join(timeout=3)


def test_children_die_with_the_launcher_even_on_kill_9(supervisor_module, tmp_path):
    script = tmp_path / "launcher.py"
    script.write_text(
        "import importlib.util, sys, time\n"
        f"spec = importlib.util.spec_from_file_location('supervisor', {str(supervisor_module.__file__)!r})\n"
        "m = importlib.util.module_from_spec(spec); sys.modules['supervisor'] = m; spec.loader.exec_module(m)\n"
        f"s = m.Supervisor([m.Service('child', [sys.executable, '-c', {SLEEPER!r}])])\n"
        "s.start_all(); print('child', s.running[0].process.pid, flush=True); time.sleep(60)\n"
    )
    import subprocess
    launcher = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = None
    for line in launcher.stdout:
        if line.startswith("child "):
            child = int(line.split()[1])
            break
    assert child is not None and alive(child)
    launcher.kill()
    launcher.wait()
    assert wait_for(lambda: not alive(child), timeout=5)

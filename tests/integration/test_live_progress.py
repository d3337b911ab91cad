"""``cd2 load`` on a terminal: the live display, read from a pseudo-terminal.

The emulator's ``slow`` fault holds each table's job for a moment, so the display is drawn while
the tables run: it must show the running tables by name with their counters, then the overall
line reach every table done. Without a terminal (or with ``--log-format json``) the plain log
lines stay: tests/integration/test_cli.py checks those.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.helpers import EmulatorProcess
from tests.integration.test_cli import cd2_env, load_args

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_terminal(args: list[str], env: dict[str, str], timeout: float = 180) -> tuple[int, str]:
    """Run a command with stdin, stdout and stderr on a fresh pseudo-terminal (140x40)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    process = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the terminal closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_live_display_on_a_terminal(
    emulator: EmulatorProcess, database: str, tmp_path: Path
) -> None:
    emulator.add_faults({"route": "get_job", "kind": "slow", "delay": 1.5, "count": 3})
    env = cd2_env(emulator, TERM="xterm-256color")
    code, raw = run_on_terminal(load_args(database, tmp_path), env)
    text = ANSI.sub("", raw)
    assert code == 0, text[-3000:]
    # redrawn in place: cursor movements, several frames
    assert "\x1b[" in raw
    frames = [line for line in text.splitlines() if re.search(r"tables .*\d+/3 done", line)]
    assert len(frames) >= 3, text[-3000:]
    # a running table's line: name, phase and counters
    running = [line for line in text.splitlines() if "canvas.users" in line and "rows/s" in line]
    assert running, text[-3000:]
    assert re.search(r"snapshot: [\d,]+ rows, [\d.]+ MB", running[0])
    # the overall line moves from nothing done to every table done
    done = [int(m.group(1)) for m in re.finditer(r"(\d+)/3 done", text)]
    assert done[0] == 0 and done[-1] == 3, done
    # per-table INFO log lines went to the display, not the terminal's scrollback
    assert "loader.progress" not in text
    # the summary table still ends the run, on stdout
    assert re.search(r"canvas\.submissions\s+ok\s+snapshot", text)


@pytest.mark.parametrize(
    "flags", [["--log-format", "json"], ["--no-live"]], ids=["json", "no-live"]
)
def test_log_lines_instead_of_the_display_on_a_terminal(
    emulator: EmulatorProcess, database: str, tmp_path: Path, flags: list[str]
) -> None:
    env = cd2_env(emulator, TERM="xterm-256color")
    code, raw = run_on_terminal(load_args(database, tmp_path, *flags), env)
    text = ANSI.sub("", raw)
    assert code == 0, text[-3000:]
    assert "/3 done" not in text
    # each table's phase lines are logged, as without a terminal
    phases = [line for line in text.splitlines() if "loader.progress" in line]
    assert any("canvas.users" in line and "snapshot" in line for line in phases), text[-3000:]
    if flags[0] == "--log-format":
        for line in phases:
            assert json.loads(line)["logger"] == "loader.progress"

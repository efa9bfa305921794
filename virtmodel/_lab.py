"""Starting JupyterLab where a newcomer is: as root, without a display, in a container.

:func:`lab_command` decides what JupyterLab is told, and why (one line per
decision); :func:`serve` runs it and prints the address, token included, once
the server answers.

- As root (a Docker container, CI, many cloud notebook hosts) JupyterLab refuses
  to start unless given ``--allow-root``: it is given it.
- Without a display or a web browser (a remote server, a container) nothing
  could open the page: JupyterLab is given ``--no-browser`` and the address is
  printed instead.
- It listens on this machine only (JupyterLab's default) unless asked with
  ``ip`` (``--ip 0.0.0.0`` in a container whose port is published).
- The port is chosen here (the first free one from 8888, or ``port``) and the
  token too (``JUPYTER_TOKEN`` if set, else a random one, passed in the
  environment, not on the command line), so the address printed is the real one.

>>> tour = Path("/repo/notebooks/01_tour.ipynb")
>>> launch = lab_command(tour, port=8899, token="abc", root=True, browser=False)
>>> "--allow-root" in launch.command and "--no-browser" in launch.command
True
>>> launch.url
'http://127.0.0.1:8899/lab/tree/01_tour.ipynb?token=abc'
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import webbrowser
from dataclasses import dataclass, field
from pathlib import Path

FIRST_PORT = 8888
PORT_TRIES = 50
START_SECONDS = 120
#: ``--ip`` values that mean "every interface": the server is checked on 127.0.0.1
_ANY = ("", "0.0.0.0", "*", "::")
_LOCAL = ("localhost", "127.0.0.1")


@dataclass
class Launch:
    """What to run, in which folder and environment, the address it serves, and why (notes)."""

    command: list
    cwd: Path
    env: dict
    url: str
    check_url: str
    notes: list = field(default_factory=list)


def is_root() -> bool:
    """True for the superuser (POSIX); never on Windows."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def has_browser() -> bool:
    """Can this session open a web browser? (No on a Linux or BSD without a display.)"""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False  # a console browser in the server's own terminal is no help
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def free_port(host: str = "127.0.0.1", first: int = FIRST_PORT) -> int:
    """The first port from ``first`` that nothing listens on at ``host``."""
    for port in range(first, first + PORT_TRIES):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in {first}..{first + PORT_TRIES - 1}: pass --port")


def _given(extra, *names) -> bool:
    return any(arg.split("=")[0] in names for arg in extra)


def lab_command(tour: Path, extra=(), ip=None, port=None, token=None, root=None, browser=None) -> Launch:
    """The JupyterLab command for ``tour``; JupyterLab serves the tour's folder (its root).

    ``root`` and ``browser`` default to what this machine is (:func:`is_root`,
    :func:`has_browser`); what ``extra`` already says (``--allow-root``,
    ``--no-browser``, ...) is left as the user said it.
    """
    tour = Path(tour)
    cwd = tour.parent
    root = is_root() if root is None else root
    browser = has_browser() if browser is None else browser
    token = token or os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    host = "127.0.0.1" if ip is None or ip in _ANY or ip in _LOCAL else ip
    port = free_port(host if ip not in _ANY else "0.0.0.0") if port is None else port
    command = [sys.executable, "-m", "jupyterlab", str(tour), f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", *extra]
    notes = []
    if root and not _given(extra, "--allow-root", "--ServerApp.allow_root"):
        command.append("--allow-root")
        notes.append("running as root (a container, CI or a cloud host): JupyterLab is given --allow-root")
    if not browser and not _given(extra, "--no-browser", "--browser", "--ServerApp.open_browser",
                                  "--ServerApp.browser"):
        command.append("--no-browser")
        notes.append("no display or web browser here: open the address printed below in a browser")
    if ip is not None:
        command.append(f"--ServerApp.ip={ip}")
        where = "every interface" if ip in _ANY else ip
        notes.append(f"listening on {where} (--ip {ip}), port {port}: reachable from other machines "
                     "(in a container: publish the port, e.g. docker run -p {0}:{0}); the token guards it"
                     .format(port))
    path = tour.relative_to(cwd).as_posix()
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/lab/tree/{path}?token={token}"
    check_url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/api/status?token={token}"
    return Launch(command, cwd, {**os.environ, "JUPYTER_TOKEN": token}, url, check_url, notes)


def _wait_until_up(launch: Launch, process, seconds=START_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(launch.check_url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def banner(url: str) -> str:
    """The lines that show the address (token included) to open."""
    rule = "=" * min(max(len(url) + 8, 40), 110)
    return "\n".join(["", rule, "  The tour is ready. Open this address in a web browser:", "", f"    {url}",
                      "", "  Stop JupyterLab with Ctrl-C (twice to skip its question).", rule, ""])


def serve(launch: Launch) -> int:
    """Run JupyterLab, print the address once it answers, wait for it to stop; its exit status.

    SIGTERM is passed on to JupyterLab; a second Ctrl-C stops it.
    """
    for note in launch.notes:
        print(note, flush=True)
    process = subprocess.Popen(launch.command, cwd=str(launch.cwd), env=launch.env)
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    interrupts = 0
    try:
        while True:
            try:
                if interrupts == 0 and _wait_until_up(launch, process):
                    print(banner(launch.url), flush=True)
                    interrupts = -1  # shown: just wait
                return process.wait()
            except KeyboardInterrupt:  # JupyterLab got it too (it asks, or stops)
                interrupts = max(interrupts, 0) + 1
                if interrupts >= 2:
                    process.terminate()
                    try:
                        return process.wait(15)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        return process.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["Launch", "banner", "free_port", "has_browser", "is_root", "lab_command", "serve"]

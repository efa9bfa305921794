"""The main job: python -m virtmodel.notebooks open (what JupyterLab is told) and run (headless).

``open`` itself is driven end to end, as root and without a display, in
``tests/browser/test_readme_run_command.py``; here, without starting anything,
each decision :func:`virtmodel._lab.lab_command` takes and the line it prints.
"""

import socket
import sys
from pathlib import Path

import pytest

from virtmodel import _lab, notebooks

TOUR = notebooks.NOTEBOOKS_DIR / notebooks.TOUR


def _launch(**kwargs):
    kwargs = {"port": 8899, "token": "t0k", "root": False, "browser": True, **kwargs}
    return _lab.lab_command(TOUR, **kwargs)


def test_a_plain_user_with_a_browser_gets_jupyterlab_as_it_is():
    launch = _launch()
    assert launch.command[:4] == [sys.executable, "-m", "jupyterlab", str(TOUR)]
    assert not {"--allow-root", "--no-browser"} & set(launch.command)
    assert not any(arg.startswith("--ServerApp.ip") for arg in launch.command)  # this machine only
    assert launch.notes == []
    assert launch.url == "http://127.0.0.1:8899/lab/tree/01_tour.ipynb?token=t0k"
    assert launch.env["JUPYTER_TOKEN"] == "t0k" and "t0k" not in " ".join(launch.command)  # not in `ps`
    assert launch.cwd == TOUR.parent


def test_root_and_no_display_are_detected_and_said_in_one_line_each():
    launch = _launch(root=True, browser=False)
    assert "--allow-root" in launch.command and "--no-browser" in launch.command
    assert len(launch.notes) == 2 and "root" in launch.notes[0] and "--allow-root" in launch.notes[0]
    assert "no display or web browser" in launch.notes[1]
    assert all("\n" not in note for note in launch.notes)


def test_what_the_user_passes_is_left_as_said():
    launch = _launch(root=True, browser=False, extra=["--allow-root", "--ServerApp.open_browser=True"])
    assert launch.command.count("--allow-root") == 1 and "--no-browser" not in launch.command
    assert launch.notes == []


def test_ip_is_passed_through_only_when_asked():
    launch = _launch(ip="0.0.0.0")
    assert "--ServerApp.ip=0.0.0.0" in launch.command
    assert launch.url.startswith("http://127.0.0.1:8899/")  # checked and shown on this machine
    assert "every interface" in launch.notes[0] and "-p 8899:8899" in launch.notes[0]
    assert _launch(ip="10.1.2.3").url.startswith("http://10.1.2.3:8899/")


def test_token_from_the_environment_or_random(monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "from-env")
    assert _lab.lab_command(TOUR, port=1, root=False, browser=True).url.endswith("token=from-env")
    monkeypatch.delenv("JUPYTER_TOKEN")
    tokens = {_lab.lab_command(TOUR, port=1, root=False, browser=True).env["JUPYTER_TOKEN"] for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 32 for t in tokens)


def test_no_display_means_no_browser(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    assert _lab.has_browser() is False
    monkeypatch.setenv("BROWSER", "firefox")
    assert _lab.has_browser() is True


def test_the_port_chosen_is_free_and_the_banner_shows_the_address():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert _lab.free_port(first=taken) != taken
    url = _launch().url
    lines = _lab.banner(url).splitlines()
    assert f"    {url}" in lines and max(map(len, lines)) <= 110


@pytest.mark.slow
def test_run_writes_html_figures_and_an_index(tmp_path):
    pytest.importorskip("nbconvert")  # the notebooks extra (installed with the test extra)
    status = notebooks.main(["run", "--out", str(tmp_path), "06_deriving"])
    assert status == 0
    pages = sorted(p.name for p in tmp_path.glob("*.html"))
    assert "index.html" in pages and any(p.startswith("06_deriving") for p in pages)
    index = (tmp_path / "index.html").read_text()
    assert "06_deriving" in index
    page = next(tmp_path.glob("06_deriving*.html")).read_text()
    assert "Traceback" not in page


def test_the_tour_is_where_open_looks():
    assert Path(TOUR).is_file()

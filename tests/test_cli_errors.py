"""The command-line tools on user errors: one line on stderr, exit status 2, no traceback, nothing written.

``python -m virtmodel.report`` and ``python -m virtmodel.notebooks`` (issue 13):
a bad or missing scenario file, an ``--out`` that is empty, an existing file or a
folder that cannot be written; ``--debug`` shows the traceback instead. One test
runs the real command in a subprocess; the others call ``main`` in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from virtmodel import ParameterError, notebooks, report
from virtmodel._cli import USAGE_STATUS, UserError, output_folder

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = resources.files("virtmodel").joinpath("scenarios")


def _one_line_error(capsys, *fragments) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{captured.err}"
    assert "Traceback" not in captured.err + captured.out
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
    return lines[0]


@pytest.fixture
def bad_scenario(tmp_path) -> Path:
    data = json.loads(SHIPPED.joinpath("small_packets_io_paths.json").read_text(encoding="utf-8"))
    data["techniques"][1]["parameters"]["exit_cycles"] = -5
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_the_real_command_prints_one_line_and_exits_2(bad_scenario, tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "virtmodel.report", "--scenario", str(bad_scenario),
                           "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == USAGE_STATUS
    assert done.stderr.startswith("python -m virtmodel.report: error: techniques[1].exit_cycles = -5")
    assert str(bad_scenario) in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and not out.exists()


def test_bad_or_missing_scenario_file(bad_scenario, tmp_path, capsys):
    out = tmp_path / "out"
    assert report.main(["--scenario", str(bad_scenario), "--out", str(out)]) == USAGE_STATUS
    _one_line_error(capsys, "techniques[1].exit_cycles", str(bad_scenario))
    missing = tmp_path / "no_such.json"
    assert report.main(["--scenario", str(missing), "--out", str(out)]) == USAGE_STATUS
    _one_line_error(capsys, str(missing), "No such file")
    assert not out.exists()  # nothing written before the scenario was checked


def test_debug_shows_the_traceback(bad_scenario, tmp_path):
    with pytest.raises(ParameterError, match=r"techniques\[1\]\.exit_cycles"):
        report.main(["--scenario", str(bad_scenario), "--out", str(tmp_path / "o"), "--debug"])


@pytest.mark.parametrize("main", [lambda out: report.main(["--scenario", "x.json", "--out", out]),
                                  lambda out: notebooks.main(["run", "--out", out])],
                         ids=["report", "notebooks"])
def test_out_empty_or_a_file_is_refused(main, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main("") == USAGE_STATUS
    _one_line_error(capsys, "--out is empty")
    (tmp_path / "taken").write_text("keep me")
    assert main("taken") == USAGE_STATUS
    _one_line_error(capsys, "is a file, not a folder")
    assert main("taken/deeper") == USAGE_STATUS
    _one_line_error(capsys, "is a file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
    assert (tmp_path / "taken").read_text() == "keep me"


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder this user cannot write in: chmod 555, or for root (who ignores modes) chattr +i."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False).returncode:
            pytest.skip("running as root without chattr +i here: no folder is read-only for root")
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)


def test_out_in_a_read_only_folder_is_refused(read_only_folder, capsys):
    out = read_only_folder / "report"
    assert report.main(["--scenario", str(SHIPPED.joinpath("small_packets_io_paths.json")),
                        "--out", str(out)]) == USAGE_STATUS
    _one_line_error(capsys, "is not writable", str(read_only_folder))
    assert notebooks.main(["run", "--out", str(read_only_folder)]) == USAGE_STATUS
    _one_line_error(capsys, "is not writable")
    assert list(read_only_folder.iterdir()) == []


def test_out_is_normalised_so_nothing_lands_beside_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert output_folder("A/deeper/../x") == tmp_path / "A" / "x"
    assert output_folder("./out/") == tmp_path / "out"
    assert not (tmp_path / "A").exists()  # checked, not created
    with pytest.raises(UserError):
        output_folder("   ")


def test_notebooks_user_errors(tmp_path, capsys, monkeypatch):
    assert notebooks.main(["run", "--out", str(tmp_path / "o"), "no_such_notebook_xyz"]) == USAGE_STATUS
    _one_line_error(capsys, "no notebook name contains 'no_such_notebook_xyz'", "01_tour.ipynb")
    monkeypatch.setattr(notebooks.importlib.util, "find_spec", lambda name: None)
    assert notebooks.main(["open"]) == USAGE_STATUS
    _one_line_error(capsys, "JupyterLab is not installed", "[notebooks]")
    with pytest.raises(SystemExit) as exit_:  # argparse's own one line
        notebooks.main(["run", "--out", str(tmp_path / "o"), "--bogus"])
    assert exit_.value.code == USAGE_STATUS
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err

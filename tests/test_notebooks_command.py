"""The main job's headless variant: python -m virtmodel.notebooks run."""

import pytest

from virtmodel import notebooks

nbconvert = pytest.importorskip("nbconvert")  # the notebooks extra (installed with the test extra)


@pytest.mark.slow
def test_run_writes_html_figures_and_an_index(tmp_path):
    status = notebooks.main(["run", "--out", str(tmp_path), "06_deriving"])
    assert status == 0
    pages = sorted(p.name for p in tmp_path.glob("*.html"))
    assert "index.html" in pages and any(p.startswith("06_deriving") for p in pages)
    index = (tmp_path / "index.html").read_text()
    assert "06_deriving" in index
    page = next(tmp_path.glob("06_deriving*.html")).read_text()
    assert "Traceback" not in page


def test_run_with_an_unknown_name_fails_clearly(tmp_path):
    with pytest.raises((SystemExit, ValueError)):
        notebooks.main(["run", "--out", str(tmp_path), "no_such_notebook_xyz"])

"""The main job: open the notebooks in JupyterLab, or run them all headless into a report.

``python -m virtmodel.notebooks open [--ip IP] [--port N] [JUPYTER ARGS...]``
    Starts JupyterLab on ``notebooks/01_tour.ipynb`` (the tour; the other
    notebooks are beside it) and prints its address, token included, once it
    answers. As root it passes ``--allow-root``, without a display or browser
    ``--no-browser``, saying so in one line each (:mod:`virtmodel._lab`). It
    listens on this machine only unless given ``--ip`` (``--ip 0.0.0.0`` in a
    container with a published port). Other arguments go to JupyterLab.

``python -m virtmodel.notebooks run [--out output] [NAME ...]``
    Executes every notebook (or those whose file name contains a NAME) top to
    bottom with nbclient on the inline backend, as CI does, and writes into
    the output folder: each executed notebook as HTML (nbconvert), every
    figure it showed as ``figures/<notebook>-<n>.png``, and ``index.html``, a
    short report (status, time, figures, errors). Exit status 1 if a
    notebook failed.

``python -m virtmodel.notebooks export --student DIR [--solutions DIR]``
    Writes every notebook without its ``solution`` cells into the student
    folder (the ``exercise`` cells stay) and, if asked, every notebook whole
    into the solutions folder (:mod:`virtmodel.notebook_export`).

The notebooks live in the source checkout (``notebooks/`` beside the
package); install the ``notebooks`` extra for JupyterLab, nbclient and nbconvert.
A user error (no notebooks folder, JupyterLab missing, a bad ``--out``, an
unknown name) is one line on stderr and exit status 2; ``--debug`` shows the
traceback.
"""

from __future__ import annotations

import argparse
import base64
import html
import importlib.util
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ._cli import UserError, add_debug_option, output_folder, run

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
TOUR = "01_tour.ipynb"
CELL_TIMEOUT = 300
# The kernel logs errors only: ipykernel >= 7 warns on every start that its local
# TCP transport is unencrypted, which says nothing about the notebook.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


@dataclass
class Outcome:
    """What running one notebook gave: status, seconds, HTML page, figures, error text."""

    name: str
    ok: bool = False
    seconds: float = 0.0
    page: str = ""
    figures: list = field(default_factory=list)
    error: str = ""


def notebooks(directory=NOTEBOOKS_DIR, names=()) -> list:
    """The notebooks in ``directory`` (sorted), only those matching one of ``names`` if given."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"no notebooks folder at {directory}: run from a source checkout of virtmodel")
    found = sorted(directory.glob("*.ipynb"))
    return [p for p in found if not names or any(n in p.name for n in names)]


def open_lab(extra=(), directory=NOTEBOOKS_DIR, ip=None, port=None) -> int:
    """Start JupyterLab on the tour notebook (blocks until JupyterLab exits); its exit status."""
    from ._lab import lab_command, serve

    notebooks(directory)
    if importlib.util.find_spec("jupyterlab") is None:
        raise UserError("JupyterLab is not installed: pip install -e '.[notebooks]' (see the README)")
    return serve(lab_command(Path(directory) / TOUR, extra, ip=ip, port=port))


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _widget_outputs(model_id, state, seen) -> list:
    """The outputs shown inside a widget: its Output widgets' outputs, children first to last."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id].get("state", {})
    found = list(model.get("outputs", []))
    if model.get("format") == "png":  # an ipywidgets.Image (the dashboard's plot): its PNG is a saved buffer
        found += [{"data": {"image/png": b["data"]}} for b in state[model_id].get("buffers", [])
                  if b.get("path") == ["value"] and b.get("encoding", "base64") == "base64"]
    for child in model.get("children", []):
        found += _widget_outputs(str(child).removeprefix("IPY_MODEL_"), state, seen)
    return found


def _displayed(nb) -> list:
    """Every output the notebook shows, in order, including those inside widgets (sliders' plots).

    A figure drawn into an ``ipywidgets.Output`` (a slider's plot, the dashboard)
    is not a cell output but part of the saved widget state; it is shown where
    the widget is.
    """
    state = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state", {})
    shown, seen = [], set()
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            shown.append(output)
            view = output.get("data", {}).get(_WIDGET_VIEW)
            if view:
                shown += _widget_outputs(view.get("model_id", ""), state, seen)
    return shown


def _figures(nb, stem, figures_dir) -> list:
    """Write every PNG the notebook displayed (in cells and in widgets); returns the file paths."""
    written = []
    for output in _displayed(nb):
        data = output.get("data", {})
        if "image/png" in data:
            path = figures_dir / f"{stem}-{len(written) + 1}.png"
            path.write_bytes(base64.b64decode(data["image/png"]))
            written.append(path)
    return written


def run_one(path, out) -> Outcome:
    """Execute one notebook in its folder; write its HTML page and figures into ``out``."""
    import nbclient
    import nbformat
    from nbconvert import HTMLExporter

    path, out = Path(path), Path(out)
    outcome = Outcome(path.name)
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     extra_arguments=KERNEL_ARGUMENTS,
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
        outcome.ok = True
    except (nbclient.exceptions.CellExecutionError, nbclient.exceptions.CellTimeoutError,
            nbclient.exceptions.DeadKernelError) as error:  # a failing notebook: keep going, report it
        outcome.error = str(error)[-3000:]
    outcome.seconds = time.perf_counter() - start
    (out / "figures").mkdir(parents=True, exist_ok=True)
    outcome.figures = _figures(nb, path.stem, out / "figures")
    page = out / f"{path.stem}.html"
    page.write_text(HTMLExporter().from_notebook_node(nb)[0], encoding="utf-8")
    outcome.page = page.name
    return outcome


def _index(outcomes, out) -> Path:
    rows, shots = [], []
    for o in outcomes:
        status = "ok" if o.ok else "<b style='color:#b00'>failed</b>"
        rows.append(f"<tr><td><a href='{o.page}'>{html.escape(o.name)}</a></td><td>{status}</td>"
                    f"<td>{o.seconds:.1f} s</td><td>{len(o.figures)}</td></tr>")
        if o.error:
            rows.append(f"<tr><td colspan='4'><pre>{html.escape(o.error)}</pre></td></tr>")
        shots += [f"<a href='figures/{f.name}'><img src='figures/{f.name}' title='{f.name}'></a>" for f in o.figures]
    total = sum(o.seconds for o in outcomes)
    ok = sum(o.ok for o in outcomes)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>virtmodel notebooks</title>
<style>body{{font-family:sans-serif;max-width:72em;margin:2em auto}}td,th{{padding:.2em .8em;text-align:left}}
img{{height:180px;margin:4px;border:1px solid #ddd}}pre{{white-space:pre-wrap;font-size:80%}}</style></head><body>
<h1>virtmodel: the notebooks, executed</h1>
<p>{ok} of {len(outcomes)} notebooks ran without error in {total:.0f} s ({time.strftime('%Y-%m-%d %H:%M')}).
Each page is the executed notebook; the figures are below.</p>
<table><tr><th>notebook</th><th>status</th><th>time</th><th>figures</th></tr>{''.join(rows)}</table>
<h2>Figures</h2><p>{''.join(shots)}</p></body></html>"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def run_all(out="output", names=(), directory=NOTEBOOKS_DIR) -> list:
    """Execute the notebooks headless into ``out`` (pages, figures, ``index.html``); returns the outcomes."""
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for path in notebooks(directory, names):
        outcome = run_one(path, out)
        print(f"{path.name:<45} {'ok' if outcome.ok else 'FAILED':<7} {outcome.seconds:6.1f} s, "
              f"{len(outcome.figures)} figures", flush=True)
        outcomes.append(outcome)
    print("report:", _index(outcomes, out))
    return outcomes


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m virtmodel.notebooks", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser("open", help="start JupyterLab on the tour notebook "
                                      "(other arguments go to JupyterLab)",
                         description="Start JupyterLab on the tour and print its address (token included). "
                                     "As root it passes --allow-root, without a display --no-browser; "
                                     "other arguments go to JupyterLab.")
    lab.add_argument("--ip", help="listen on this address (default: this machine only; 0.0.0.0: every "
                                  "interface, e.g. in a container with a published port)")
    lab.add_argument("--port", type=int, help="port (default: the first free one from 8888)")
    add_debug_option(lab)
    headless = sub.add_parser("run", help="execute every notebook headless: HTML pages, figures, index.html")
    headless.add_argument("--out", default="output", help="output folder (default: output)")
    headless.add_argument("names", nargs="*", help="only notebooks whose file name contains one of these")
    add_debug_option(headless)
    export = sub.add_parser("export", help="write the notebooks without their solutions (--student) "
                                           "and/or with them (--solutions)")
    export.add_argument("--student", metavar="DIR", help="folder for the notebooks without solution cells")
    export.add_argument("--solutions", metavar="DIR", help="folder for the notebooks with their solutions")
    add_debug_option(export)
    return parser


def _command(args) -> int:
    if args.command == "open":
        return open_lab(args.extra, ip=args.ip, port=args.port)
    if args.command == "export":
        from .notebook_export import export

        for kind, paths in export(args.student, args.solutions).items():
            print(f"{kind}: {len(paths)} notebooks in {paths[0].parent if paths else '-'}")
        return 0
    out = output_folder(args.out)
    if not notebooks(NOTEBOOKS_DIR, args.names):
        available = ", ".join(p.name for p in notebooks(NOTEBOOKS_DIR, ()))
        asked = " or ".join(map(repr, args.names))
        raise UserError(f"no notebook name contains {asked}; available: {available}")
    return 0 if all(o.ok for o in run_all(out, args.names)) else 1


def main(argv=None) -> int:
    """Command line: ``open`` or ``run`` (see the module docstring)."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "open":
        parser.error("unrecognized arguments: " + " ".join(extra))
    args.extra = extra
    return run(parser.prog, _command, args)


if __name__ == "__main__":
    sys.exit(main())

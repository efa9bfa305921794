"""Run a short GNU Octave ``queueing`` script in a subprocess and read the numbers it prints.

Tests that use it are skipped, with the reason, when Octave or its ``queueing``
package is not installed. Scripts print one line of numbers per output
(``printf("%.17g ", X); printf("\\n")``); Octave's matrices are printed
column-major, so a classes x stations matrix comes back in the order of a
stations x classes NumPy array's ``ravel()``.
"""

import shutil
import subprocess

import numpy as np
import pytest


def octave_lines(script: str) -> list:
    """The printed lines of ``script`` (after ``pkg load queueing``) as float arrays."""
    exe = shutil.which("octave-cli") or shutil.which("octave")
    if exe is None:
        pytest.skip("GNU Octave is not installed (the peer values come from its queueing package)")
    code = 'pkg load queueing; warning("off", "all"); ' + script
    out = subprocess.run([exe, "--no-gui", "--quiet", "--eval", code], capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0:
        if "queueing" in out.stderr and "package" in out.stderr:
            pytest.skip("Octave's queueing package is not installed")
        raise AssertionError(f"octave failed: {out.stderr[-500:]}")
    return [np.array(line.split(), dtype=float) for line in out.stdout.strip().splitlines()]


def matrix(a) -> str:
    """A NumPy array as an Octave literal with 17 significant digits."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    return "[" + ";".join(" ".join(f"{v:.17g}" for v in row) for row in a) + "]"


def printing(*names) -> str:
    """Octave statements printing each variable on its own line."""
    return " ".join(f'printf("%.17g ", {n}); printf("\\n");' for n in names)

"""The README's Python examples run, and every number they print in a comment is what the code gives.

Each ```python block of README.md is executed statement by statement in one
namespace per block. Where an expression statement is followed by a comment that
starts with a value (on its own line or on the next, comment-only line), the
expression's value must match it: a number to the precision it is written with
(``23.03`` means within 0.005), or ``None``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
VALUE = re.compile(r"#\s*(None\b|[-+]?\d[\d,]*(?:\.\d+)?)(?![\d/(*^])")  # a value, not a formula


def _claim(lines, statement):
    """The value a comment claims for ``statement``: the same line's comment, else the next comment-only line."""
    own = lines[statement.end_lineno - 1][statement.end_col_offset:]
    following = lines[statement.end_lineno] if statement.end_lineno < len(lines) else ""
    for text in (own, following if following.lstrip().startswith("#") else ""):
        match = VALUE.match(text.strip())
        if match:
            return match.group(1)
    return None


def _agrees(value, claim: str) -> bool:
    if claim == "None":
        return value is None
    decimals = len(claim.split(".")[1]) if "." in claim else 0
    return abs(float(value) - float(claim.replace(",", ""))) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs_and_its_numbers_are_true(block):
    lines = block.splitlines()
    namespace: dict = {}
    checked = 0
    for statement in ast.parse(block).body:
        if not isinstance(statement, ast.Expr):
            exec(compile(ast.Module([statement], []), "README.md", "exec"), namespace)  # noqa: S102 (the README's own code)
            continue
        value = eval(compile(ast.Expression(statement.value), "README.md", "eval"), namespace)
        claim = _claim(lines, statement)
        if claim is not None:
            snippet = ast.get_source_segment(block, statement)
            assert _agrees(value, claim), f"README says {snippet} gives {claim}; it gives {value!r}"
            checked += 1
    assert checked, "a README example block with no value checked"

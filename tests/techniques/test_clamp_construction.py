"""How the wake-up terms are built (techniques/interrupt_window.never_negative, notifications.wake_terms):
the clamp max(0, p) built without SymPy's comparison search is the same expression sympy.Max(0, p) gives
(same class, same arguments in the same order, equal and of equal hash), it still simplifies where SymPy
can decide the sign, and a number put in later evaluates it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from virtmodel.symbols import symbols_for
from virtmodel.techniques import get
from virtmodel.techniques import interrupt_window, notifications
from virtmodel.techniques.interrupt_window import never_negative

LAM, A, B = sp.symbols("lambda a b", positive=True)
X = sp.Symbol("x")  # no assumptions


@pytest.mark.parametrize("p", [
    (1 - LAM * A) / (1 + LAM * B),          # a fixed point's idle probability: sign unknown
    1 - LAM * A - LAM**2 * B * (A - B),
    X,
    1 / (1 + LAM * B),                      # positive: Max gives p
    -LAM * A,                               # negative: Max gives 0
    sp.Max(X, LAM),                         # a Max inside: flattened by Max
    sp.Min(X, -LAM),
    sp.Rational(1, 3), sp.Integer(-2), 0, 0.25,
])
def test_same_expression_as_sympy_max(p):
    got, want = never_negative(p), sp.Max(0, p)
    assert got == want and hash(got) == hash(want)
    assert type(got) is type(want) and got.args == want.args
    assert sp.latex(got) == sp.latex(want) and sp.srepr(got) == sp.srepr(want)


def test_numbers_put_in_later_evaluate_the_clamp():
    p = never_negative((1 - LAM * A) / (1 + LAM * B))
    assert isinstance(p, sp.Max)
    assert p.subs({LAM: 2, A: 1, B: 1}) == 0
    assert p.xreplace({LAM: sp.Integer(1), A: sp.Rational(1, 2), B: sp.Integer(1)}) == sp.Rational(1, 4)
    assert p.subs(LAM, 0) == 1
    f = sp.lambdify((LAM, A, B), p, "numpy")
    np.testing.assert_array_equal(f(np.array([0.0, 1.0, 2.0]), 1.0, 1.0), [1.0, 0.0, 0.0])


def test_every_technique_clamp_as_sympy_builds_it(monkeypatch):
    """Every never_negative a derivation calls, in every wake-up mode: what sympy.Max(0, p) gives."""
    seen = []
    built = interrupt_window.never_negative

    def both(p):
        got, want = built(p), sp.Max(0, p)
        assert got == want and type(got) is type(want) and got.args == want.args, p
        seen.append(p)
        return got

    monkeypatch.setattr(interrupt_window, "never_negative", both)
    monkeypatch.setattr(notifications, "never_negative", both)
    for name in ("hardware_assist", "paravirtual", "sriov"):
        for mode in notifications.WAKEUP_MODES:
            technique = dataclasses.replace(get(name), wakeups=mode)
            technique.wake_terms(symbols_for(type(technique)))
    assert len(seen) >= 8

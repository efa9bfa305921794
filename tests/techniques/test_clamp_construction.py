"""How the wake-up terms are built (techniques/interrupt_window.never_negative, notifications.wake_terms):
the clamp max(0, p) built without SymPy's comparison search is the same expression sympy.Max(0, p) gives
(same class, same arguments in the same order, equal and of equal hash), it still simplifies where SymPy
can decide the sign, and a number put in later evaluates it; the wake-up terms are built once per
technique structure (class and flags), whatever its values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from virtmodel.model._derive import derive, model_key
from virtmodel.platform import Platform
from virtmodel.symbols import symbols_for
from virtmodel.techniques import get, names
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
    for name in [n for n in names() if hasattr(get(n), "wake_terms")]:
        for mode in notifications.WAKEUP_MODES:
            notifications._wake_terms.cache_clear()
            technique = dataclasses.replace(get(name), wakeups=mode)
            technique.wake_terms(symbols_for(type(technique)))
    assert len(seen) >= 8


def test_wake_terms_built_once_per_structure():
    t = get("hardware_assist")
    s = symbols_for(type(t))
    first = t.wake_terms(s)
    again = dataclasses.replace(t, vcpu_wake_time=t.vcpu_wake_time * 2).wake_terms(s)  # a value, not a flag
    assert again is first
    other = dataclasses.replace(t, wakeups="halt_poll").wake_terms(s)
    assert other is not first and other[2].idle != first[2].idle


def test_the_store_is_bounded_and_keyed_by_structure():
    notifications._wake_terms.cache_clear()
    t = get("hardware_assist")
    s = symbols_for(type(t))
    for k, mode in enumerate(notifications.WAKEUP_MODES, 1):
        dataclasses.replace(t, wakeups=mode).wake_terms(s)
        dataclasses.replace(t, wakeups=mode, vcpu_wake_time=1e-3).wake_terms(s)  # a value: the same entry
        assert notifications._wake_terms.cache_info().currsize == k
    assert notifications._wake_terms.cache_info().maxsize is not None


def test_derived_metrics_unchanged_by_the_cache():
    notifications._wake_terms.cache_clear()
    key = model_key(get("hardware_assist"), Platform())
    derive.cache_clear()
    a = {m: derive(key).metrics[m] for m in ("mean_latency", "host_cores", "guest_cores")}
    derive.cache_clear()
    b = {m: derive(key).metrics[m] for m in a}
    assert a == b and "wakeups" in dict(key[0][1:])

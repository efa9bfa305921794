"""What :func:`virtmodel.analysis.fit` returns: values, errors, goodness of fit, identifiability.

Covariance: :math:`C = s^2 (J^\\top J)^{+}` (pseudo-inverse, taken with the columns of
:math:`J` scaled to unit length, so that parameters of very different units do not
cut each other off) with
:math:`s^2 = 1` for known measurement errors and :math:`s^2 = \\chi^2/\\nu` for
relative residuals; standard errors :math:`\\sqrt{C_{jj}}`, NaN for a
parameter along a direction the data does not determine. :math:`R^2` is
:math:`1 - \\sum r^2 / \\sum (y - \\bar y_m)^2` on the weighted, scaled values
(:math:`\\bar y_m` the mean of each metric).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from html import escape as html_escape
from ..model import Model


@dataclass(frozen=True, repr=False)
class FitResult:
    """Fitted parameters of one model (see :func:`virtmodel.analysis.fit`)."""

    model: Model                 # the model with the fitted values
    values: dict
    stderr: dict
    covariance: pd.DataFrame
    correlation: pd.DataFrame
    residuals: pd.DataFrame      # per point and metric: measured, fitted, residual (scaled)
    chi2: float
    dof: int
    r2: float
    non_identifiable: tuple
    determined: tuple            # the combinations of non-identifiable parameters the data fixes
    at_bound: tuple
    singular_values: np.ndarray
    inputs: tuple
    metrics: tuple
    absolute_sigma: bool
    message: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def build(cls, model, fitted, theta, jac, r, y, prediction, norm, metrics, frame, inputs, absolute, bounds, tol,
              solution):
        k = len(fitted)
        chi2 = float(np.sum(r ** 2))
        dof = int(r.size - k)
        norms = np.linalg.norm(jac, axis=0)
        hidden = {p for p, n in zip(fitted, norms) if not n > 0}  # the data does not depend on it at all
        _, s, vt = np.linalg.svd(jac / np.where(norms > 0, norms, 1.0)[None, :], full_matrices=False)
        small = s <= tol * (s[0] if s.size and s[0] > 0 else 1.0)
        determined = []
        if small.any():
            for row in vt[small]:
                hidden.update(fitted[j] for j in np.flatnonzero(np.abs(row) > 0.1))
            group = [j for j, p in enumerate(fitted) if p in hidden]
            determined = _combinations(jac[:, group], [fitted[j] for j in group], tol)
        s2 = 1.0 if absolute else (chi2 / dof if dof > 0 else np.nan)
        unit = np.where(norms > 0, norms, 1.0)  # columns of unit length: units do not set the pseudo-inverse's cut
        scaled = jac / unit[None, :]
        cov = s2 * np.linalg.pinv(scaled.T @ scaled, rcond=tol ** 2, hermitian=True) / np.outer(unit, unit)
        for j, p in enumerate(fitted):
            if p in hidden:
                cov[j, :] = cov[:, j] = np.nan
        se = np.sqrt(np.abs(np.diag(cov)))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = cov / np.outer(se, se)
        ybar = y.mean(axis=1, keepdims=True)
        total = float(np.sum(((y - ybar) * norm) ** 2))
        r2 = 1.0 - chi2 / total if total > 0 else np.nan
        rows = []
        for i, m in enumerate(metrics):
            for n in range(y.shape[1]):
                rows.append({"point": n, **{c: frame[c].iloc[n] for c in inputs}, "metric": m,
                             "measured": y[i, n], "fitted": prediction[i, n], "residual": r[i, n]})
        span = np.maximum(np.abs(theta), 1e-300) * 1e-6
        at_bound = tuple(p for j, p in enumerate(fitted)
                         if abs(theta[j] - bounds[0, j]) <= span[j] or abs(theta[j] - bounds[1, j]) <= span[j]
                         or (bounds[0, j] == 0 and theta[j] < 1e-9 * max(abs(float(model.values()[p])), 1e-300)))
        fitted_model = _with_values(model, dict(zip(fitted, theta)))
        index = pd.Index(fitted, name="parameter")
        return cls(
            model=fitted_model, values={p: float(v) for p, v in zip(fitted, theta)},
            stderr={p: float(v) for p, v in zip(fitted, se)},
            covariance=pd.DataFrame(cov, index=index, columns=list(fitted)),
            correlation=pd.DataFrame(corr, index=index, columns=list(fitted)),
            residuals=pd.DataFrame(rows), chi2=chi2, dof=dof, r2=float(r2),
            non_identifiable=tuple(p for p in fitted if p in hidden), determined=tuple(determined),
            at_bound=at_bound, singular_values=s, inputs=tuple(inputs), metrics=tuple(metrics),
            absolute_sigma=absolute, message=str(solution.message))

    @property
    def technique(self):
        """The technique with the fitted values (use it wherever a technique is accepted)."""
        return self.model.technique

    def table(self) -> pd.DataFrame:
        """One row per fitted parameter: value, stderr, relative error, unit, start, flags."""
        from ..symbols import info

        rows = []
        for p, v in self.values.items():
            se = self.stderr[p]
            rows.append({"parameter": p, "value": v, "stderr": se, "relative_stderr": se / abs(v) if v else np.nan,
                         "unit": info(p).unit, "identifiable": p not in self.non_identifiable,
                         "at_bound": p in self.at_bound})
        table = pd.DataFrame(rows).set_index("parameter")
        table.attrs.update(chi2=self.chi2, dof=self.dof, r2=self.r2, determined=list(self.determined),
                           absolute_sigma=self.absolute_sigma)
        return table

    def plot(self, **kwargs):
        """Measured vs fitted per metric, with a residual panel (:func:`virtmodel.plotting.fit_plot`)."""
        from ..plotting.fit import fit_plot

        return fit_plot(self, **kwargs)

    def __repr__(self):
        lines = [f"FitResult({self.model.technique.name}, chi2={self.chi2:.4g}, dof={self.dof}, r2={self.r2:.4g})"]
        for p, v in self.values.items():
            lines.append(f"  {p} = {v:.6g} +- {self.stderr[p]:.3g}")
        if self.non_identifiable:
            lines.append(f"  not identifiable: {', '.join(self.non_identifiable)}; determined: "
                         + "; ".join(self.determined))
        if self.at_bound:
            lines.append(f"  at a bound: {', '.join(self.at_bound)}")
        return "\n".join(lines)

    def _repr_html_(self):
        table = self.table().to_html(float_format=lambda v: f"{v:.6g}")
        note = (f"<p>chi<sup>2</sup> = {self.chi2:.4g}, dof = {self.dof}, R<sup>2</sup> = {self.r2:.4g}"
                f" ({'known' if self.absolute_sigma else 'relative'} errors)</p>")
        if self.non_identifiable:
            note += (f"<p>Not identifiable: {html_escape(', '.join(self.non_identifiable))}; the data determines "
                     f"{html_escape('; '.join(self.determined))}</p>")
        return f"<h4>Fit of {html_escape(self.model.technique.name)}</h4>" + note + table


def _combinations(jac_group, names, tol) -> list:
    """The linear combinations of ``names`` that the data determines, as text (``a + 2 b``)."""
    _, s, vt = np.linalg.svd(jac_group, full_matrices=False)
    out = []
    for sv, row in zip(s, vt):
        if sv <= tol * s[0]:
            continue
        row = row / row[np.argmax(np.abs(row))]
        terms = []
        for c, n in zip(row, names):
            if abs(c) < 1e-3:
                continue
            coef = "" if abs(abs(c) - 1) < 1e-3 else f"{abs(c):.3g} "
            terms.append(("- " if c < 0 else "+ ") + coef + n)
        text = " ".join(terms)
        out.append(text[2:] if text.startswith("+ ") else "-" + text[2:])
    return out


def _with_values(model, values):
    parts = {}
    for part in ("technique", "workload", "platform"):
        obj = getattr(model, part)
        mine = {k: v for k, v in values.items() if k in obj.values()}
        parts[part] = obj.replace(**mine) if mine else obj
    return Model(parts["technique"], parts["workload"], parts["platform"])


__all__ = ["FitResult"]

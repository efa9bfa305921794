"""A win-region dataset built point by point from the model (stands in for analysis.win_regions)."""

import numpy as np
import xarray as xr

from virtmodel.model import Model


def brute_force_regions(techniques, workload, x, xs, y, ys, metric="mean_latency", **fixed):
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = np.stack([Model(t, workload).evaluate(metric, **{x: grid_x, y: grid_y}, **fixed) for t in techniques])
    order = np.sort(values, axis=0)
    winner = np.argmin(values, axis=0)
    saturated = ~np.isfinite(order[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        margin = np.where(np.isfinite(order[1]), order[1] / order[0] - 1, np.inf)
    return xr.Dataset({"winner": ((y, x), winner), "margin": ((y, x), margin), "saturated": ((y, x), saturated)},
                      coords={x: xs, y: ys, "technique": list(techniques)})

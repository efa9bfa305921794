"""Widget timings: one slider move of the dashboard against one plain Agg redraw.

Target (design/performance.md): a slider callback -- recompute 6 curves x 500
points, put them into the lines, redraw (Agg) -- <= 30 ms median. Baseline:
one full Agg redraw of the same figure, in the same process.

Prints (medians of repeated runs; the machine is noisy, so ratios matter most):

1. why a full redraw is slow: the plotting module's figure (constrained layout
   re-solved on every draw), the same with the layout frozen, and the
   dashboard's figure (frozen layout, screen dpi) drawn in full;
2. the dashboard's slider callback (``controls["vms"].value = ...``) for two
   metrics, with its parts: the curves (compiled model), the readout
   (winner, margin, break-even), the blit and the PNG frame;
3. the same callback where the two leaders cross near the operating point (the
   readout searches their break-even), and the operating-point slider
   (readout and markers only);
4. the slider callback with the "uncertainty bands" box ticked (``BAND_DRAWS``
   draws per technique and load point, the bands blitted with the curves).

Run: ``python benchmarks/bench_widgets.py``
"""

from __future__ import annotations

import itertools
import time

import matplotlib
import numpy as np

matplotlib.use("Agg")

REPEATS = 40


def _median_ms(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * float(np.median(times))


def full_redraws():
    from virtmodel.plotting import latency_curves_data, latency_curves_plot
    from virtmodel.widgets import SIX, dashboard

    fig = latency_curves_plot(latency_curves_data(SIX, "small_packet_rr", points=500)).fig
    fig.canvas.draw()
    constrained = _median_ms(fig.canvas.draw, 15)
    fig.set_layout_engine("none")
    frozen = _median_ms(fig.canvas.draw, 15)
    w, h = fig.get_size_inches()
    print(f"plotting figure ({w:.2f} x {h:.2f} in at {fig.dpi:.0f} dpi), full Agg draw: constrained layout "
          f"{constrained:5.1f} ms, layout frozen {frozen:5.1f} ms")
    d = dashboard(SIX, "small_packet_rr", points=500, display="image")
    baseline = _median_ms(d.fig.canvas.draw, 15)
    w, h = d.fig.get_size_inches()
    print(f"dashboard figure ({w:.1f} x {h:.1f} in at {d.fig.dpi:.0f} dpi, layout frozen), full Agg draw "
          f"(baseline): {baseline:5.1f} ms")
    return d, baseline


def slider_callbacks(d, baseline):
    from virtmodel.widgets._readout import standing

    vms = itertools.cycle([6, 8, 10, 12, 14, 16])
    for metric in ("mean_latency", "p99"):
        d.controls["metric"].value = metric
        total = _median_ms(lambda: setattr(d.controls["vms"], "value", next(vms)))
        curves = _median_ms(d._compute)
        models = {t: d._model(t) for t in d.techniques}
        readout = _median_ms(lambda models=models: standing(models, d.metric, d.controls["load"].value, d.data,
                                              workload=d.workload, **d.overrides()))
        blit = _median_ms(lambda: (d.fig.canvas.restore_region(d.live._background), d.live._draw_moving()))
        png = _median_ms(d.live.png)
        points = d.data.sizes["arrival_rate"]
        print(f"slider callback, 6 curves x {points} points, {metric:>12}: {total:5.1f} ms median "
              f"({total / baseline:.2f}x the full redraw; target <= 30 ms) = curves {curves:4.1f} + "
              f"readout {readout:4.1f} + blit {blit:4.1f} + PNG {png:4.1f} ms")
    d.controls["metric"].value = "mean_latency"
    start, crossing = d.controls["vms"].value, itertools.cycle([36, 38, 40, 42])   # the leaders cross here
    total = _median_ms(lambda: setattr(d.controls["vms"], "value", next(crossing)), 20)
    print(f"slider callback with the leaders' break-even searched (vms 36-42, mean_latency): {total:5.1f} ms median "
          f"(last break-even at {d.state.break_even or float('nan'):.4g} /s)")
    d.controls["vms"].value = start
    loads = itertools.cycle(np.linspace(5e3, 9e4, 7))
    point = _median_ms(lambda: setattr(d.controls["load"], "value", float(next(loads))))
    print(f"operating-point slider (readout + markers, no curves): {point:5.1f} ms median")


def band_callbacks(d, baseline):
    from virtmodel.widgets.dashboard import BAND_DRAWS

    d.controls["bands"].value = True
    vms = itertools.cycle([6, 8, 10, 12, 14, 16])
    for metric in ("mean_latency", "p99"):
        d.controls["metric"].value = metric
        total = _median_ms(lambda: setattr(d.controls["vms"], "value", next(vms)))
        curves = _median_ms(d._compute)
        points = d.data.sizes["arrival_rate"]
        print(f"slider callback with uncertainty bands ({BAND_DRAWS} draws), 6 curves x {points} points, "
              f"{metric:>12}: {total:5.1f} ms median ({total / baseline:.2f}x the full redraw) = curves and bands "
              f"{curves:4.1f} ms + the rest")
    d.controls["bands"].value = False
    d.controls["metric"].value = "mean_latency"


def main():
    d, baseline = full_redraws()
    slider_callbacks(d, baseline)
    band_callbacks(d, baseline)


if __name__ == "__main__":
    main()

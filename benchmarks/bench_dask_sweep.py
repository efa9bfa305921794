"""A sweep larger than memory, chunk by chunk through dask: 10^8 points, memory bounded.

    python benchmarks/bench_dask_sweep.py [--points 1e8] [--chunk 5e5] [--json]

Five techniques, two metrics (mean latency and p99) over a grid of arrival
rate x I/O size with ``points`` points in all, given to
:func:`virtmodel.analysis.sweep` as dask arrays (the I/O-size axis chunked so
one chunk holds about ``chunk`` points). The result is lazy; it is *reduced*,
never materialized: how many points each technique wins on mean latency
(:func:`virtmodel.analysis.winner`, reduced inside each chunk's task), and
the smallest and largest finite p99 of each, all computed in one
``dask.compute`` (every chunk is evaluated once, by one fused kernel call per
technique, then dropped). Materialized, the two metrics would take
``points x 5 x 2 x 8`` bytes (8 GB at 10^8 points); the peak resident memory
of this process (Linux ``VmHWM``; ``resource.getrusage`` elsewhere) is printed next to it.

The chunk: 5x10^5 points (200 chunks at 10^8), measured against 1.25x10^5, 2.5x10^5 and 10^6
interleaved (benchmarks/README.md, "Twelfth round"): 20-21 s against 22-24 s for 2.5x10^5 and
21-23 s for 10^6 with another process on one of the two cores; peak memory 520 MB (443, 657).

The same code runs on a dask.distributed cluster: create a
``distributed.Client`` first and ``dask.compute`` uses it (nothing here needs
distributed; the default is the threaded scheduler on this machine's cores).
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

TECHNIQUES = ["binary_translation", "paravirtual", "hardware_assist", "sriov", "nitro"]
WORKLOAD = "small_packet_rr"


def _rss_mb() -> float:
    """This process's peak resident memory (MB).

    Linux's ``VmHWM`` belongs to this program's own address space; ``ru_maxrss``
    (the fallback elsewhere) survives ``exec`` and so reports the parent's peak
    when the parent was larger (run_all.py starting this script after the
    in-process sweeps read 1.7 GB that way, while the sweep itself peaked at 0.4 GB).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB; macOS: bytes


def _counts(best: np.ndarray, techniques: int) -> np.ndarray:
    """How many points of this block each technique wins (``best`` its index, -1 none), shaped
    ``(1, ..., 1, techniques)`` for the blocks' sum: one ``bincount`` instead of comparing every
    point with every index and summing the booleans (about 6 ms of a 2.5x10^5-point chunk's 55 ms)."""
    counts = np.bincount(best.ravel() + 1, minlength=techniques + 1)[1:]
    return counts.reshape((1,) * best.ndim + (techniques,))


def run(points: float = 1e8, chunk: float = 5e5) -> dict:
    """Time the reduced lazy sweep; returns the figures (see the module docstring)."""
    import dask
    import dask.array as da

    from virtmodel.analysis import sweep, winner

    n_x = 10_000
    n_y = max(1, int(round(points / n_x)))
    per_chunk = max(1, int(chunk // n_x))
    rates = da.from_array(np.linspace(1e3, 6e4, n_x), chunks=n_x)
    sizes = da.from_array(np.linspace(64.0, 9000.0, n_y), chunks=per_chunk)
    from virtmodel.model import kernels

    with kernels.using("numba" if kernels.available() else "numpy"):  # compile outside the timing (also
        sweep(["mean_latency", "p99"], TECHNIQUES, WORKLOAD,     # the percentile kernel: a chunk-sized grid)
              arrival_rate=np.linspace(1e3, 6e4, 1000), io_bytes=np.linspace(64.0, 9000.0, 40))
    rss_before = _rss_mb()
    t = time.perf_counter()
    ds = sweep(["mean_latency", "p99"], TECHNIQUES, WORKLOAD, arrival_rate=rates, io_bytes=sizes)
    best = winner(ds["mean_latency"]).data  # -1 where no technique is feasible (finite)
    per_block = best.map_blocks(_counts, len(TECHNIQUES), dtype=np.intp, new_axis=best.ndim,
                                chunks=tuple((1,) * len(c) for c in best.chunks) + ((len(TECHNIQUES),),))
    wins = per_block.sum(axis=tuple(range(best.ndim)))  # every technique's count in one reduction
    p99 = ds["p99"].where(np.isfinite(ds["p99"]))
    lo, hi = p99.min(["arrival_rate", "io_bytes"]), p99.max(["arrival_rate", "io_bytes"])
    built = time.perf_counter() - t
    wins, lo, hi = dask.compute(wins, lo.data, hi.data)
    seconds = time.perf_counter() - t
    total = n_x * n_y
    return {
        "points": total, "chunk_points": n_x * per_chunk, "chunks": int(np.ceil(n_y / per_chunk)),
        "techniques": len(TECHNIQUES), "metrics": 2, "seconds": seconds, "graph_seconds": built,
        "ns_per_point_metric_technique": seconds / (total * 2 * len(TECHNIQUES)) * 1e9,
        "rss_before_mb": rss_before, "peak_rss_mb": _rss_mb(),
        "materialized_mb": total * 2 * len(TECHNIQUES) * 8 / 2**20,
        "wins": {t: int(w) for t, w in zip(TECHNIQUES, wins)}, "feasible": int(wins.sum()),
        "p99_min_s": dict(zip(TECHNIQUES, map(float, lo))), "p99_max_s": dict(zip(TECHNIQUES, map(float, hi))),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=float, default=1e8)
    parser.add_argument("--chunk", type=float, default=5e5)
    parser.add_argument("--json", action="store_true", help="print one JSON line (for run_all.py)")
    args = parser.parse_args(argv)
    r = run(args.points, args.chunk)
    if args.json:
        print(json.dumps(r))
        return
    print(f"lazy sweep, {r['points']:.2e} points x {r['techniques']} techniques x {r['metrics']} metrics, "
          f"{r['chunks']} chunks of {r['chunk_points']:.1e} points: {r['seconds']:.1f} s "
          f"({r['ns_per_point_metric_technique']:.1f} ns per point, metric and technique)")
    print(f"peak RSS {r['peak_rss_mb']:.0f} MB (before the sweep {r['rss_before_mb']:.0f} MB); "
          f"materialized the result would be {r['materialized_mb']:.0f} MB")
    print("wins on mean latency:", r["wins"], f"({r['feasible']} feasible points)")


if __name__ == "__main__":
    main()

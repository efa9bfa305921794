"""A sweep and a win-region map on a dask.distributed cluster (two worker processes).

The same calls as in memory: a lazy sweep over chunked inputs computed on the
cluster (with the progress bar of virtmodel.analysis.compute) equals the
in-memory sweep; win_regions run as a task on a worker equals the local call;
and the winner map reduced from the distributed sweep (``argmin`` over the
techniques; :func:`~virtmodel.analysis.winner` inside each chunk's task) is
win_regions' winner (an independent path to the same map).
"""

import numpy as np
import pytest

from virtmodel.analysis import compute, sweep, win_regions
from virtmodel.analysis import winner as winner_of

distributed = pytest.importorskip("distributed", reason="needs dask.distributed (the test extra)")
da = pytest.importorskip("dask.array")

TECHS = ["paravirtual", "hardware_assist", "sriov", "nitro"]
RATES = np.linspace(1e3, 6e4, 60)
SIZES = np.linspace(64.0, 9000.0, 40)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as c:
        yield c


def test_sweep_on_cluster_equals_in_memory(client, capsys):
    local = sweep(["mean_latency", "p99"], TECHS, "small_packet_rr", arrival_rate=RATES, io_bytes=SIZES)
    lazy = sweep(["mean_latency", "p99"], TECHS, "small_packet_rr",
                 arrival_rate=da.from_array(RATES, chunks=30), io_bytes=da.from_array(SIZES, chunks=10))
    assert lazy["mean_latency"].chunks is not None  # lazy: nothing computed yet
    got = compute(lazy)
    assert len(client.scheduler_info()["workers"]) == 2
    assert "[" in capsys.readouterr().out  # the text progress bar was drawn
    for metric in ("mean_latency", "p99"):
        a, b = got[metric].values, local[metric].values
        assert a.shape == (len(TECHS), len(RATES), len(SIZES))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(b))
        assert np.isinf(a).any() and np.isfinite(a).any()
        np.testing.assert_allclose(a[np.isfinite(a)], b[np.isfinite(b)], rtol=1e-12)


def test_win_regions_on_cluster(client):
    x, y = ("arrival_rate", RATES), ("io_bytes", SIZES)
    local = win_regions(TECHS, x, y, "mean_latency", workload="small_packet_rr")
    remote = client.submit(win_regions, TECHS, x, y, "mean_latency", workload="small_packet_rr").result()
    np.testing.assert_array_equal(remote["winner"].values, local["winner"].values)
    np.testing.assert_allclose(remote["margin"].values, local["margin"].values, rtol=1e-12)

    lazy = sweep("mean_latency", TECHS, "small_packet_rr", arrival_rate=da.from_array(RATES, chunks=20),
                 io_bytes=da.from_array(SIZES, chunks=20))["mean_latency"].fillna(np.inf)
    winner, feasible = compute(lazy.argmin("technique"), np.isfinite(lazy).any("technique"), progress=False)
    feasible = feasible.transpose("io_bytes", "arrival_rate").values
    assert feasible.any() and not feasible.all()
    np.testing.assert_array_equal(winner.transpose("io_bytes", "arrival_rate").values[feasible],
                                  local["winner"].values[feasible])
    best = compute(winner_of(lazy), progress=False)  # -1 where none is feasible, as win_regions
    np.testing.assert_array_equal(best.transpose("io_bytes", "arrival_rate").values, local["winner"].values)

"""perf13: the NumPy stage of a compiled bundle in pieces (model/_chunked.py), the ``select`` it is
compiled with (model/_numeric_modules.py) and the gamma fit in pieces (queueing/_percentiles.py)
change no value: every metric of every technique is bit-identical to the whole-array evaluation,
with the pieces checked to have run (or, for more than 64 servers, checked not to have run)."""

from __future__ import annotations

import numpy as np
import pytest

from virtmodel.model import Model, kernels, metric_names
from virtmodel.model import _chunked
from virtmodel.model._compile import compiled, station_bundle
from virtmodel.model._numeric_modules import select
from virtmodel.queueing import _percentiles as P
from virtmodel.techniques import names

N = 5 * _chunked.PIECE + 123  # several pieces and a short last one


@pytest.fixture
def spy(monkeypatch):
    """Records what each call of ``evaluate_in_pieces`` returned (None: evaluated whole)."""
    calls = []
    real = _chunked.evaluate_in_pieces

    def recording(*args):
        got = real(*args)
        calls.append(got is not None)
        return got

    import virtmodel.model._compile as C

    monkeypatch.setattr(C, "evaluate_in_pieces", recording)
    return calls


def _all(model, **overrides):
    with kernels.using("numpy"):
        return model.evaluate_many(list(metric_names()), **overrides)


def _whole(model, monkeypatch, **overrides):
    with monkeypatch.context() as m:
        m.setattr(_chunked, "PIECE", 10**12)  # (too few points for a piece: the whole array at once)
        m.setattr(P, "PIECE", 10**12)
        return _all(model, **overrides)


def _same(a, b):
    assert set(a) == set(b)
    for k in a:
        x, y = np.asarray(a[k]), np.asarray(b[k])
        assert x.shape == y.shape and x.dtype == y.dtype, k
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), k


@pytest.mark.parametrize("technique", names())
def test_every_metric_bit_identical_in_pieces(technique, spy, monkeypatch):
    m = Model(technique, "small_packet_rr")
    lam = np.linspace(0.0, 9e4, N)
    got = _all(m, arrival_rate=lam)
    assert spy and all(spy)  # the pieces ran
    _same(got, _whole(m, monkeypatch, arrival_rate=lam))
    assert np.isinf(got["mean_latency"]).any() or technique in ("native", "nitro")  # past saturation too


def test_broadcast_grid_in_pieces_rows_of_the_first_axis(spy, monkeypatch):
    m = Model("paravirtual", "small_packet_rr")
    grid = dict(arrival_rate=np.linspace(0.0, 6e4, N // 7)[:, None], io_bytes=np.linspace(64, 9000, 7)[None, :])
    got = _all(m, **grid)
    assert spy and all(spy)
    assert got["mean_latency"].shape == (N // 7, 7)
    _same(got, _whole(m, monkeypatch, **grid))
    # an argument broadcast along the first axis: the pieces slice only the others
    down = dict(arrival_rate=np.full((1, 7), 2e4), io_bytes=np.linspace(64, 9000, N)[:, None] + np.zeros((1, 7)))
    _same(_all(m, **down), _whole(m, monkeypatch, **down))


@pytest.mark.parametrize("cores, pieces", [(32, True), (64, True), (100, False)])
def test_erlang_c_over_more_than_64_servers_is_evaluated_whole(cores, pieces, spy, monkeypatch):
    """More than 64 servers: Erlang C's way (recursion or gammaincc) depends on the points, so no pieces."""
    from virtmodel.techniques import get

    m = Model(get("hardware_assist", io_path="virtio_pooled"), "small_packet_rr")
    lam = np.linspace(0.0, 2e5, N)
    got = _all(m, arrival_rate=lam, cores=cores)
    assert spy and all(spy) == pieces
    _same(got, _whole(m, monkeypatch, arrival_rate=lam, cores=cores))


def test_outputs_written_into_the_callers_arrays():
    bundle = compiled((station_bundle(Model("sriov").key).exprs[1],))  # the first station's response time
    lam = np.linspace(0.0, 1e4, N)
    values = {**Model("sriov").values(), "arrival_rate": lam}
    row = np.empty(N)
    with kernels.using("numpy"):
        (out,), owned, shape, _ = bundle.run(values, out={0: row})
    assert out is row and owned[0] and shape == (N,)
    with kernels.using("numpy"):
        assert np.array_equal(row, bundle(values)[0])


def test_short_first_axis_cut_along_the_longest(spy, monkeypatch):
    m = Model("hardware_assist", "small_packet_rr")
    # a 1-D argument broadcast from the right: it varies along the last axis, the one cut
    grid = dict(io_bytes=np.linspace(64, 9000, 7)[:, None], arrival_rate=np.linspace(0.0, 6e4, N // 3))
    got = _all(m, **grid)
    assert spy and all(spy)
    assert got["p99"].shape == (7, N // 3)
    _same(got, _whole(m, monkeypatch, **grid))


def test_where_the_pieces_are_cut():
    piece = _chunked.PIECE
    assert _chunked._cut((4 * piece - 1,)) == (0, 0)
    assert _chunked._cut((4 * piece,)) == (0, piece)
    assert _chunked._cut((7, 10**6)) == (1, piece // 7)
    assert _chunked._cut((10**6, 7)) == (0, piece // 7)
    assert _chunked._cut((3 * piece, 3 * piece)) == (0, 0)  # fewer than two rows a piece
    assert _chunked._cut(()) == (0, 0)


@pytest.mark.parametrize("case", range(15))
def test_select_matches_numpy(case):
    rng = np.random.default_rng(case)
    x, y = rng.normal(size=50), rng.normal(size=(3, 50))
    cases = [
        ([np.bool_(True), x > 0, True], [x * 2, np.inf, 0], np.nan),
        ([np.bool_(False), x > 0, True], [x * 2, np.inf, 0], np.nan),
        ([np.bool_(False), np.bool_(False)], [x, 1.0], np.nan),
        ([x > 0, True], [x, 0], np.nan),
        ([x > 0, y > 0, True], [x, y, 0], np.nan),
        ([np.greater(np.float64(2.0), 0), True], [x + 1, 0], np.nan),
        ([np.bool_(True), True], [0, x], np.nan),  # a scalar chosen where the result is an array
        ([False, True], [x.astype(np.float32), np.float32(1)], 0),
        ([np.bool_(False), x > 0], [y, x], -1),  # a dropped choice of the larger shape
        ([np.bool_(True), True], [np.arange(50), 0], np.nan),  # the default's dtype counts though never chosen
        ([x > 0, np.bool_(True), x < 0], [np.arange(50), 2, x], 7),
        ([x > 0, y > 0, np.bool_(True)], [np.arange(50), y, np.int8(3)], np.nan),
        # float32 choices left with a Python float, a float64 one dropped: each cast to float64 before
        # it is chosen (not promoted to float32 and rounded, as a where of those left alone would)
        ([x > 0, np.bool_(False)], [0.1, np.zeros(50)], np.float32(1.5)),
        ([x > 0, np.bool_(True), np.bool_(False)], [np.float32(1.5), 0.1, y], 0),
        ([x > 0, y > 0, np.bool_(False)], [x.astype(np.float32), 0.1, x], 0.2),
    ]
    conds, choices, default = cases[case]
    got, want = select(conds, choices, default), np.select(conds, choices, default)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got, want, equal_nan=True)


def test_gamma_fit_in_pieces_bit_identical():
    rng = np.random.default_rng(3)
    n = 2 * P.PIECE + P.FAST_MIN_SIZE // 2  # a short last piece joins the one before it
    mean = np.exp(rng.uniform(-12, -3, n))
    variance = mean**2 / np.exp(rng.uniform(np.log(1e-7), np.log(1e9), n))
    variance[:50] = 0.0
    mean[50:60] = np.inf
    variance[60:70] *= -1
    ps = [0.5, 0.99, 0.999999]  # the last one outside the tables: gammaincinv itself
    rows = np.empty((3, n))
    got = P.gamma_quantiles(mean, variance, ps, list(rows))
    want = P._fit(mean, variance, ps)
    for j, (g, w) in enumerate(zip(got, want)):
        assert np.array_equal(g, w, equal_nan=True)
        assert np.shares_memory(g, rows[j])


def test_station_bundle_cached_by_structure():
    a, b = Model("nested", "small_packet_rr"), Model("nested", "small_packet_rr")
    assert station_bundle(a.key) is station_bundle(b.key)
    assert station_bundle(a.key) is not station_bundle(Model("sriov").key)
    table = a.station_table()
    assert list(table.index) == list(a.stations()) and (table["demand"] > 0).all()


@pytest.mark.parametrize("seed", range(12))
def test_random_broadcast_shapes_small_pieces(seed, spy, monkeypatch):
    """Small pieces: random 1-3-D broadcast layouts of two or three varying parameters, every
    metric of a random technique bit-identical to the whole evaluation, the pieces having run."""
    rng = np.random.default_rng(seed)
    m = Model(str(rng.choice(names())), "small_packet_rr")
    ndim = int(rng.integers(1, 4))
    shape = tuple(int(x) for x in rng.integers(3, 40, ndim))
    while np.prod(shape) < 4 * 64:
        shape = tuple(2 * x for x in shape)
    grid = {}
    for name, top in (("arrival_rate", 6e4), ("io_bytes", 9000.0), ("cpu_time", 2e-5))[:int(rng.integers(2, 4))]:
        own = tuple(s if rng.random() < 0.6 else 1 for s in shape)[int(rng.integers(0, ndim)):]  # right-aligned
        grid[name] = rng.uniform(0.1, 1.0, own or ()) * top
    if np.prod(np.broadcast_shapes(*(np.shape(v) for v in grid.values()))) < 4 * 64:
        grid["arrival_rate"] = rng.uniform(0.1, 1.0, shape) * 6e4  # (a layout too small to cut)
    full = np.broadcast_shapes(*(np.shape(v) for v in grid.values()))
    # two slices of the longest axis a piece: the array is cut whenever that axis has 8 points or more
    monkeypatch.setattr(_chunked, "PIECE", 2 * int(np.prod(full)) // max(full))
    got = _all(m, **grid)
    cut = spy[:]
    _same(got, _whole(m, monkeypatch, **grid))
    assert cut and all(cut) == (max(full) >= 8) == bool(_chunked._cut(full)[1])

"""A user-space back-end's receive bounce buffer (techniques/user_rx_copy.py, flag ``user_rx_copy``).

Checks: ``direct`` (the default) is the previous model; ``bounce`` acts on the ``virtio_user`` path only
(not on the other paths, not under slirp, not on disk block requests) and is exactly the path with its one
copy made two (the model with ``copy_time_per_byte`` doubled there); no copy cost (``copy_time_per_byte`` = 0)
or no network I/O gives the previous model; the I/O thread's extra demand per request against a hand
computation; independent of segmentation; monotone in the bytes; a copy-bound thread's limit halves; the
symbolic formula; the station network against the discrete-event oracle.
"""

import pytest

from virtmodel.model import Model
from virtmodel.techniques import TECHNIQUES, get
from virtmodel.techniques.payload_copy import COPIES
from virtmodel.techniques.user_rx_copy import RX_COPY_MODES, extra_rx_copies

# the user-space back-end's fixtures: a 64 KiB send of 44 MTU-sized packets at a light rate, its platforms
from test_user_backend import (BULK, PLATFORM, WIDE, _metrics, _user, assert_disk_requests_ignore,
                               assert_iothread_network_agrees_with_the_simulation)


def test_the_flag_is_on_the_hardware_techniques_and_direct_by_default():
    having = {name for name, cls in TECHNIQUES.items() if "user_rx_copy" in cls.__dataclass_fields__}
    assert having == {"hardware_assist", "nested"}
    assert get("hardware_assist").user_rx_copy == get("nested").user_rx_copy == "direct"
    assert set(RX_COPY_MODES) == {"direct", "bounce"}
    assert extra_rx_copies(_user(user_rx_copy="bounce"), "virtio_user") == 1
    assert extra_rx_copies(_user(), "virtio_user") == 0
    assert extra_rx_copies(_user(user_rx_copy="bounce"), "virtio") == 0
    assert extra_rx_copies(_user(user_rx_copy="bounce", vmm_network="slirp"), "virtio_user") == 0
    assert COPIES["virtio_user"][0] == 1  # the previous count, unchanged


@pytest.mark.parametrize("name", ["hardware_assist", "nested"])
@pytest.mark.parametrize("wakeups", ["on", "off"])
def test_bounce_is_the_user_space_path_with_two_copies_exactly(name, wakeups):
    tech = get(name, io_path="virtio_user", host_switch="bridge", wakeups=wakeups)
    bounce = _metrics(tech.replace(user_rx_copy="bounce"))
    doubled = _metrics(tech.replace(copy_time_per_byte=2 * tech.copy_time_per_byte))
    assert bounce == pytest.approx(doubled, rel=1e-12)
    assert bounce["cpu_per_request"] > _metrics(tech)["cpu_per_request"]


@pytest.mark.parametrize("path", ["virtio", "virtio_pooled", "vhost_user", "emulated"])
def test_other_paths_ignore_the_flag(path):
    tech = get("hardware_assist", io_path=path, host_switch="bridge")
    assert _metrics(tech.replace(user_rx_copy="bounce")) == pytest.approx(_metrics(tech), rel=1e-12)


def test_slirp_ignores_the_flag():
    tech = _user(vmm_network="slirp")
    assert _metrics(tech.replace(user_rx_copy="bounce")) == pytest.approx(_metrics(tech), rel=1e-12)


@pytest.mark.parametrize("workload, settings", [(BULK, {"copy_time_per_byte": 0.0}),
                                                (BULK.replace(io_ops=0, io_interrupts=0), {}),
                                                (BULK, {"payload_copy": "off"})],
                         ids=["no_copy_cost", "no_network_io", "payload_copies_off"])
def test_limiting_cases_are_the_previous_model(workload, settings):
    tech = _user(**settings)
    assert _metrics(tech.replace(user_rx_copy="bounce"), workload) == pytest.approx(_metrics(tech, workload),
                                                                                     rel=1e-12)


def test_disk_block_requests_ignore_the_flag():
    assert_disk_requests_ignore(user_rx_copy="bounce")


@pytest.mark.parametrize("offload", ["on", "off"])
def test_the_extra_thread_demand_is_every_byte_copied_once_more(offload):
    tech, w = _user(segment_offload=offload), BULK
    direct, bounce = Model(tech, w, PLATFORM), Model(tech.replace(user_rx_copy="bounce"), w, PLATFORM)
    du = (bounce.station_table().loc["iothread", "utilization"]
          - direct.station_table().loc["iothread", "utilization"])
    # lambda x (44 x 1500 bytes) x t_cp, whatever the segments: 500 x 66,000 / 6.07e9 = 0.54%
    assert du == pytest.approx(w.arrival_rate * w.io_ops * w.io_bytes * tech.copy_time_per_byte, rel=1e-9)
    assert du == pytest.approx(500 * 66_000 / 6.07e9, rel=1e-9)
    # the vCPU's demand is untouched: only the I/O thread copies
    assert bounce.station_table().loc["guest", "utilization"] == \
        pytest.approx(direct.station_table().loc["guest", "utilization"], rel=1e-12)


def test_more_bytes_cost_more_and_the_gap_grows_with_them():
    gaps = []
    for b in (64, 1500, 9000):
        w = BULK.replace(io_bytes=b)
        d, x = (Model(_user(user_rx_copy=m), w, PLATFORM).evaluate("cpu_per_request") for m in ("direct", "bounce"))
        assert x > d
        gaps.append(x - d)
    assert gaps == sorted(gaps)


def test_a_copy_bound_io_thread_moves_half_as_much():
    # the thread's per-frame work made negligible: it binds on its copies alone
    tech = get("hardware_assist", io_path="virtio_user", backend_time=0.0, userspace_syscalls_per_io=0.0,
               copy_time_per_byte=1e-9)
    direct, bounce = (Model(tech.replace(user_rx_copy=m), BULK, WIDE) for m in ("direct", "bounce"))
    assert direct.evaluate("bottleneck") == bounce.evaluate("bottleneck") == "iothread"
    assert direct.evaluate("throughput_limit") / bounce.evaluate("throughput_limit") == pytest.approx(2.0, rel=1e-9)


def test_the_symbolic_formula_carries_every_byte_copied_once_more():
    import sympy as sp

    def formula(mode):
        return Model(_user(user_rx_copy=mode, wakeups="off"), BULK, PLATFORM).expression("cpu_per_request").expr

    direct, bounce = formula("direct"), formula("bounce")
    sym = {str(s): s for s in bounce.free_symbols}
    t_cp, seg = sym["copy_time_per_byte"], sym["segment_bytes"]
    extra = sp.simplify(bounce - direct)
    # one more copy term, linear in t_cp (wake-ups off: the first model's sum), and nothing else
    assert t_cp in extra.free_symbols and sp.simplify(extra.diff(t_cp, 2)) == 0
    assert sp.simplify(extra.subs(t_cp, 0)) == 0
    # its bytes are the request's, n_io b_io, whatever the segment size (segments' count x bytes)
    values = {sym[k]: getattr(BULK, k) for k in ("io_ops", "io_bytes", "message_packets")}
    for s in (65536.0, 9000.0, 1500.0):
        assert float(extra.subs(values).subs({seg: s, t_cp: 1.0})) == pytest.approx(44 * 1500, rel=1e-12)


@pytest.mark.slow
def test_the_bounce_network_agrees_with_the_simulation():
    # the I/O thread carries most of the load: its copies at 1 ns per byte
    assert_iothread_network_agrees_with_the_simulation(_user(user_rx_copy="bounce", copy_time_per_byte=1e-9))

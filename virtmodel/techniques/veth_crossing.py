"""The veth crossing: a bridged container's packet handed to the peer namespace through the backlog.

On Docker's bridge network every packet of a container crosses its veth pair once:
``veth_xmit`` forwards the packet to the peer device with ``netif_rx``, which queues it
on a per-CPU backlog (``enqueue_to_backlog``) and raises the NET_RX softirq; a later
pass of that softirq (``process_backlog``) carries it on into the peer's namespace, the
bridge and netfilter. The crossing therefore has two parts: the work of the hand-off
and of the bridge and NAT behind it, which the container charges as cycles per packet
on its own cores (``veth_bridge_cycles``, ``nat_cycles``), and the time the packet
waits in the backlog before the softirq takes it, a pure delay (no queueing), per
crossing:

.. math::
    \\Delta R = n_{\\mathrm{x}}\\, t_{\\mathrm{hand}}

with :math:`n_{\\mathrm{x}}` the crossings per request (the packets, or the segments
when the container segments: :func:`~virtmodel.techniques.offload.io_count`) and
:math:`t_{\\mathrm{hand}}` the wait of one crossing (``veth_handoff_time``).

The value, :math:`t_{\\mathrm{hand}} = 0`, from two sources:

* the kernel's code (``linux_veth_backlog``): ``netif_rx`` queues on the backlog of
  the CPU that runs ``veth_xmit`` (without RPS, Linux's default), so the CPU that
  must run the softirq is busy by construction: no wake-up of an idle CPU, and the
  softirq runs when that CPU re-enables bottom halves at the end of the same transmit
  (or in the same NET_RX pass when the packet came in from the NIC); the hand-off is
  CPU work in the crossing's cycles, not a wait;
* a request-response microbenchmark of the whole crossing (``yang2017_docker_qperf``,
  qperf ``tcp_lat``, 1-byte TCP ping-pong between two machines, both ends in Docker
  containers, bridge mode against host mode): one-way latency 20.0 us against 17.5 us.
  qperf's latency is the run's time over the messages both ends received, half a round
  trip, so a round trip gains 5.0 us over four crossings (two per end): 1.25 us per
  crossing of veth, bridge and NAT in all. The container's per-packet cycles (2,000 +
  1,500, assumptions) take 1.46 us at 2.4 GHz and 1.00 us at 3.5 GHz (the source
  states no clock): what is left for a wait is -0.21 to +0.25 us per crossing, zero
  within the measurement (both ends in containers, as the post's summary says; with one
  end containerised a crossing would take 2.5 us and leave 1.0-1.5 us). This is the
  same kind of quantity as the
  ``felter2014.*_rr.docker_nat`` validation rows (added round-trip latency of a
  bridged, NATed container against the host's stack, small messages), from another
  source.

So the term is structural (in every bridged container's formula, ``network`` =
``bridge`` or ``bridge_nat``) and adds nothing at its sourced value: the reported
predictions stay the previous model's. Set ``veth_handoff_time`` for a kernel that
defers the backlog (``ksoftirqd`` under a softirq flood); for RPS see the flag below.

Limiting cases: :math:`t_{\\mathrm{hand}} = 0` is the previous container exactly; the
delay is the same at every load (it queues behind nothing: light and heavy load add
the same :math:`n_{\\mathrm{x}} t_{\\mathrm{hand}}` to the mean latency and nothing to
any station's capacity); no packets or the host network add nothing.

Receive packet steering (flag ``veth_backlog``, default ``"local"``: the path above
exactly). With RPS configured (``rps_cpus``, Documentation/networking/scaling.rst;
off unless set) ``netif_rx`` queues the packet on the backlog of another CPU, chosen
by the flow's hash, and sends it an IPI; if that CPU is idle it first leaves its idle
state. ``veth_backlog="rps"`` takes that CPU as one of the container's cores and each
crossing as an arrival there (:math:`\\lambda_x = n_{\\mathrm{x}} \\lambda / c_{\\mathrm{vcpu}}`),
and adds the package's closed forms for a server that wakes on the first arrival of a
busy period (:mod:`virtmodel.techniques.notifications`): the share of crossings that find
the core idle,

.. math::
    p = \\frac{1 - \\lambda' D_{\\mathrm{guest}}}{1 + \\lambda_x t_{\\mathrm{idle}}}, \\qquad
    \\lambda' = \\lambda / c_{\\mathrm{vcpu}}

(:func:`~virtmodel.techniques.notifications.idle_probability`, which goes to 0 as the
core saturates), and the setup delay of each crossing,
:math:`\\Delta_x = (2 t_{\\mathrm{idle}} + \\lambda_x t_{\\mathrm{idle}}^2)/(2(1 + \\lambda_x t_{\\mathrm{idle}}))`
(:func:`~virtmodel.queueing.mg1_exceptional.setup_delay`, :math:`t_{\\mathrm{idle}}` fixed),
so :math:`\\Delta R = n_{\\mathrm{x}} (t_{\\mathrm{hand}} + \\Delta_x)`. :math:`t_{\\mathrm{idle}}`
(``rps_wake_time``) is the exit latency of an idle state in the kernel's intel_idle tables
(``linux_intel_idle``): C1E, 10 us on Nehalem, Sandy Bridge and Skylake client tables
(C1 2-3 us, C6 above 100 us bound it; which state an idle core is in depends on the
governor and the idle time, so this value is an approximation). The exit from idle is
not counted as CPU work (the core executes nothing while it wakes); the IPI's own cost is
left out. This flag is off in the reported model: no validation source describes RPS.

What is left out: the softirq's budget (``netdev_budget``) and ``ksoftirqd`` when the
NET_RX work of one CPU overflows it; a veth with NAPI (GRO or XDP attached), whose own
poll replaces the backlog.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._params import flag, param
from ..queueing.mg1_exceptional import setup_delay
from .notifications import idle_probability
from .offload import io_count

BACKLOG_MODES = ("local", "rps")


def handoff_delay(tech, s):
    """The pure delay of a request's veth crossings: :math:`n_{\\mathrm{x}} t_{\\mathrm{hand}}`, plus the RPS
    core's setup delays with ``veth_backlog="rps"`` (module docstring)."""
    return io_count(tech, s, "veth") * s.veth_handoff_time + wake_delay(tech, s)


def crossing_arrivals(tech, s):
    """Crossings per second at one of the container's cores: :math:`\\lambda_x = n_{\\mathrm{x}} \\lambda / c_{\\mathrm{vcpu}}`."""
    return io_count(tech, s, "veth") * s.arrival_rate / s.vcpus


def remote_idle(tech, s, guest_mean):
    """Share of crossings that find the RPS core idle, :math:`p = (1-\\lambda' D)/(1+\\lambda_x t_{\\mathrm{idle}})`
    (:func:`~virtmodel.techniques.notifications.idle_probability` with the request's wake-ups
    :math:`n_{\\mathrm{x}} t_{\\mathrm{idle}}`), with ``guest_mean`` the container's work per request :math:`D`."""
    return idle_probability(s.arrival_rate / s.vcpus, guest_mean, io_count(tech, s, "veth") * s.rps_wake_time)


def wake_delay(tech, s):
    """The request's setup delays on the RPS core, :math:`n_{\\mathrm{x}} \\Delta_x` (module docstring); 0 for ``local``."""
    if tech.veth_backlog == "local":
        return 0
    lam_x, t_idle = crossing_arrivals(tech, s), s.rps_wake_time
    each, _ = setup_delay(lam_x, t_idle, t_idle**2, 0)  # a fixed wake-up; the mean needs no third moment
    return io_count(tech, s, "veth") * each


@dataclass(frozen=True)
class VethCrossing:
    """Mixin: the wait of a packet in the per-CPU backlog per veth crossing (module docstring)."""

    veth_handoff_time: float = param(
        0.0, unit="s", source="yang2017_docker_qperf", latex=r"t_{\mathrm{hand}}",
        doc="wait of a packet in the per-CPU backlog per veth crossing, beyond the crossing's cycles: 0 "
            "(the backlog is the transmitting CPU's own, Linux's veth_xmit -> netif_rx; qperf tcp_lat, Docker "
            "bridge 20.0 us vs host 17.5 us one-way, leaves -0.21 to +0.25 us per crossing after the "
            "2,000 + 1,500 cycles at 2.4-3.5 GHz)")
    veth_backlog: str = flag("local", doc="the backlog a veth crossing is queued on: local (the transmitting "
                                          "CPU's own, Linux's default), rps (another core of the container, "
                                          "chosen by RPS, woken from idle when it is idle)",
                             options=BACKLOG_MODES)
    rps_wake_time: float = param(
        10e-6, unit="s", source="linux_intel_idle", latex=r"t_{\mathrm{idle}}",
        doc="exit latency of an idle core woken by an RPS IPI (veth_backlog='rps' only): intel_idle's C1E "
            "exit latency, 10 us (Nehalem, Sandy Bridge, Skylake tables; C1 2-3 us and C6 above 100 us "
            "bound it; approx.)")


__all__ = ["BACKLOG_MODES", "VethCrossing", "crossing_arrivals", "handoff_delay", "remote_idle", "wake_delay"]

"""Refusing work that cannot fit: an estimate of the memory a computation needs, checked
against what the machine has free, before the work starts (not a MemoryError after it)."""

from __future__ import annotations

from .errors import ParameterError

#: bytes one point of a model evaluation needs at its peak (inputs, temporaries, outputs),
#: measured with tracemalloc on every metric at once (about 220 bytes) and rounded up
BYTES_PER_POINT = 256

#: work this small is never refused: a momentary reading of little or no free memory (seen as
#: MemAvailable 0 under memory pressure from other processes) must not refuse a 2-point grid
ALWAYS_ALLOWED_BYTES = 64 * 2**20


def available_bytes():
    """Memory the system can still give (``MemAvailable`` of /proc/meminfo), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fits(points: int, what: str, bytes_per_point: int = BYTES_PER_POINT, instead: str = "") -> None:
    """Raise :class:`ParameterError` if ``points`` at ``bytes_per_point`` exceed the free memory
    (work under :data:`ALWAYS_ALLOWED_BYTES` always goes ahead)."""
    need = int(points) * bytes_per_point
    if need <= ALWAYS_ALLOWED_BYTES:
        return
    free = available_bytes()
    if free is not None and need > free:
        raise ParameterError(what, f"{points:,} points", f"a grid that fits in memory (needs about "
                             f"{need / 1e9:.1f} GB, {free / 1e9:.1f} GB free)",
                             instead or "pass chunked dask arrays to virtmodel.analysis.sweep, or fewer points")

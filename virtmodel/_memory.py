"""Refusing work that cannot fit: an estimate of the memory a computation needs, checked
against what the machine has free, before the work starts (not a MemoryError after it)."""

from __future__ import annotations

import time

from .errors import ParameterError

#: bytes one point of a model evaluation needs at its peak (inputs, temporaries, outputs),
#: measured with tracemalloc on every metric at once (about 220 bytes) and rounded up
BYTES_PER_POINT = 256

#: work this small is never refused: a momentary reading of little or no free memory (seen as
#: MemAvailable 0 under memory pressure from other processes) must not refuse a 2-point grid
ALWAYS_ALLOWED_BYTES = 64 * 2**20


#: the memory controller's limit and usage of this process's control group: cgroup v2, then v1
#: (a container, e.g. a Binder session, sees the host's MemAvailable but is killed at its own limit)
CGROUP_FILES = (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"))

#: a v1 "limit" at or above this is the kernel's way of saying "no limit" (PAGE_COUNTER_MAX pages)
_NO_LIMIT = 1 << 60


def _meminfo_available():
    """``MemAvailable`` of /proc/meminfo in bytes, or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _read_number(path):
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    if text == "max":
        return _NO_LIMIT
    try:
        return int(text)
    except ValueError:
        return None


def cgroup_headroom():
    """What this process's control group may still allocate (limit - usage, bytes), or None
    where no memory limit applies or none can be read."""
    for limit_file, usage_file in CGROUP_FILES:
        limit, usage = _read_number(limit_file), _read_number(usage_file)
        if limit is None or usage is None:
            continue
        if limit >= _NO_LIMIT:
            return None
        return max(0, limit - usage)
    return None


def available_bytes():
    """Memory the process can still get: the smaller of the system's ``MemAvailable``
    (/proc/meminfo) and its control group's headroom (:func:`cgroup_headroom`), or None
    where neither is known."""
    known = [b for b in (_meminfo_available(), cgroup_headroom()) if b is not None]
    return min(known) if known else None


#: how long (seconds) :func:`recent_available_bytes` reuses a reading of the free memory
READING_SECONDS = 1.0

_reading = [float("-inf"), None, ()]  # (monotonic time, bytes, the functions that read it)


def recent_available_bytes(max_age: float = READING_SECONDS):
    """:func:`available_bytes` as read at most ``max_age`` seconds ago (read again when older, or
    when it was read by other functions than the module's present ones: replaced, e.g. by a
    test). A reading opens three to five files, 0.05-0.14 ms, which every call on large arrays
    paid twice (:func:`check_fits`, a sweep's result pool) in a 1.8 ms 10^6-point sweep
    (benchmarks/README.md, "Tenth round")."""
    at, value, made = _reading
    readers = _readers()
    if time.monotonic() - at > max_age or made != readers:  # (functions compare by identity)
        return _read()
    return value


def _readers() -> tuple:
    return available_bytes, _meminfo_available, cgroup_headroom


def _read():
    """:func:`available_bytes` now, kept as the latest reading."""
    now, value = time.monotonic(), available_bytes()
    _reading[:] = [now, value, _readers()]
    return value


def check_fits(points: int, what: str, bytes_per_point: int = BYTES_PER_POINT, instead: str = "") -> None:
    """Raise :class:`ParameterError` if ``points`` at ``bytes_per_point`` exceed the free memory
    (work under :data:`ALWAYS_ALLOWED_BYTES` always goes ahead). Work that needs at most half of a
    recent reading (:func:`recent_available_bytes`) goes ahead on it; closer to the limit, and
    before any refusal, the free memory is read afresh."""
    need = int(points) * bytes_per_point
    if need <= ALWAYS_ALLOWED_BYTES:
        return
    recent = recent_available_bytes()
    if recent is None or 2 * need <= recent:  # (None: unknown here, nothing to refuse on)
        return
    free = _read()
    if free is not None and need > free:
        raise ParameterError(what, f"{points:,} points", f"a grid that fits in memory (needs about "
                             f"{need / 1e9:.1f} GB, {free / 1e9:.1f} GB free)",
                             instead or "pass chunked dask arrays to virtmodel.analysis.sweep, or fewer points")

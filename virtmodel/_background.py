"""Values built once per key in a background thread: compiling a fused kernel without making
the first caller wait for the compiler.

:class:`Builds` runs ``build(key)`` at most once per key, in a daemon thread started by the
first request; a request that does not wait gets None until the value is ready. A build that
raises keeps its exception as its value (the callers then keep their NumPy path, or raise when
they asked to wait). Used by :mod:`virtmodel.model.kernels` (one kernel per signature) and
:mod:`virtmodel.queueing._percentile_kernel` (one kernel).
"""

from __future__ import annotations

import threading


class Builds:
    """``build(key)`` once per key, each in its own background thread named ``name``.

    Examples
    --------
    >>> b = Builds(lambda key: key * 2, "example")
    >>> b.get(21, wait=True)
    42
    """

    def __init__(self, build, name: str):
        self._build, self._name = build, name
        self._done: dict = {}  # key -> the value, or the exception its build raised
        self._threads: dict = {}
        self._lock = threading.Lock()

    def _run(self, key) -> None:
        try:
            value = self._build(key)
        except Exception as exc:  # noqa: BLE001 - kept as the value: the caller decides
            value = exc
        self._done[key] = value

    def get(self, key, wait: bool):
        """The value for ``key`` (or the exception its build raised); None while it is still being
        built and ``wait`` is False. The first request starts the build."""
        if key in self._done:
            return self._done[key]
        with self._lock:
            if key not in self._threads:
                self._threads[key] = threading.Thread(target=self._run, args=(key,), daemon=True, name=self._name)
                self._threads[key].start()
        if not wait:
            return self._done.get(key)
        self._threads[key].join()
        return self._done[key]

    def started(self) -> tuple:
        """The keys whose build has been started (finished or not), in the order they were."""
        return tuple(self._threads)

    def peek(self, key):
        """The value or exception if the build has finished, else None (starts nothing)."""
        return self._done.get(key)

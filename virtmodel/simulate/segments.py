"""Counting oracle for segmentation offload: packets cut into segments, one packet at a time.

The closed form of :mod:`virtmodel.techniques.offload` charges a path's
per-packet work :math:`\\min(n, \\max(n/k, n b / S))` times per request. This
module counts the same thing directly, the way a sending stack fills segments:
the packets (of ``packet_bytes``) of one application message are appended to the
open segment while it has room for a whole packet (``segment_bytes`` at most); a
packet that does not fit closes it and opens the next, and the message's last
segment leaves at its end, partly full. A segment never holds packets of two
messages; a packet larger than a segment travels as a segment of its own; a
stream is one long message. Nothing here is shared with the closed form: the
counts come from the loop, not from the formula.
"""

from __future__ import annotations

import numpy as np

from .._validate import positive
from ..errors import ParameterError

def count_segments(message_packets, packet_bytes: float, segment_bytes: float) -> int:
    """Segments sent for a sequence of messages (module docstring).

    Parameters
    ----------
    message_packets : sequence of int
        Whole packets of each message, in order (>= 0 each).
    packet_bytes : float
        Bytes per packet, > 0.
    segment_bytes : float
        Largest segment in bytes, > 0.

    Returns
    -------
    int
        Segments sent in all.

    Examples
    --------
    >>> count_segments([44, 44], 1500, 65536)  # 43 whole packets fit a 64 KiB segment: two per message
    4
    >>> count_segments([88], 1500, 65536)      # one message of 88 packets: 43 + 43 + 2
    3
    """
    b = positive("packet_bytes", packet_bytes, "scalar")
    size = positive("segment_bytes", segment_bytes, "scalar")
    counts = np.asarray(message_packets)
    if counts.ndim != 1 or np.any(counts < 0) or np.any(counts != np.round(counts)):
        raise ParameterError("message_packets", message_packets, "a sequence of whole numbers >= 0")
    sent = 0
    for n in counts:
        filled = 0.0  # bytes in the open segment (0: none open)
        for _ in range(int(n)):
            if filled and filled + b > size:
                sent, filled = sent + 1, 0.0
            filled += b
        sent += 1 if filled else 0
    return sent


__all__ = ["count_segments"]

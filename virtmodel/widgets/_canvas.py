"""A figure that redraws fast: layout computed once, moving artists blitted.

Why a full redraw of a latency figure is slow with the shipped style (figures in benchmarks/README.md):
most of it is text (tick labels, axis labels in mathtext, the legend's boxes)
being laid out and rasterized again, and constrained layout re-solving its
constraints before every draw. Nothing of that changes when a slider moves:
only the curves, the asymptotes and the markers do. So :class:`LiveFigure`

1. runs constrained layout once and then switches the layout engine off
   (``fig.set_layout_engine("none")``), re-running it only on request
   (:meth:`LiveFigure.relayout`, after a label or the legend changed);
2. marks the moving artists ``animated`` (left out of a normal draw, still
   drawn by ``savefig``), keeps a copy of the rendered static background after
   each full draw, and on :meth:`LiveFigure.refresh` restores it and draws only
   the moving artists (blitting);
3. shows the result the way the backend allows: the ipympl canvas widget
   (``canvas.blit`` sends the new frame; until a browser view has connected,
   the frame is kept for it as a data URL, see
   :meth:`LiveFigure._show_before_view`), or for the inline backend, Voila and
   plain scripts an :class:`ipywidgets.Image` whose PNG is replaced in place
   (no flicker, no output re-display), encoded by :mod:`._png` (RGB, no
   scanline filter, zlib level 1: half the time of Pillow's encoder).
"""

from __future__ import annotations

import base64
import contextlib

from .._validate import choice
from ..errors import ParameterError
from ..plotting.style import use_style
from ._png import encode_png

DISPLAYS = ("image", "ipympl")
#: dots per inch on screen: sharp enough in a browser, small enough to encode fast
SCREEN_DPI = 100


def detect_display() -> str:
    """``"ipympl"`` when matplotlib's backend is ipympl (``%matplotlib widget``), else ``"image"``."""
    import matplotlib

    backend = matplotlib.get_backend().lower()
    return "ipympl" if ("ipympl" in backend or backend.endswith("widget")) else "image"


def _new_figure(display, size):
    """A styled figure on a canvas that the inline backend will not show by itself."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with use_style():
        if display == "image":      # off pyplot's list: a plain Agg canvas
            fig = Figure(figsize=size, dpi=SCREEN_DPI, layout="constrained")
            FigureCanvasAgg(fig)
        else:
            with plt.ioff():
                fig = plt.figure(figsize=size, dpi=SCREEN_DPI, layout="constrained")
            fig.canvas.header_visible = False
            fig.canvas.toolbar_visible = False
            fig.canvas.resizable = False
        ax = fig.add_subplot()
    return fig, ax


class LiveFigure:
    """One figure, its moving artists and the widget that shows it (see the module docstring).

    Parameters
    ----------
    display : {"image", "ipympl"} or None
        How the figure is shown; None detects it from matplotlib's backend.
    size : (float, float)
        Figure size in inches (at :data:`SCREEN_DPI`).
    """

    def __init__(self, display=None, size=(6.4, 3.6)):
        import ipywidgets as widgets

        self.display = detect_display() if display is None else display
        choice("display", self.display, DISPLAYS)
        self.fig, self.ax = _new_figure(self.display, size)
        self.moving = []
        self._background = None
        self.fig.canvas.mpl_connect("draw_event", self._on_draw)
        if self.display == "ipympl":
            self.widget = self.fig.canvas
        else:
            self.widget = widgets.Image(format="png", layout=widgets.Layout(width=f"{size[0] * SCREEN_DPI:.0f}px"))

    def animate(self, artists):
        """Mark ``artists`` as moving: drawn by :meth:`refresh`, not kept in the background."""
        for artist in artists:
            artist.set_animated(True)
            self.moving.append(artist)

    def forget_moving(self):
        """Drop the moving artists (before the axes are redrawn from scratch)."""
        self.moving.clear()

    def relayout(self):
        """Solve constrained layout once for the current labels, then freeze it; full redraw."""
        self.fig.set_layout_engine("constrained")
        self.fig.get_layout_engine().execute(self.fig)
        self.fig.set_layout_engine("none")
        self.redraw()

    def redraw(self):
        """A full draw of the figure (static parts included), then shown."""
        with self._one_state_message():
            self.fig.canvas.draw()      # ipympl: this sends the frame to a connected view already
            if self.display == "image" or self._before_view():
                self._show()

    def _on_draw(self, event):
        canvas = self.fig.canvas
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._draw_moving()

    def _draw_moving(self):
        for artist in self.moving:
            if artist.get_visible():
                artist.axes.draw_artist(artist) if artist.axes is not None else self.fig.draw_artist(artist)

    def refresh(self):
        """Redraw only the moving artists over the saved background (a full draw if there is none)."""
        if self._background is None:
            self.redraw()
            return
        self.fig.canvas.restore_region(self._background)
        self._draw_moving()
        with self._one_state_message():
            self._show()

    def _one_state_message(self):
        """ipympl: the canvas's trait changes inside reach the browser as one state message."""
        hold_sync = getattr(self.fig.canvas, "hold_sync", None)
        return hold_sync() if hold_sync is not None else contextlib.nullcontext()

    def _before_view(self) -> bool:
        """True for an ipympl canvas that no browser view has connected to yet."""
        return self.display == "ipympl" and bool(getattr(self.fig.canvas, "syncing_data_url", False))

    def _show(self):
        if self.display == "image":
            self.widget.value = self.png()
        elif self._before_view():
            self._show_before_view()
        else:
            self.fig.canvas.blit(self.fig.bbox)

    def _show_before_view(self):
        """The first frame of an ipympl canvas, kept for a browser view that has not connected yet.

        Until its view sends "initialized", ipympl keeps the last frame in the
        ``_data_url`` trait, which the view loads as its first image, and the
        canvas size in ``_size``. Only the canvas's own ``_repr_mimebundle_``
        sets them right; a frame sent by ``draw``/``blit`` before a view exists
        is stored as bare base64 (no ``data:image/png;base64,`` prefix) and
        ``_size`` stays (0, 0). The dashboard shows the canvas inside a box, so
        the browser loaded the bare base64 as a relative URL, the image was
        broken, the view's resize handler threw on drawing it ("Error setting
        state: ... drawImage ... broken state") and the canvas stayed 0x0 px
        for good, slider moves included. So set both traits here (callers hold
        the sync: one state message, final values only); once connected, the
        view asks for a full frame and later frames go by ``blit``.
        """
        canvas = self.fig.canvas
        ratio = getattr(canvas, "device_pixel_ratio", 1) or 1
        canvas._size = (float(self.fig.bbox.width / ratio), float(self.fig.bbox.height / ratio))
        canvas._data_url = "data:image/png;base64," + base64.b64encode(self.png()).decode("ascii")

    def png(self) -> bytes:
        """The current frame as PNG bytes (from the Agg buffer; nothing is redrawn)."""
        return encode_png(self.fig.canvas.buffer_rgba())


__all__ = ["DISPLAYS", "SCREEN_DPI", "LiveFigure", "detect_display"]

"""Export of a virtmodel figure: PDF with TrueType fonts, SVG with text, PNG."""

import re

from virtmodel.plotting import export
from virtmodel.plotting.latency import latency_curves_data, latency_curves_plot


def test_export_pdf_svg_png(tmp_path):
    fig, _ax, _ = latency_curves_plot(latency_curves_data(["paravirtual", "sriov"], "small_packet_rr", points=20))
    paths = export(fig, tmp_path / "latency")
    assert sorted(p.suffix for p in paths) == [".pdf", ".png", ".svg"]
    assert all(p.stat().st_size > 1000 for p in paths)
    pdf = (tmp_path / "latency.pdf").read_bytes()
    # fonttype 42: TrueType outlines embedded (FontFile2), as TrueType or CIDFontType2 fonts
    assert b"/FontFile2" in pdf and re.search(rb"/Subtype /(TrueType|CIDFontType2)", pdf)
    assert b"/Subtype /Type3" not in pdf
    svg = (tmp_path / "latency.svg").read_text()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts and any("SR-IOV" in t for t in texts)
    assert (tmp_path / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_dot_in_the_name_is_not_a_format(tmp_path):
    import matplotlib.pyplot as plt

    from virtmodel.plotting import export

    fig = plt.figure()
    written = export(fig, tmp_path / "fig.v2")
    assert sorted(p.name for p in written) == ["fig.v2.pdf", "fig.v2.png", "fig.v2.svg"]
    assert [p.name for p in export(fig, tmp_path / "one.PNG")] == ["one.png"]
    plt.close(fig)

"""User text made safe for the report formats: Markdown (CommonMark, with HTML) and file names.

A scenario's name, description and notes are the user's text: in ``report.md``
they must read as written, never as markup, links or HTML.

>>> markdown_text("<b>fast</b> *and* [cheap](x)")
'&lt;b&gt;fast&lt;/b&gt; \\\\*and\\\\* \\\\[cheap\\\\](x)'
>>> slug("sriov(iommu_cycles=250.0)")
'sriov_iommu_cycles_250_0'
"""

from __future__ import annotations

import hashlib
import html
import re

#: characters that mark up text anywhere in a line (backslash-escaped); ``_`` inside a word is
#: plain text in CommonMark, so ``small_packets`` stays as written
_INLINE = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
#: what starts a heading, quote, list or setext underline at the start of a line
_LINE_START = re.compile(r"^([ \t]*)([#+=-]|\d+[.)])", re.MULTILINE)
SLUG_LENGTH = 60


def markdown_text(text: str) -> str:
    """``text`` as Markdown that renders as exactly that text (HTML as entities, markup escaped)."""
    text = html.escape(text, quote=False)
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def markdown_line(text: str) -> str:
    """:func:`markdown_text` on one line (line breaks become spaces), e.g. for a heading."""
    return markdown_text(" ".join(text.split()))


def slug(label: str) -> str:
    """A file-name part for ``label``: letters, digits and ``_`` only; a long one shortened with a hash."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_") or "x"
    if len(text) > SLUG_LENGTH:
        text = text[:SLUG_LENGTH - 9] + "_" + hashlib.sha1(label.encode()).hexdigest()[:8]
    return text


def unique_slugs(labels) -> dict:
    """``{label: slug}``, the slugs made distinct (``_2``, ``_3`` ... appended where two agree)."""
    out, taken = {}, set()
    for label in labels:
        base = candidate = slug(label)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        out[label] = candidate
    return out


__all__ = ["markdown_line", "markdown_text", "slug", "unique_slugs"]

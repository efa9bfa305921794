"""The bibliography behind virtmodel's presets, and a :func:`cite` helper.

Every published value in :mod:`virtmodel.presets` names its source by a citation
key defined here. :func:`cite` turns keys, or the objects that carry them (the
technique parameter objects and workload presets, whose dataclass fields hold
``metadata={"unit": ..., "source": "<key>"}``), into BibTeX for a paper or a
report. The pseudo-source ``"assumption"`` marks a value that no publication
gives: it is the model's own assumption and is left out of BibTeX output unless
asked for.

The entries are data: ``virtmodel/data/references.bib``, read by
:func:`virtmodel.data.load_bib`. Bibliographic fields are limited to what could
be checked (authors, title, venue, year, publisher; pages and DOIs only where
verified). No URLs.

Examples
--------
>>> print(cite("dong2010").splitlines()[0])
@inproceedings{dong2010,
>>> reference("adams2006").short
'Adams & Agesen, ASPLOS 2006'
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .data import DataFileError, load_bib
from .errors import ParameterError, unknown_name

__all__ = ["ASSUMPTION", "Reference", "bibliography_table", "cite", "keys", "reference"]

ASSUMPTION = "assumption"
"""The pseudo-source key of values that are the model's assumption."""


@dataclass(frozen=True)
class Reference:
    """One bibliography entry.

    Attributes
    ----------
    key : str
        The citation key (fixed: code and docs refer to it).
    entry_type : str
        The BibTeX entry type (``inproceedings``, ``article``, ``misc``, ...).
    fields : tuple of (str, str)
        BibTeX fields in output order (values already BibTeX-escaped).
    short : str
        A short human citation, e.g. ``"Adams & Agesen, ASPLOS 2006"``.
    description : str
        One line: what virtmodel takes from this source.
    """

    key: str
    entry_type: str
    fields: tuple
    short: str
    description: str

    def field(self, name: str, default: str | None = None) -> str | None:
        """The value of BibTeX field ``name`` (``default`` when absent)."""
        return dict(self.fields).get(name, default)

    def bibtex(self) -> str:
        """This entry as BibTeX text (``@type{key,`` ... ``}``)."""
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in self.fields)
        return f"@{self.entry_type}{{{self.key},\n{body}\n}}"


_OWN_FIELDS = ("short", "description")
"""Fields of ``references.bib`` that are virtmodel's own, left out of :meth:`Reference.bibtex`."""


def _reference(key: str, entry_type: str, fields: tuple) -> Reference:
    own = dict(fields)
    missing = [name for name in _OWN_FIELDS if name not in own]
    if missing:
        raise DataFileError(f"references.bib: {key} lacks {', '.join(missing)}")
    bibtex = tuple((name, value) for name, value in fields if name not in _OWN_FIELDS)
    return Reference(key, entry_type, bibtex, own["short"], own["description"])


_ENTRIES = tuple(_reference(*entry) for entry in load_bib("references.bib"))

_BY_KEY = {ref.key: ref for ref in _ENTRIES}
if ASSUMPTION not in _BY_KEY:  # pragma: no cover - guards the data file
    raise DataFileError(f"references.bib: no {ASSUMPTION!r} pseudo-entry")


def keys() -> tuple:
    """All citation keys, sorted (``"assumption"`` included)."""
    return tuple(sorted(_BY_KEY))


def reference(key: str) -> Reference:
    """The bibliography entry of ``key``.

    Parameters
    ----------
    key : str
        A citation key such as ``"adams2006"``.

    Returns
    -------
    Reference

    Raises
    ------
    ParameterError
        For an unknown key; the message names it and lists close matches.
    """
    if isinstance(key, str) and key in _BY_KEY:
        return _BY_KEY[key]
    raise unknown_name("key", key, _BY_KEY, "a known citation key (see virtmodel.references.keys())")


def _collect(obj, out: set, seen: set) -> None:
    """Add the citation keys carried by ``obj`` to ``out``."""
    if isinstance(obj, str):
        out.add(reference(obj).key)
        return
    if isinstance(obj, Reference):
        out.add(obj.key)
        return
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple, set, frozenset)):
        for item in obj:
            _collect(item, out, seen)
        return
    found = False
    sources = getattr(obj, "sources", None)
    if callable(sources):
        _collect(list(sources()), out, seen)
        found = True
    if dataclasses.is_dataclass(obj):
        found = True
        for f in dataclasses.fields(obj):
            src = f.metadata.get("source")
            if src is not None:
                _collect(src if isinstance(src, str) else list(src), out, seen)
            if not isinstance(obj, type):
                value = getattr(obj, f.name, None)
                if dataclasses.is_dataclass(value) or callable(getattr(value, "sources", None)):
                    _collect(value, out, seen)
        if isinstance(getattr(obj, "source", None), str):
            _collect(obj.source, out, seen)
    if not found:
        raise ParameterError(
            "source", type(obj).__name__,
            "a citation key, a Reference, or an object with sources() or dataclass fields "
            "with metadata['source']",
        )


def cite(*keys_or_objects, assumptions: bool = False) -> str:
    """BibTeX for the sources behind some keys or model objects.

    Parameters
    ----------
    *keys_or_objects : str, Reference or object
        Citation keys; or objects with a ``sources()`` method; or dataclasses
        (instances or classes) whose fields carry ``metadata["source"]`` (a key
        or a sequence of keys); or measurements (a ``source`` attribute); or
        lists/tuples/dicts of these. Nested dataclass values are searched too.
    assumptions : bool, optional
        Also emit the ``"assumption"`` pseudo-entry when it is among the keys
        (default False: it is not a publication).

    Returns
    -------
    str
        BibTeX entries, deduplicated, sorted by key, separated by blank lines
        (empty string when nothing is cited).

    Raises
    ------
    ParameterError
        For an unknown key or an object that carries no sources.

    Examples
    --------
    >>> cite("barham2003", "adams2006").count("@")
    2
    """
    found: set = set()
    seen: set = set()
    for obj in keys_or_objects:
        _collect(obj, found, seen)
    if not assumptions:
        found.discard(ASSUMPTION)
    return "\n\n".join(_BY_KEY[k].bibtex() for k in sorted(found)) + ("\n" if found else "")


def bibliography_table():
    """The bibliography as a table.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``citation`` (short human citation) and
        ``description`` (what virtmodel takes from it), sorted by key.
    """
    import pandas as pd

    rows = [(ref.key, ref.short, ref.description) for ref in sorted(_ENTRIES, key=lambda r: r.key)]
    return pd.DataFrame(rows, columns=["key", "citation", "description"])

"""The published data as files, and their loader: the bottom layer of virtmodel.

The records live beside this module:

* ``published_exits.json``, ``published_xen.json``, ``published_io.json``:
  the published measurements and findings by topic (the exits file also holds
  the VM exit cost and nested paging of each Intel generation);
* ``machines.json``: the machines of the papers whose clock rate is stated;
* ``ec2.json``: the facts of Amazon EC2's instance generations;
* ``references.bib``: the bibliography (citation keys of every source).

:func:`load_json` and :func:`load_bib` read them strictly (duplicate keys,
NaN or an unexpected construct are errors); nothing is evaluated.
:mod:`virtmodel.presets` and :mod:`virtmodel.references` turn the records into
objects. This module imports nothing from virtmodel.

Examples
--------
>>> load_json("machines.json")["machines"][0]["name"]
'pentium4_672'
>>> parse_bib("@misc{k,\\n  title = {{Xen} and more},\\n  year = {2003}\\n}")
[('k', 'misc', (('title', '{Xen} and more'), ('year', '2003')))]
"""

from __future__ import annotations

import json
import re
from importlib import resources

__all__ = ["DataFileError", "load_bib", "load_json", "parse_bib"]


class DataFileError(ValueError):
    """A data file does not have the expected form (a packaging or editing mistake)."""


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _unique_keys(pairs: list) -> dict:
    out = {}
    for key, value in pairs:
        if key in out:
            raise DataFileError(f"duplicate key {key!r} in a JSON object")
        out[key] = value
    return out


def _no_constant(name: str):
    raise DataFileError(f"{name} is not a number a data file may hold")


def load_json(name: str) -> dict:
    """The JSON data file ``name`` of this folder, parsed (duplicate keys and NaN/Infinity rejected)."""
    return json.loads(_read(name), object_pairs_hook=_unique_keys, parse_constant=_no_constant)


_ENTRY = re.compile(r"@([a-z]+)\{([A-Za-z0-9_]+),")
_FIELD = re.compile(r"([a-z_]+)\s*=\s*\{")
_BLANK_OR_COMMENT = re.compile(r"(?:\s+|%[^\n]*)*")


def _braced(text: str, start: int) -> tuple:
    """The text inside the braces opening at ``start`` (nested braces kept), and the index after them."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:i], i + 1
        i += 1
    raise DataFileError(f"unclosed brace opened at character {start}")


def _fail(text: str, pos: int, expected: str):
    line = text.count("\n", 0, pos) + 1
    raise DataFileError(f"line {line}: expected {expected}, found {text[pos:pos + 30]!r}")


def parse_bib(text: str) -> list:
    """Entries of BibTeX text as ``(key, entry_type, ((field, value), ...))``, in file order.

    The subset the bibliography uses: ``@type{key, name = {value}, ...}`` with
    braced values (nested braces and backslash escapes kept verbatim), ``%``
    comment lines between entries; no ``@string`` macros, no quoted or bare
    values. Field names are lower case; a repeated key or field is an error.
    """
    entries, seen, pos = [], set(), 0
    while True:
        pos = _BLANK_OR_COMMENT.match(text, pos).end()
        if pos == len(text):
            return entries
        entry = _ENTRY.match(text, pos) or _fail(text, pos, "@type{key,")
        entry_type, key = entry.groups()
        if key in seen:
            raise DataFileError(f"duplicate citation key {key!r}")
        seen.add(key)
        fields, pos = {}, entry.end()
        while True:
            pos = _BLANK_OR_COMMENT.match(text, pos).end()
            if text.startswith("}", pos):
                pos += 1
                break
            field = _FIELD.match(text, pos) or _fail(text, pos, "name = {value} or the closing }")
            if field.group(1) in fields:
                raise DataFileError(f"{key}: field {field.group(1)!r} given twice")
            fields[field.group(1)], pos = _braced(text, field.end() - 1)
            pos = _BLANK_OR_COMMENT.match(text, pos).end()
            if text.startswith(",", pos):
                pos += 1
            elif not text.startswith("}", pos):
                _fail(text, pos, ", or }")
        entries.append((key, entry_type, tuple(fields.items())))


def load_bib(name: str = "references.bib") -> list:
    """The entries of the BibTeX file ``name`` of this folder (see :func:`parse_bib`)."""
    return parse_bib(_read(name))

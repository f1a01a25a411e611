"""Importing incident datasets (DESIGN.md "Commands": import_incidents and mapping files).

- `readers`: CSV in a named encoding, XLSX; streamed rows numbered as a spreadsheet shows them.
- `mapping`: the JSON mapping format (`MappedFormat`).
- `pk_suicide_attacks`: the built-in format for the Pakistan Body Count file.
- `engine`: `run_import()`: all or nothing, dry run, identity, updates with history, ImportRun log.
- `export`: the tracker's own incident CSV columns, which mappings/tracker-export.json imports.
"""

from __future__ import annotations

from .engine import ImportResult, run_import
from .errors import ImportFailed, RowError
from .mapping import MappedFormat, load_mapping
from .pk_suicide_attacks import PkSuicideAttacksFormat

BUILT_IN_FORMATS = {PkSuicideAttacksFormat.name: PkSuicideAttacksFormat}


def get_format(*, name: str | None = None, mapping: dict | None = None):
    """The format object for a built-in format name or a mapping (exactly one of the two)."""
    if (name is None) == (mapping is None):
        raise ImportFailed("Give either a built-in format or a mapping, not both.")
    if name is not None:
        try:
            return BUILT_IN_FORMATS[name]()
        except KeyError:
            raise ImportFailed(f"Unknown format {name!r} (known: {', '.join(BUILT_IN_FORMATS)}).") from None
    return MappedFormat(mapping)


__all__ = [
    "BUILT_IN_FORMATS",
    "ImportFailed",
    "ImportResult",
    "MappedFormat",
    "RowError",
    "get_format",
    "load_mapping",
    "run_import",
]

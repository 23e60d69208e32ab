"""Limits on what an input may be, so a damaged or hostile file is refused before it is unpacked.

Workbooks are zip files of XML: a small file can unpack to gigabytes (a zip bomb) or declare XML
entities that expand without end (an XML bomb). Sizes are checked from the zip directory before
anything is read, XML with a document type declaration is refused (a workbook never needs one),
and rows per sheet are capped. A scenario can raise the row cap with a Settings row `max_rows`;
the byte limits with the environment variables OPTIMIZER_MAX_FILE_MB and OPTIMIZER_MAX_UNPACKED_MB.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from optimizer.core.errors import InputError, InputErrors

MIB = 2**20
DEFAULT_MAX_ROWS = 1_000_000  # per sheet


def _env_mb(name: str, default: int) -> int:
    try:
        return int(float(os.environ[name]) * MIB)
    except (KeyError, ValueError):
        return default * MIB


@dataclass(frozen=True)
class InputLimits:
    """The largest input accepted; see the module docstring for how each can be raised."""

    file_bytes: int
    unpacked_bytes: int
    max_ratio: float = 200.0  # unpacked / packed size of one zip member larger than 16 MiB
    max_members: int = 10_000
    rows: int = DEFAULT_MAX_ROWS

    @classmethod
    def current(cls) -> InputLimits:
        return cls(
            _env_mb("OPTIMIZER_MAX_FILE_MB", 200), _env_mb("OPTIMIZER_MAX_UNPACKED_MB", 2048), rows=DEFAULT_MAX_ROWS
        )


def check_file_size(path: Path, limits: InputLimits) -> None:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise InputErrors(
            [
                InputError(
                    path.name,
                    f"file is {size / MIB:.0f} MiB, over the {limits.file_bytes // MIB} MiB limit "
                    "(set OPTIMIZER_MAX_FILE_MB to allow more)",
                )
            ]
        )


def check_workbook_archive(path: Path, limits: InputLimits) -> None:
    """Refuse a workbook whose zip would unpack too far or whose XML declares a document type."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputErrors([InputError(path.name, f"is not a readable Excel workbook (.xlsx): {exc}")]) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise InputErrors([InputError(path.name, f"holds {len(members)} parts; a workbook has far fewer")])
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.unpacked_bytes:
            raise InputErrors(
                [
                    InputError(
                        path.name,
                        f"unpacks to {unpacked / MIB:.0f} MiB, over the {limits.unpacked_bytes // MIB} MiB limit "
                        "(a zip bomb? set OPTIMIZER_MAX_UNPACKED_MB to allow more)",
                    )
                ]
            )
        for member in members:
            if member.file_size > 16 * MIB and member.file_size > limits.max_ratio * max(member.compress_size, 1):
                raise InputErrors(
                    [
                        InputError(
                            path.name,
                            f"part {member.filename} is compressed {member.file_size // max(member.compress_size, 1)} to 1, a zip bomb",
                        )
                    ]
                )
            if member.filename.endswith((".xml", ".rels", ".vml")) and _declares_doctype(archive, member):
                raise InputErrors(
                    [
                        InputError(
                            path.name,
                            f"part {member.filename} declares an XML document type; workbooks never need one "
                            "and it can hide an XML bomb, so the file is refused",
                        )
                    ]
                )


def _declares_doctype(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the XML prolog (first 64 KiB) holds a <!DOCTYPE or <!ENTITY declaration."""
    try:
        with archive.open(member) as handle:
            head = handle.read(64 * 1024)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return False  # an unreadable part is reported by the workbook reader itself
    head = head.upper()
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def row_limit_from_settings(cells: list[list[object]]) -> int | None:
    """A `max_rows` row of a Settings sheet (setting | value), if the scenario sets one."""
    for row in cells:
        if len(row) >= 2 and str(row[0]).strip().lower() == "max_rows":
            try:
                return int(float(row[1]))  # type: ignore[arg-type]
            except (TypeError, ValueError, OverflowError):  # not a whole number: validation says so at its cell
                return None
    return None

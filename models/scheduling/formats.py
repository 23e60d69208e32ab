"""Benchmark readers: the standard job-shop format and Brandimarte's flexible job-shop format.

Both are read into the kind's own tables (Settings with objective makespan, Jobs, Operations,
Machines, Eligible) so validation and the model see a benchmark exactly as a workbook.
`jobshop`: `n m`, then one line per job of `machine time` pairs, machines numbered from 0.
`fjs`: `n m [average machines per operation]`, then per job: the number of operations, and per
operation the number of machines k followed by k `machine time` pairs, machines from 1.
Lines starting with '#' are comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.core.errors import InputError, InputErrors
from optimizer.io.tables import RawTable
from optimizer.io.text_tables import numbered_lines, settings_table, text_table
from optimizer.kinds import BenchmarkFormat


def _data_lines(path: Path) -> list[tuple[int, str]]:
    return [(n, line) for n, line in numbered_lines(path) if not line.lstrip().startswith("#")]


def _tokens(label: str, line: int, text: str, errors: list[InputError]) -> list[Any] | None:
    """Numbers of a line (whole numbers as int); None and an error when a token is not a number."""
    out: list[Any] = []
    for token in text.split():
        try:
            value = float(token)
        except ValueError:
            errors.append(InputError(f"{label} line {line}", f"expected a number, got {token!r}"))
            return None
        out.append(int(value) if value.is_integer() else value)
    return out


def _header(label: str, lines: list[tuple[int, str]], sizes: tuple[int, ...]) -> tuple[int, int]:
    if not lines:
        raise InputErrors([InputError(label, "file is empty; expected a first line 'jobs machines'")])
    errors: list[InputError] = []
    line, text = lines[0]
    values = _tokens(label, line, text, errors)
    if errors or values is None:
        raise InputErrors(errors)
    if len(values) not in sizes:
        raise InputErrors(
            [
                InputError(
                    f"{label} line {line}",
                    f"expected {' or '.join(map(str, sizes))} numbers (jobs machines), got {len(values)}",
                )
            ]
        )
    n, m = values[0], values[1]
    if not (isinstance(n, int) and isinstance(m, int) and n > 0 and m > 0):
        raise InputErrors(
            [
                InputError(
                    f"{label} line {line}",
                    f"jobs and machines must be positive whole numbers, got {values[0]} and {values[1]}",
                )
            ]
        )
    if len(lines) - 1 < n:
        raise InputErrors([InputError(label, f"expected {n} job lines after line {line}, found {len(lines) - 1}")])
    return n, m


def _tables(
    label: str, name: str, machines: list[str], jobs: list[tuple[int, list[tuple[str, list]]]], first: int
) -> dict[str, RawTable]:
    """Raw tables from parsed jobs: [(line, [(operation, [(machine, time), ...]), ...])]."""
    job_rows, op_rows, el_rows = [], [], []
    job_lines, op_lines, el_lines = [], [], []
    for j, (line, ops) in enumerate(jobs):
        job_id = str(j + first)
        job_rows.append([job_id])
        job_lines.append(line)
        for seq, (op_id, options) in enumerate(ops):
            op_rows.append([job_id, op_id, seq])
            op_lines.append(line)
            for machine, time in options:
                el_rows.append([job_id, op_id, machine, time])
                el_lines.append(line)
    settings = {
        "kind": "scheduling",
        "name": name,
        "objective": "makespan",
        "time_unit": "time unit",
        "search": "fastest",
    }
    return {
        "Settings": settings_table(label, settings),
        "Jobs": text_table("Jobs", label, ["job"], job_rows, job_lines),
        "Operations": text_table("Operations", label, ["job", "operation", "sequence"], op_rows, op_lines),
        "Machines": text_table("Machines", label, ["machine"], [[m] for m in machines], [0] * len(machines)),
        "Eligible": text_table(
            "Eligible", label, ["job", "operation", "machine", "processing_time"], el_rows, el_lines
        ),
    }


def read_jobshop(path: Path) -> dict[str, RawTable]:
    """A standard job-shop file as scheduling tables (jobs and machines numbered from 0)."""
    label = path.name
    lines = _data_lines(path)
    n, m = _header(label, lines, (2,))
    errors: list[InputError] = []
    jobs = []
    for line, text in lines[1 : n + 1]:
        values = _tokens(label, line, text, errors)
        if values is None:
            continue
        if len(values) != 2 * m:
            errors.append(
                InputError(
                    f"{label} line {line}", f"expected {2 * m} numbers ({m} machine-time pairs), got {len(values)}"
                )
            )
            continue
        ops = [(str(k), [(str(values[2 * k]), values[2 * k + 1])]) for k in range(m)]
        jobs.append((line, ops))
    for line, _ in lines[n + 1 :]:
        errors.append(InputError(f"{label} line {line}", f"unexpected line after the {n} job lines"))
    if errors:
        raise InputErrors(errors)
    return _tables(label, path.stem, [str(k) for k in range(m)], jobs, first=0)


def _fjs_job(label: str, line: int, values: list[Any], errors: list[InputError]) -> list[tuple[str, list]] | None:
    """Operations of one fjs job line, or None after recording what is wrong."""
    where = f"{label} line {line}"
    if not values or not isinstance(values[0], int) or values[0] < 1:
        errors.append(InputError(where, "expected the number of operations first"))
        return None
    ops, pos = [], 1
    for k in range(values[0]):
        if pos >= len(values) or not isinstance(values[pos], int) or values[pos] < 1:
            errors.append(InputError(where, f"operation {k + 1}: expected its number of machines at number {pos + 1}"))
            return None
        count = values[pos]
        pairs = values[pos + 1 : pos + 1 + 2 * count]
        if len(pairs) < 2 * count:
            errors.append(InputError(where, f"operation {k + 1}: expected {count} machine-time pairs, the line ends"))
            return None
        ops.append((str(k + 1), [(str(pairs[2 * i]), pairs[2 * i + 1]) for i in range(count)]))
        pos += 1 + 2 * count
    if pos != len(values):
        errors.append(InputError(where, f"expected {pos} numbers for {values[0]} operations, got {len(values)}"))
        return None
    return ops


def read_fjs(path: Path) -> dict[str, RawTable]:
    """A Brandimarte flexible job-shop file as scheduling tables (jobs and machines numbered from 1)."""
    label = path.name
    lines = _data_lines(path)
    n, m = _header(label, lines, (2, 3))
    errors: list[InputError] = []
    jobs = []
    for line, text in lines[1 : n + 1]:
        values = _tokens(label, line, text, errors)
        if values is None:
            continue
        ops = _fjs_job(label, line, values, errors)
        if ops is not None:
            jobs.append((line, ops))
    for line, _ in lines[n + 1 :]:
        errors.append(InputError(f"{label} line {line}", f"unexpected line after the {n} job lines"))
    if errors:
        raise InputErrors(errors)
    return _tables(label, path.stem, [str(k + 1) for k in range(m)], jobs, first=1)


def _first_lines(head: str, count: int) -> list[list[str]]:
    rows = [line.split() for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return rows[:count]


def _all_ints(tokens: list[str]) -> bool:
    return bool(tokens) and all(t.isdigit() for t in tokens)


def detect_jobshop(path: Path, head: str) -> bool:
    """`n m` then a line of 2m whole numbers."""
    rows = _first_lines(head, 2)
    return (
        len(rows) == 2
        and len(rows[0]) == 2
        and _all_ints(rows[0])
        and _all_ints(rows[1])
        and len(rows[1]) == 2 * int(rows[0][1])
    )


def detect_fjs(path: Path, head: str) -> bool:
    """A .fjs file, or `n m average` followed by a job line that starts with its operation count."""
    if path.suffix.lower() == ".fjs":
        return True
    rows = _first_lines(head, 2)
    return len(rows) == 2 and len(rows[0]) == 3 and _all_ints(rows[0][:2]) and _all_ints(rows[1])


FORMATS = {
    "jobshop": BenchmarkFormat(
        "jobshop", "job shop (n m, then machine-time pairs per job, machines from 0)", read_jobshop, detect_jobshop
    ),
    "fjs": BenchmarkFormat("fjs", "Brandimarte flexible job shop (machines from 1)", read_fjs, detect_fjs),
}

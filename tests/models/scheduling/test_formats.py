"""Benchmark readers: real files from ../shared/benchmarks, damaged files with line locations, detection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.scheduling.formats import detect_fjs, detect_jobshop, read_fjs, read_jobshop
from optimizer.core.errors import InputErrors
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.kinds import detect_format
from optimizer.solve import load, solve_loaded
from tests.models.scheduling.checker import check_schedule

BENCH = Path(
    os.environ.get("OPTIMIZER_BENCHMARKS", Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks")
)
needs_files = pytest.mark.skipif(not (BENCH / "jobshop").is_dir(), reason="benchmark files not available")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_jobshop_tables(tmp_path: Path) -> None:
    path = _write(tmp_path, "tiny.txt", "# a comment\n2 2\n0 3 1 2\n1 4 0 1\n")
    tables = read_jobshop(path)
    eligible = tables["Eligible"].records()
    assert [r["machine"] for r in eligible] == ["0", "1", "1", "0"]
    assert [r["processing_time"] for r in eligible] == [3, 2, 4, 1]
    assert tables["Eligible"].cell(2, "processing_time") == "tiny.txt line 4 (column processing_time)"


def test_fjs_tables(tmp_path: Path) -> None:
    path = _write(tmp_path, "tiny.fjs", "2 2 1.5\n2 2 1 3 2 5 1 2 4\n1 1 1 6\n")
    tables = read_fjs(path)
    assert [r["operation"] for r in tables["Operations"].records()] == ["1", "2", "1"]
    assert [(r["job"], r["machine"], r["processing_time"]) for r in tables["Eligible"].records()] == [
        ("1", "1", 3),
        ("1", "2", 5),
        ("1", "2", 4),
        ("2", "1", 6),
    ]


@pytest.mark.parametrize(
    ("name", "text", "reader", "message"),
    [
        ("short.txt", "2 2\n0 3 1 2\n1 4 0\n", read_jobshop, "short.txt line 3: expected 4 numbers"),
        ("word.txt", "2 2\n0 3 1 x\n1 4 0 1\n", read_jobshop, "word.txt line 2: expected a number, got 'x'"),
        ("few.txt", "3 2\n0 3 1 2\n", read_jobshop, "expected 3 job lines"),
        ("empty.txt", "\n\n", read_jobshop, "file is empty"),
        ("cut.fjs", "1 2 1\n2 1 1 3 2 1\n", read_fjs, "cut.fjs line 2: operation 2: expected 2 machine-time pairs"),
        ("long.fjs", "1 2 1\n1 1 1 3 7\n", read_fjs, "long.fjs line 2: expected 4 numbers"),
    ],
)
def test_damaged_files_name_the_line(tmp_path: Path, name: str, text: str, reader, message: str) -> None:
    with pytest.raises(InputErrors) as caught:
        reader(_write(tmp_path, name, text))
    assert message in str(caught.value)


def test_bad_values_are_reported_by_validation_with_their_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.txt", "2 2\n0 3 5 2\n1 -4 0 1\n")
    with pytest.raises(InputErrors) as caught:
        load(path, "jobshop")
    text = str(caught.value)
    assert "bad.txt line 2 (column machine): machine '5' is not in Machines" in text
    assert "bad.txt line 3 (column processing_time)" in text


def test_detection(tmp_path: Path) -> None:
    js = _write(tmp_path, "a.txt", "2 2\n0 3 1 2\n1 4 0 1\n")
    fj = _write(tmp_path, "b.data", "2 2 1.5\n2 2 1 3 2 5 1 2 4\n1 1 1 6\n")
    assert detect_jobshop(js, js.read_text()) and not detect_fjs(js, js.read_text())
    assert detect_fjs(fj, fj.read_text()) and not detect_jobshop(fj, fj.read_text())
    assert detect_format(js).name == "jobshop"


@needs_files
def test_ft06_solves_to_its_optimum() -> None:
    loaded = load(BENCH / "jobshop" / "ft06.txt", "jobshop")
    result = solve_loaded(loaded, SolveParams(time_limit=20))
    assert result.status is Status.OPTIMAL and result.objective == 55


@needs_files
def test_mk01_reads_as_a_flexible_shop() -> None:
    loaded = load(BENCH / "fjsp" / "mk01.fjs", "fjs")
    s = loaded.scenario
    assert len(s.jobs) == 10 and len(s.machines) == 6 and len(s.operations) == 55
    assert max(len(op.options) for op in s.operations) > 1


@needs_files
def test_mk01_plan_passes_the_checker() -> None:
    path = BENCH / "fjsp" / "mk01.fjs"
    sheets = {name: table.records() for name, table in read_fjs(path).items()}
    result = solve_loaded(load(path, "fjs"), SolveParams(time_limit=5))
    assert result.status.has_plan
    value = check_schedule(sheets, result.plan.sheets["Schedule"])
    assert value <= result.objective and value >= 40

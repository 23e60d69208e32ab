"""optimizer.solve: loading any supported input (format, CSV folders, identity) and one real tiny solve."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from optimizer.core.errors import InputErrors, UsageError
from optimizer.core.params import SolveParams
from optimizer.core.status import Status
from optimizer.solve import file_sha256, load, solve_loaded
from tests.builders import sha256, tiny_sheets, tiny_workbook


def write_csv_folder(folder: Path, sheets: dict[str, list[list]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])
    return folder


def test_csv_folder_loads_like_the_workbook(tmp_path):
    from_csv = load(write_csv_folder(tmp_path / "scenario", tiny_sheets()))
    from_xlsx = load(tiny_workbook(tmp_path / "tiny.xlsx"))
    assert from_csv.kind.name == from_xlsx.kind.name == "inventory"
    assert from_csv.scenario.periods == from_xlsx.scenario.periods
    assert from_csv.scenario.demand == from_xlsx.scenario.demand
    assert from_csv.scenario.offers == from_xlsx.scenario.offers
    assert load(tmp_path / "scenario", "csv").scenario.demand == from_xlsx.scenario.demand


def test_csv_error_is_located_by_file_name(tmp_path):
    sheets = tiny_sheets()
    sheets["Demand"][2][2] = -5  # file line 3
    with pytest.raises(InputErrors) as caught:
        load(write_csv_folder(tmp_path / "scenario", sheets))
    (error,) = caught.value.errors
    assert error.location == "Demand.csv!C3"
    assert error.message.startswith("quantity must be >= 0, got ")


def test_csv_error_reads_like_the_workbook_error(tmp_path):
    """The planner typed -5 in both; the message must not depend on the file format."""
    sheets = tiny_sheets()
    sheets["Demand"][2][2] = -5
    with pytest.raises(InputErrors) as caught:
        load(write_csv_folder(tmp_path / "scenario", sheets))
    assert [str(e) for e in caught.value.errors] == ["Demand.csv!C3: quantity must be >= 0, got -5"]


def test_unknown_format_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="unknown format 'pdf'; formats: xlsx, csv"):
        load(tiny_workbook(tmp_path / "tiny.xlsx"), "pdf")


def test_format_option_reads_a_workbook_with_another_extension(tmp_path):
    """DESIGN: `--format` overrides detection from the extension (the error message even suggests it)."""
    path = tmp_path / "scenario.dat"
    shutil.copy(tiny_workbook(tmp_path / "tiny.xlsx"), path)
    loaded = load(path, "xlsx")
    assert loaded.kind.name == "inventory"
    assert loaded.scenario.periods == ("W1", "W2", "W3", "W4")


def test_a_file_no_format_claims_is_named_in_the_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("shopping list: eggs, milk\n")
    with pytest.raises(InputErrors) as caught:
        load(path)
    assert str(caught.value.errors[0]).startswith("notes.txt: is not a scenario")


def test_sha256_identifies_the_input_and_load_leaves_it_unchanged(tmp_path):
    path = tiny_workbook(tmp_path / "tiny.xlsx")
    before = sha256(path)
    loaded = load(path)
    assert loaded.sha256 == before == file_sha256(path)
    assert sha256(path) == before
    assert loaded.load_seconds > 0

    folder = write_csv_folder(tmp_path / "scenario", tiny_sheets())
    digest = file_sha256(folder)
    (folder / "Demand.csv").write_text((folder / "Demand.csv").read_text() + "C,W1,1\n")
    assert file_sha256(folder) != digest


def test_solve_loaded_tiny_is_optimal_with_consistent_numbers(tmp_path):
    loaded = load(tiny_workbook(tmp_path / "tiny.xlsx"))
    result = solve_loaded(loaded, SolveParams(time_limit=5))
    assert result.status is Status.OPTIMAL
    assert result.solver == "highs"
    assert result.objective == pytest.approx(result.bound, rel=1e-6)
    assert result.gap == pytest.approx(0.0, abs=1e-6)
    assert sum(result.plan.cost_by_category().values()) == pytest.approx(result.objective, rel=1e-6)
    assert result.timings.load_seconds == loaded.load_seconds
    assert result.timings.build_seconds > 0 and result.timings.solve_seconds > 0
    assert result.timings.start_seconds > 0  # inventory's start heuristic ran, timed apart from the build
    assert result.notes == ["solver: highs (pyomo backend), the default for this kind"]


def test_uninstalled_pyomo_solver_is_a_usage_error(tmp_path):
    import pyomo.environ as pyo

    if pyo.SolverFactory("baron").available(exception_flag=False):
        pytest.skip("baron is installed here")
    loaded = load(tiny_workbook(tmp_path / "tiny.xlsx"))
    with pytest.raises(UsageError, match="solver 'baron' is not installed"):
        solve_loaded(loaded, SolveParams(solver="baron", time_limit=5))


def test_write_reserve_grows_with_the_model_and_stays_a_share_of_the_limit():
    import pyomo.environ as pyo

    from optimizer.solve import model_variables, write_reserve

    small, big = pyo.ConcreteModel(), pyo.ConcreteModel()
    small.x = pyo.Var(range(10))
    big.x = pyo.Var(range(400_000))
    big.y = pyo.Var()
    assert model_variables(big) == 400_001 and model_variables(object()) == 0
    assert write_reserve(300, None) == write_reserve(300, small) == 6.0  # 2% of the limit
    assert write_reserve(300, big) == pytest.approx(400_001 * 2.5e-5)  # 10 s: the plan of a big model takes longer
    assert write_reserve(20, big) == 5.0  # never more than a quarter of the limit
    assert write_reserve(3, None) == 0.25  # a plan still takes 0.1-0.2 s to write
    assert write_reserve(0.4, None) == 0.1  # but a quarter of the limit at most

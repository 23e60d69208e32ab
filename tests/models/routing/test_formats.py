"""VRPLIB and Solomon readers: the instance's own objective convention, node ids, and located errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from models.routing.formats import read_solomon, read_vrplib
from optimizer.core.errors import InputErrors
from optimizer.core.params import SolveParams
from optimizer.solve import load, solve_loaded
from tests.models.routing.checker import check_plan

BENCH = Path(
    os.environ.get("OPTIMIZER_BENCHMARKS", Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks")
)
needs_bench = pytest.mark.skipif(not (BENCH / "MANIFEST.csv").exists(), reason="shared benchmarks not present")


def _solution_cost(path: Path, sol: Path) -> float:
    """Cost of a .sol file's routes under the scenario's matrix (ticks back to units)."""
    s = load(path, "vrplib").scenario
    ids = s.location_ids
    index = {x: i for i, x in enumerate(ids)}
    depot = index[s.depots[0].depot]
    total = 0
    for line in sol.read_text().splitlines():
        if line.lower().startswith("route"):
            # .sol numbers customers 1..n, the depot being 0: node id = number + 1
            nodes = [index[str(int(x) + 1)] for x in line.split(":")[1].split()]
            path_ = [depot, *nodes, depot]
            total += sum(int(s.distance[a, b]) for a, b in zip(path_, path_[1:], strict=False))
    return total / s.rounding.distance_ticks


@needs_bench
@pytest.mark.parametrize(("name", "best"), [("cvrp/X-n101-k25", 27591), ("vrptw/R101", 1637.7), ("vrptw/C101", 827.3)])
def test_best_known_solution_costs_its_published_value(name: str, best: float) -> None:
    """Our nint (CVRP) and DIMACS (VRPTW) matrices give each published solution its published cost."""
    assert _solution_cost(BENCH / f"{name}.vrp", BENCH / f"{name}.sol") == pytest.approx(best, abs=1e-9)


@needs_bench
def test_vrplib_tables_keep_node_ids_and_conventions() -> None:
    tables = read_vrplib(BENCH / "vrptw" / "R101.vrp")
    settings = {r[0]: r[1] for r in tables["Settings"].rows}
    assert settings["rounding"] == "dimacs"
    assert tables["Depots"].rows[0][0] == "1"
    assert tables["Stops"].rows[0][0] == "2" and len(tables["Stops"].rows) == 100
    assert tables["Vehicles"].rows[0][1] == 25
    cvrp = {r[0]: r[1] for r in read_vrplib(BENCH / "cvrp" / "P-n16-k8.vrp")["Settings"].rows}
    assert cvrp["rounding"] == "nint"


@needs_bench
def test_small_cvrp_reaches_its_optimum_through_solve() -> None:
    loaded = load(BENCH / "cvrp" / "P-n16-k8.vrp")
    result = solve_loaded(loaded, SolveParams(time_limit=2))
    assert result.objective == pytest.approx(450)
    check_plan(loaded.scenario, result.plan)  # planar nint distances: the checker recomputes them
    assert set(result.plan.sheets["Stops"]["location"]) >= {"1", "2", "16"}


@needs_bench
def test_solomon_text_format() -> None:
    tables = read_solomon(BENCH / "vrptw" / "R1_2_1.txt")
    assert len(tables["Stops"].rows) == 200
    assert tables["Depots"].rows[0][0] == "0"
    vehicles = tables["Vehicles"].rows[0]
    assert vehicles[1] == 50 and vehicles[3] == 200
    scenario = load(BENCH / "vrptw" / "R1_2_1.txt", "solomon").scenario
    assert scenario.settings.rounding == "dimacs"


def test_bad_vrplib_lines_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : bad\nTYPE : CVRP\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 3\nDEMAND_SECTION\n1 0\n2 4\n")
    with pytest.raises(InputErrors) as caught:
        read_vrplib(bad)
    assert "bad.vrp line 6" in str(caught.value)
    bad.write_text("NAME : bad\nCAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 3 x\n")
    with pytest.raises(InputErrors, match=re.escape("bad.vrp line 5")):
        read_vrplib(bad)


def test_a_vrplib_node_given_twice_or_a_wrong_dimension_is_located(tmp_path: Path) -> None:
    """Read as a dict by node id, a repeated line would silently replace the first: another instance than the file's."""
    head = "NAME : bad\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\n"
    bad = tmp_path / "bad.vrp"
    bad.write_text(head + "NODE_COORD_SECTION\n1 0 0\n2 3 4\n2 5 5\n3 6 8\nDEMAND_SECTION\n1 0\n2 4\n3 1\n")
    with pytest.raises(InputErrors) as caught:
        read_vrplib(bad)
    assert [str(e) for e in caught.value.errors] == [
        "bad.vrp line 8: node coordinates: node 2 is given twice (first at line 7)"
    ]
    bad.write_text(head + "NODE_COORD_SECTION\n1 0 0\n2 3 4\nDEMAND_SECTION\n1 0\n2 4\n")
    with pytest.raises(InputErrors) as caught:
        read_vrplib(bad)
    assert [str(e) for e in caught.value.errors] == [
        "bad.vrp line 3: DIMENSION is 3 but NODE_COORD_SECTION has 2 nodes"
    ]


@pytest.mark.parametrize(
    ("coords", "depot", "header", "expected"),
    [
        ("1 0 0\n2 3 nan\n", "1\n", "", "bad.vrp line 8: expected a number, got 'nan'"),
        ("1 0 0\n2 3 inf\n", "1\n", "", "bad.vrp line 8: expected a number, got 'inf'"),
        ("1 0 0\n2.5 3 4\n", "1\n", "", "bad.vrp line 8: node coordinates: node id must be a whole number, got 2.5"),
        ("1 0 0\n2 3 4\n", "nan\n", "", "bad.vrp line 13: expected a number, got 'nan'"),
        (
            "1 0 0\n2 3 4\n",
            "1\n",
            "VEHICLES : two\n",
            "bad.vrp line 5: VEHICLES must be a whole number >= 1, got 'two'",
        ),
        (
            "1 0 0\n2 3 4\n",
            "1\n",
            "VEHICLES : inf\n",
            "bad.vrp line 5: VEHICLES must be a whole number >= 1, got 'inf'",
        ),
    ],
)
def test_a_vrplib_token_that_is_no_finite_number_or_id_is_located(
    tmp_path: Path, coords: str, depot: str, header: str, expected: str
) -> None:
    """'nan' and 'inf' parse as floats; a node id of 2.5 would become node 2: each is an error at its line."""
    bad = tmp_path / "bad.vrp"
    head = "NAME : bad\nTYPE : CVRP\nDIMENSION : 2\nCAPACITY : 10\n" + (header or "COMMENT : none\n")
    demand = "DEMAND_SECTION\n1 0\n2 4\nDEPOT_SECTION\n" + depot + "-1\nEOF\n"
    bad.write_text(head + "NODE_COORD_SECTION\n" + coords + demand)
    with pytest.raises(InputErrors) as caught:
        read_vrplib(bad)
    assert [str(e) for e in caught.value.errors] == [expected]


def test_bad_solomon_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("bad\nVEHICLE\nNUMBER CAPACITY\n 5 100\nCUSTOMER\nCUST NO.\n 0 0 0 0 0 100 0\n 1 5 5 3 0 50\n")
    with pytest.raises(InputErrors, match=re.escape("bad.txt line 8")):
        read_solomon(bad)


def test_cli_import_and_validate(tmp_path: Path) -> None:
    """`optimizer import vrplib` writes a workbook that validates and keeps the node ids."""
    from typer.testing import CliRunner

    from optimizer.cli import app

    source = tmp_path / "tiny.vrp"
    source.write_text(
        "NAME : tiny\nTYPE : CVRP\nDIMENSION : 3\nCAPACITY : 10\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    out = tmp_path / "tiny.xlsx"
    runner = CliRunner()
    assert runner.invoke(app, ["import", "vrplib", str(source), "-o", str(out)]).exit_code == 0
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    assert load(out).scenario.location_ids == ["1", "2", "3"]

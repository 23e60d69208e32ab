"""`optimizer replan` for routing: routes under way stay, moves between vehicles cost, Changes says what moved.

Every replanned plan passes the independent checker, and its objective is the checker's cost
plus the stability penalty the Changes sheet accounts for.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.core.params import SolveParams
from optimizer.io.tables import read_workbook
from optimizer.solve import ReplanRequest, load, solve_loaded
from tests.builders import write_folder
from tests.models.routing.checker import check_plan
from tests.models.routing.helpers import depot, settings, stop, vehicle

runner = CliRunner()


def write(folder: Path, stops: list, vehicles: list | None = None, depots: list | None = None, **kw) -> Path:
    for old in folder.glob("*.csv") if folder.exists() else []:
        old.unlink()
    sheets = {
        "Settings": settings(**kw),
        "Depots": depots or [depot()],
        "Vehicles": vehicles or [vehicle()],
        "Stops": stops,
    }
    return write_folder(folder, sheets)


def solve_cli(folder: Path, plan: Path, *extra: str) -> dict[str, pd.DataFrame]:
    result = runner.invoke(app, ["solve", str(folder), "-o", str(plan), "-q", "--time-limit", "2", *extra])
    assert result.exit_code == 0, result.output
    return pd.read_excel(plan, sheet_name=None, engine="calamine")


def replan(folder: Path, previous: Path, freeze: int, solver: str = "auto", limit: float = 2.0):
    """Replan through the real path; check the plan and that objective = checked cost + stability penalty."""
    loaded = load(folder)
    request = ReplanRequest(read_workbook(previous), freeze)
    result = solve_loaded(loaded, SolveParams(solver=solver, time_limit=limit), replan=request)
    assert result.plan is not None, result.message
    total = check_plan(loaded.scenario, result.plan)
    assert result.objective == pytest.approx(total + result.plan.kpis["stability_penalty"], abs=1e-6)
    return result


def routes(stops: pd.DataFrame) -> dict[str, list[str]]:
    visits = stops[stops["activity"] == "stop"].sort_values(["vehicle", "seq"])
    return {v: list(g["location"]) for v, g in visits.groupby("vehicle")}


def summary(book: dict) -> dict:
    return dict(zip(book["Summary"]["item"], book["Summary"]["value"], strict=True))


TWO_VANS = [vehicle("V", count=2, capacity=10)]
SIX = [
    stop(n, x, y, demand=3)
    for n, x, y in [("A", 3, 1), ("B", 6, 2), ("C", 4, 5), ("E", -3, 2), ("F", -5, 4), ("G", -2, 6)]
]


@pytest.mark.parametrize(("freeze", "weight"), [(1, 10), (1, 0), (0, 10), (0, 0)])
def test_unchanged_data_changes_nothing_and_costs_nothing_more(tmp_path, freeze, weight):
    folder = write(tmp_path / "day", SIX, TWO_VANS, stability_weight=weight)
    first = solve_cli(folder, tmp_path / "plan.xlsx")
    args = ["replan", str(folder), "--previous", str(tmp_path / "plan.xlsx"), "--freeze", str(freeze)]
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "re.xlsx"), "-q", "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    book = pd.read_excel(tmp_path / "re.xlsx", sheet_name=None, engine="calamine")
    keep = ["vehicle", "route", "seq", "location", "activity"]
    pd.testing.assert_frame_equal(book["Stops"][keep], first["Stops"][keep])
    assert book["Changes"].empty and list(book["Changes"].columns)[:4] == ["what", "stop", "old_vehicle", "new_vehicle"]
    s = summary(book)
    assert float(s["objective"]) == pytest.approx(float(summary(first)["objective"]))
    assert float(s["kpi: stability_penalty"]) == 0 and float(s["kpi: share_changed_after_frozen_part"]) == 0
    # frozen stops or a stability weight need OR-Tools, and auto chooses it for that reason; a plain warm start
    # stays with PyVRP, and the Summary's solver line says which and why
    ortools = freeze > 0 or weight > 0
    notes = " ".join(str(n) for n in book["Summary"].loc[book["Summary"]["item"] == "note", "value"])
    if ortools:
        assert str(s["solver"]).startswith("ortools") and "OR-Tools guided local search" in s["kpi: search"]
        assert "solver: ortools (ortools_routing backend), a replan where" in notes
        assert ("--freeze 1 keeps stops" in notes) == (freeze > 0) and ("stability_weight 10" in notes) == (weight > 0)
        assert "PyVRP's search is the strongest" not in notes
    else:
        assert str(s["solver"]).startswith("pyvrp") and "PyVRP ran" in s["kpi: search"]
        assert "solver: pyvrp (pyvrp backend), capacity, time windows" in notes
    assert "started from the previous routes" in s["kpi: search"]


def tour(points: dict[str, tuple[float, float]], order: list[str]) -> float:
    path = [(0.0, 0.0)] + [points[n] for n in order] + [(0.0, 0.0)]
    return sum(math.floor(math.dist(a, b) * 1000 + 0.5) / 1000 for a, b in itertools.pairwise(path))


@pytest.mark.parametrize("solver", ["pyvrp", "ortools"])
def test_frozen_stops_stay_first_and_the_rest_is_optimal_behind_them(tmp_path, solver):
    points = {"A": (4, 1), "B": (6, 5), "C": (2, 7), "D": (-3, 6), "E": (-6, 2), "F": (-2, -4)}
    folder = write(
        tmp_path / "day",
        [stop(n, *p) for n, p in points.items()],
        depots=[depot("H")],
        vehicles=[vehicle("V", start="H")],
    )
    before = routes(solve_cli(folder, tmp_path / "plan.xlsx")["Stops"])["V"]
    new = {"X": (0.5, 0.5), "Y": (5, -3)}  # fresh orders; X by the depot would come first in a fresh plan
    points |= new
    write(folder, [stop(n, *p) for n, p in points.items()], depots=[depot("H")], vehicles=[vehicle("V", start="H")])
    result = replan(folder, tmp_path / "plan.xlsx", 2, solver=solver)
    after = routes(result.plan.sheets["Stops"])["V"]
    assert after[:2] == before[:2]
    rest = [n for n in points if n not in before[:2]]
    best = min(tour(points, before[:2] + list(p)) for p in itertools.permutations(rest))
    assert result.objective == pytest.approx(best, abs=1e-6)  # brute force over every order behind the frozen stops
    fresh = min(tour(points, list(p)) for p in itertools.permutations(points))
    assert fresh <= best  # keeping the routes under way never pays less than a fresh plan
    changes = result.plan.sheets["Changes"]
    assert set(changes[changes["what"] == "new stop"]["stop"]) == {"X", "Y"}
    assert not changes["frozen"].any() and result.plan.kpis["share_changed_in_frozen_part"] == 0
    assert "started from the previous routes with the new stops added behind them" in result.plan.kpis["search"]


def two_depots(m: tuple[float, float]) -> dict:
    """Vans at depots 100 apart; M near the first one is served from there, until it moves."""
    return {
        "stops": [stop("A", 5, 0), stop("B", 95, 0), stop("M", *m)],
        "depots": [depot("D1", 0, 0), depot("D2", 100, 0)],
        "vehicles": [vehicle("V1", start="D1"), vehicle("V2", start="D2")],
    }


@pytest.mark.parametrize(("weight", "moves"), [(100, False), (10, True)])
def test_a_stop_moves_to_another_vehicle_only_when_the_saving_beats_the_stability_weight(tmp_path, weight, moves):
    folder = write(tmp_path / "day", **two_depots((40, 0)), stability_weight=weight)
    assert routes(solve_cli(folder, tmp_path / "plan.xlsx")["Stops"]) == {"V1": ["A", "M"], "V2": ["B"]}
    write(folder, **two_depots((60, 0)), stability_weight=weight)  # the customer is now nearer D2: saves 40
    result = replan(folder, tmp_path / "plan.xlsx", 0, limit=2)
    after = routes(result.plan.sheets["Stops"])
    changes = result.plan.sheets["Changes"]
    if moves:
        assert after == {"V1": ["A"], "V2": ["B", "M"]} or after == {"V1": ["A"], "V2": ["M", "B"]}
        assert result.objective == pytest.approx(90 + 10)
        moved = changes[changes["what"] == "moved to another vehicle"]
        assert list(moved["stop"]) == ["M"] and list(moved["cost_effect"]) == [10]
        assert (moved["old_vehicle"].iloc[0], moved["new_vehicle"].iloc[0]) == ("V1", "V2")
        assert result.plan.kpis["stability_penalty"] == 10
    else:
        assert after == {"V1": ["A", "M"], "V2": ["B"]} and changes.empty
        assert result.objective == pytest.approx(130)


def test_a_dropped_stop_pays_its_penalty_and_the_stability_weight(tmp_path):
    folder = write(tmp_path / "day", [stop("A", 3, 0), stop("B", 4, 0, penalty=50)], stability_weight=20)
    solve_cli(folder, tmp_path / "plan.xlsx")
    write(folder, [stop("A", 3, 0), stop("B", 40, 0, penalty=50)], stability_weight=20)  # B now costs 74 more
    result = replan(folder, tmp_path / "plan.xlsx", 0)
    changes = result.plan.sheets["Changes"]
    assert result.plan.sheets["Unserved"]["stop"].tolist() == ["B"]
    assert changes[["what", "stop", "old_vehicle", "new_vehicle", "cost_effect"]].values.tolist() == [
        ["dropped to Unserved", "B", "V", "Unserved", 70.0]
    ]
    assert result.objective == pytest.approx(6 + 50 + 20)


def test_a_vanished_stop_and_vehicle_are_diagnostics_and_the_replan_goes_on(tmp_path):
    vans = [vehicle("V1", capacity=8), vehicle("V2", capacity=8), vehicle("V3", capacity=8)]
    stops = [stop(n, x, y, demand=4) for n, x, y in [("A", 3, 1), ("B", 4, 2), ("C", -3, 1), ("E", -4, 2), ("F", 0, 5)]]
    folder = write(tmp_path / "day", stops, vans)
    before = routes(solve_cli(folder, tmp_path / "plan.xlsx")["Stops"])
    gone_vehicle = next(v for v, r in before.items() if "A" not in r)
    kept = [v for v in vans if v["vehicle"] != gone_vehicle]
    write(folder, [s for s in stops if s["stop"] != "A"], kept)
    result = replan(folder, tmp_path / "plan.xlsx", 1)
    notes = result.plan.diagnostics
    stop_note = notes[notes["message"] == "stop 'A' is no longer in Stops"]
    assert len(stop_note) == 1 and stop_note["location"].iloc[0].startswith("previous plan Stops!D")
    vehicle_note = notes[notes["message"].str.contains(f"vehicle '{gone_vehicle}' is no longer in Vehicles")]
    assert len(vehicle_note) == 1 and vehicle_note["location"].iloc[0].startswith("previous plan Stops!A")
    changes = result.plan.sheets["Changes"]
    orphans = changes[changes["what"] == "vehicle no longer exists"]
    assert set(orphans["stop"]) == set(before[gone_vehicle]) and orphans["cost_effect"].isna().all()
    assert "no longer in Stops" in set(changes["what"])
    assert result.plan.kpis["stability_penalty"] == 0  # moves forced by the lost vehicle are not charged
    for v, r in routes(result.plan.sheets["Stops"]).items():  # surviving routes keep their first stop
        if before.get(v) and before[v][0] != "A":
            assert r[0] == before[v][0]


def test_a_frozen_stop_that_no_longer_fits_is_freed_with_a_diagnostic(tmp_path):
    rows = {"A": (3, 0), "B": (4, 1)}
    vans = [vehicle("V", capacity=10)]
    folder = write(tmp_path / "day", [stop(n, *p, demand=4, penalty=100) for n, p in rows.items()], vans)
    first = routes(solve_cli(folder, tmp_path / "plan.xlsx")["Stops"])["V"][0]
    grown = [stop(n, *p, demand=12 if n == first else 4, penalty=100) for n, p in rows.items()]
    write(folder, grown, vans)  # the first stop's order grew beyond the van: it cannot stay frozen
    result = replan(folder, tmp_path / "plan.xlsx", 2)
    notes = result.plan.diagnostics
    note = notes[notes["message"].str.startswith(f"frozen stop '{first}' no longer fits in V")]
    assert len(note) == 1 and note["location"].iloc[0].startswith("previous plan Stops!D")
    assert result.plan.sheets["Unserved"]["stop"].tolist() == [first]
    changes = result.plan.sheets["Changes"]
    assert changes[changes["stop"] == first]["what"].tolist() == ["dropped to Unserved"]


def test_a_previous_plan_of_another_kind_is_refused(tmp_path):
    folder = write(tmp_path / "day", SIX, TWO_VANS)
    not_a_plan = tmp_path / "other.xlsx"
    pd.DataFrame({"item": ["A"]}).to_excel(not_a_plan, sheet_name="Orders", index=False)
    args = ["replan", str(folder), "--previous", str(not_a_plan), "-o", str(tmp_path / "re.xlsx"), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "no Stops sheet" in result.output
    assert not (tmp_path / "re.xlsx").exists()


def test_previous_latest_replans_against_the_newest_plan_in_the_history(tmp_path):
    folder = write(tmp_path / "day", SIX, TWO_VANS)
    first = solve_cli(folder, tmp_path / "plan.xlsx")
    args = ["replan", str(folder), "--previous", "latest", "--freeze", "1", "-o", str(tmp_path / "re.xlsx"), "-q"]
    result = runner.invoke(app, [*args, "--time-limit", "2"])
    assert result.exit_code == 0, result.output
    book = pd.read_excel(tmp_path / "re.xlsx", sheet_name=None, engine="calamine")
    assert book["Changes"].empty and routes(book["Stops"]) == routes(first["Stops"])


def test_a_removed_stop_shifts_seq_numbers_but_changes_no_one_elses_place(tmp_path):
    ring = {
        f"S{k}": (round(10 * math.cos(k * math.pi / 4), 3), round(10 * math.sin(k * math.pi / 4), 3))
        for k in range(1, 8)
    }
    folder = write(
        tmp_path / "day",
        [stop(n, *p) for n, p in ring.items()],
        depots=[depot("H", 10, 0)],
        vehicles=[vehicle("V", start="H")],
    )
    before = routes(solve_cli(folder, tmp_path / "plan.xlsx")["Stops"])["V"]  # around the ring: the optimum
    gone = before[2]
    write(
        folder,
        [stop(n, *p) for n, p in ring.items() if n != gone],
        depots=[depot("H", 10, 0)],
        vehicles=[vehicle("V", start="H")],
    )
    result = replan(folder, tmp_path / "plan.xlsx", 1)
    assert routes(result.plan.sheets["Stops"])["V"] == [n for n in before if n != gone]
    changes = result.plan.sheets["Changes"]
    assert changes[["what", "stop", "old_seq"]].values.tolist() == [["no longer in Stops", gone, 3]]
    assert result.plan.kpis["share_changed_after_frozen_part"] == 0


def test_auto_sees_the_replan_request_and_an_explicit_solver_is_kept(tmp_path):
    from models.routing import KIND

    scenario = load(write(tmp_path / "day", SIX, TWO_VANS, stability_weight=0)).scenario
    assert KIND.choose("auto", scenario)[0] == "pyvrp"  # a plain solve
    assert KIND.choose("auto", scenario, 0)[0] == "pyvrp"  # a replan that only starts from the previous routes
    weighted = load(write(tmp_path / "day", SIX, TWO_VANS)).scenario  # the default stability_weight is 10
    assert KIND.choose("auto", weighted)[0] == "pyvrp" and KIND.choose("auto", weighted, 0)[0] == "ortools"
    name, formulation, reason = KIND.choose("auto", scenario, 2)
    assert name == "ortools" and formulation.family == "ortools_routing" and "--freeze 2" in reason
    assert KIND.choose("pyvrp", scenario, 2)[0] == "pyvrp"  # asked for: the backend hands over and says so

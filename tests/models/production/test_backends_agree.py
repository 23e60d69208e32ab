"""HiGHS (in memory through Pyomo) and GLPK (through Pyomo's solver factory) find the same optima."""

from __future__ import annotations

import pytest

from tests.models.production.cases import CASES
from tests.models.production.helpers import solve_case

pyo = pytest.importorskip("pyomo.environ")
if not pyo.SolverFactory("glpk").available(exception_flag=False):
    pytest.skip("glpsol is not installed", allow_module_level=True)


@pytest.mark.parametrize("name", list(CASES))
def test_highs_and_glpk_agree(tmp_path, name):
    case = CASES[name]
    highs = solve_case(tmp_path / "highs", **case)
    glpk = solve_case(tmp_path / "glpk", solver="glpk", **case)
    assert glpk.result.solver == "glpk"
    assert glpk.result.objective == pytest.approx(highs.result.objective, rel=1e-6)

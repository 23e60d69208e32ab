"""Solve parameters: defaults and the limits a run accepts."""

import pytest
from pydantic import ValidationError

from optimizer.core.params import SolveParams


def test_defaults():
    p = SolveParams()
    assert (p.solver, p.time_limit, p.gap, p.threads, p.seed) == ("auto", 60.0, 1e-3, 2, 0)


@pytest.mark.parametrize(
    "field,value", [("time_limit", 0), ("time_limit", -1), ("gap", -0.1), ("gap", 1.5), ("threads", 0), ("seed", -1)]
)
def test_out_of_range_values_are_rejected(field, value):
    with pytest.raises(ValidationError):
        SolveParams(**{field: value})


def test_params_are_immutable():
    p = SolveParams()
    with pytest.raises(ValidationError):
        p.time_limit = 5  # type: ignore[misc]
    assert p.model_copy(update={"solver": "highs"}).solver == "highs"

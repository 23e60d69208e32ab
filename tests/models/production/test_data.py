"""Bad production input is reported with its location, never a crash; examples load and validate."""

from __future__ import annotations

import pytest

from models.production.example import example_tables
from optimizer.core.errors import InputErrors
from optimizer.solve import load
from tests.builders import write_folder
from tests.models.production.helpers import period_ids, product, resource, routing


def sheets(**overrides):
    base = {
        "Settings": [{"setting": "kind", "value": "production"}],
        "Periods": [{"period": p} for p in period_ids(2)],
        "Products": [product("A"), product("C")],
        "Resources": [resource()],
        "Routings": [routing("A"), routing("C")],
        "Demand": [{"product": "A", "period": "P1", "quantity": 4}],
    }
    base.update(overrides)
    return base


def errors_of(tmp_path, **overrides) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load(write_folder(tmp_path / "case", sheets(**overrides)))
    return [str(e) for e in info.value.errors]


def test_bom_cycle_is_an_input_error(tmp_path):
    bom = [
        {"parent": "A", "component": "C", "quantity_per": 1},
        {"parent": "C", "component": "A", "quantity_per": 1},
    ]
    assert any("cycle: A -> C -> A" in e for e in errors_of(tmp_path, BOM=bom))


def test_every_bad_cell_is_listed(tmp_path):
    errors = errors_of(
        tmp_path,
        Routings=[routing("A", hours_per_unit=-1), routing("X")],
        BOM=[{"parent": "A", "component": "A", "quantity_per": 0}],
    )
    text = "\n".join(errors)
    assert "Routings.csv" in text or "Routings" in text
    assert "hours_per_unit" in text
    assert "'X' is not in Products" in text
    assert "quantity_per" in text
    assert len(errors) >= 3


def test_unknown_resource_in_capacity_table(tmp_path):
    errors = errors_of(tmp_path, ResourceCapacity=[{"resource": "R9", "period": "P1", "capacity": 3}])
    assert any("R9" in e and "Resources" in e for e in errors)


@pytest.mark.parametrize("scale", [None, 8])
def test_examples_validate(tmp_path, scale):
    tables = example_tables(scale, 7)
    loaded = load(write_folder(tmp_path / "example", tables))
    s = loaded.scenario
    assert len(s.products) == (12 if scale is None else 8)
    assert s.n_periods == (13 if scale is None else 52)
    assert len(s.resources) == (4 if scale is None else 10)
    assert s.bom

"""In-process HiGHS runs with different thread counts in one process all solve (HiGHS fixes its pool at first)."""

from __future__ import annotations

from pathlib import Path

import highspy
import numpy as np

from models.production import heuristic, milp
from optimizer.solve import load

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _two_thread_run() -> None:
    """A tiny LP solved with threads = 2: the process's HiGHS pool now has two threads."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 2)
    highs.addVars(2, np.array([0.0, 0.0]), np.array([10.0, 10.0]))
    highs.changeColsCost(2, np.array([0, 1], dtype=np.int32), np.array([1.0, 2.0]))
    highs.addRow(3.0, highspy.kHighsInf, 2, np.array([0, 1], dtype=np.int32), np.array([1.0, 1.0]))
    highs.run()
    assert highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert highs.getInfo().objective_function_value == 3.0


def test_a_one_thread_start_heuristic_solves_after_a_two_thread_run() -> None:
    _two_thread_run()
    s = load(SCENARIOS / "production-plant.xlsx").scenario
    model = milp.build(s)
    assert heuristic.warm_start(s, model)  # its LPs ask for one thread; without the reset they end with kNotset

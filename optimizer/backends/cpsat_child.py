"""The CP-SAT solve run in a child process, importing only OR-Tools' compiled helper so the process starts fast.

cp_model (0.5-1.6 s to import on this machine: it imports pandas) and the engine's modules built on pydantic
are not imported here: the model and the parameters arrive as text protos, progress goes back as plain tuples
(seconds, incumbent, bound, gap) and the response as a text proto (read by optimizer.backends.cpsat.Response).
"""

from __future__ import annotations

import time
from typing import Any


def solve_job(payload: tuple[str, str, float, bool], limit: float, channel: Any) -> str:
    """Parse the model and parameters, solve within `limit` seconds (parsing included), stream progress and incumbents."""
    began = time.perf_counter()
    from ortools.sat.python import cp_model_helper as cmh

    model_text, parameters_text, scale, report = payload
    proto = cmh.CpModelProto()
    proto.parse_text_format(model_text)
    parameters = cmh.SatParameters()
    parameters.parse_text_format(parameters_text)
    left = limit - (time.perf_counter() - began)
    parameters.max_time_in_seconds = max(0.01, min(parameters.max_time_in_seconds, left))
    wrapper = cmh.SolveWrapper()
    wrapper.set_parameters(parameters)
    callback = _reporter_class()(channel, scale, report)
    wrapper.add_solution_callback(callback)
    response = wrapper.solve(proto)
    wrapper.clear_solution_callback(callback)
    return str(response)


def _reporter_class() -> type:
    from ortools.sat.python import cp_model_helper as cmh

    class Reporter(cmh.SolutionCallback):
        """Progress on every solution; the solution itself when the channel is due for an incumbent."""

        def __init__(self, channel: Any, scale: float, report: bool) -> None:
            super().__init__()
            self._channel, self._scale, self._report = channel, scale, report
            self._started = time.perf_counter()

        def OnSolutionCallback(self) -> None:  # noqa: N802  (the helper's name)
            objective, bound = self.ObjectiveValue(), self.BestObjectiveBound()
            if self._report:
                incumbent, best = objective * self._scale, bound * self._scale
                gap = abs(incumbent - best) / max(abs(incumbent), 1e-9)
                self._channel.progress((time.perf_counter() - self._started, incumbent, best, gap))
            if self._channel.due():
                self._channel.incumbent((objective, bound, list(self.Response().solution)), force=True)

    return Reporter

"""Progress from the HiGHS log: lines below were copied from a real highspy 1.16 MIP log."""

from __future__ import annotations

import pytest

from optimizer.backends.highs_log import HighsLogWatcher, parse_line

# verbatim log lines (their width is the solver's, not ours)
HEADER = "Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |   Cuts   InLp Confl. | LpIters     Time"  # noqa: E501
FIRST = "         0       0         0   0.00%   9988.6041       inf                  inf        0      0      0         0     0.1s"  # noqa: E501
HEURISTIC = " R       0       0         0   0.00%   2931801.125282  2997203.5066       2.18%        0      0      0       689     0.3s"  # noqa: E501
LATER = "         0       0         0   0.00%   2949261.315317  2997203.5066       1.60%     2977   1009    362      1965    10.0s"  # noqa: E501


@pytest.mark.parametrize(
    "line,parsed",
    [
        (HEADER, None),
        ("  Status            Time limit reached", None),
        ("", None),
        (FIRST, (9988.6041, None)),
        (HEURISTIC, (2931801.125282, 2997203.5066)),
        (LATER, (2949261.315317, 2997203.5066)),
    ],
)
def test_parse_line(line, parsed):
    assert parse_line(line) == parsed


def test_watcher_reports_each_complete_line_once_even_when_split_across_writes():
    seen = []
    watcher = HighsLogWatcher(seen.append)
    text = "\n".join([HEADER, FIRST, HEURISTIC, LATER]) + "\n"
    for k in range(0, len(text), 7):  # the log arrives in arbitrary chunks
        assert watcher.write(text[k : k + 7]) == len(text[k : k + 7])
    assert [(p.bound, p.incumbent) for p in seen] == [
        (9988.6041, None),
        (2931801.125282, 2997203.5066),
        (2949261.315317, 2997203.5066),
    ]
    assert seen[0].gap is None
    assert seen[1].gap == pytest.approx((2997203.5066 - 2931801.125282) / 2997203.5066)
    assert all(p.seconds >= 0 for p in seen)
    assert watcher.writable()

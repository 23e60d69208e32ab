"""Scheduling at scale: N jobs through the real command line, timing every stage.

Target (issue 6): the whole run ends within a few seconds of the time limit, with the best schedule
found and an honest status; above about 60k machine choices and changeover arcs the model keeps
fewer machine choices per operation (the plan's Diagnostics say so). Writes
benchmarks/results/scheduling-scale-DATE.csv.

    python benchmarks/bench_scheduling_scale.py [--jobs 100 300] [--time-limit 6] [--repeats 1]
"""

from scale import main

if __name__ == "__main__":
    main("scheduling", "jobs", 300, "scheduling-{n}-jobs", __doc__.splitlines()[0])

"""Production at scale: N products x 52 weeks x 10 resources through the real command line.

Targets (issue 7): 1% gap in 300 s, framework time (load + build + write) at most 35% of the wall
time, peak memory under 4 GiB. Writes benchmarks/results/production-scale-DATE.csv.

    flock /tmp/optimizer-bench.lock python benchmarks/bench_production_scale.py [--products 200] [--time-limit 300]
"""

from scale import main

if __name__ == "__main__":
    main("production", "products", 200, "production-{n}x52x10", __doc__.splitlines()[0])

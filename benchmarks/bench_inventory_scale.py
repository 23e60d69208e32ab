"""Inventory at scale: N items x 52 weeks through the real command line, timing every stage.

Targets (issues 2 and 7): 1% gap in 300 s, framework time (load + build + write) at most 35% of the
wall time, peak memory under 4 GiB. Writes benchmarks/results/inventory-scale-DATE.csv.

    python benchmarks/bench_inventory_scale.py [--items 2000] [--time-limit 300] [--repeats 1]
"""

from scale import main

if __name__ == "__main__":
    main("inventory", "items", 2000, "inventory-{n}x52", __doc__.splitlines()[0])

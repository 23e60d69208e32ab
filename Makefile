# The README's commands. A fresh machine needs only python3: `make demo` and `make test` set up the rest.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TIME_LIMIT ?= 60
GAP ?= 0.01

.PHONY: setup demo test bench lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $@

# Solve every example in scenarios/ (workbooks and CSV folders) into out/.
demo: setup
	@mkdir -p out
	@status=0; for input in scenarios/*.xlsx scenarios/*/; do \
		[ -e "$$input" ] || continue; \
		name=$$(basename "$$input" .xlsx); \
		$(BIN)/optimizer solve "$$input" -o "out/$$name-plan.xlsx" --summary "out/$$name-summary.json" \
			--time-limit $(TIME_LIMIT) --gap $(GAP) --quiet; code=$$?; \
		echo "$$input -> out/$$name-plan.xlsx (exit $$code)"; \
		[ $$code -le 1 ] || status=1; \
	done; exit $$status

test: setup
	$(BIN)/python -m pytest

# Every benchmark (quality against published records, and scale); each writes benchmarks/results/NAME-DATE.csv.
# The whole set takes hours on 2 cores; run one with e.g. `$(BIN)/python benchmarks/bench_routing.py --instances X-n101-k25`.
bench: setup
	@status=0; for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; $(BIN)/python "$$bench" || status=1; \
	done; exit $$status

lint: setup
	$(BIN)/ruff check optimizer models tests benchmarks
	$(BIN)/ruff format --check optimizer models tests benchmarks

clean:
	rm -rf out .pytest_cache

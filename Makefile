PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m labelwise.demo
	@echo
	@echo "To run labelwise on your own files: $(BIN)/labelwise evaluate --true TRUTH --pred PRED"
	@echo "(or 'source $(BIN)/activate' first; 'labelwise evaluate --help' lists every option)."

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_threshold_metrics.py $(ARGS)
	$(BIN)/python benchmarks/bench_ranking_metrics.py $(ARGS)
	$(BIN)/python benchmarks/bench_wide_files.py $(ARGS)
	$(BIN)/python benchmarks/bench_engine.py $(ARGS)
	$(BIN)/python benchmarks/bench_thresholds.py $(ARGS)
	$(BIN)/python benchmarks/bench_bootstrap.py $(ARGS)
	$(BIN)/python benchmarks/bench_dask.py $(ARGS)
	$(BIN)/python benchmarks/bench_calibration.py $(ARGS)
	$(BIN)/python benchmarks/bench_wide_labels.py $(ARGS)
	$(BIN)/python benchmarks/bench_dense_floor.py $(ARGS)
	$(BIN)/python benchmarks/bench_startup.py $(ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info

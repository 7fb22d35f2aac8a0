# Edge ANPR kit. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= edge,train,dev

DATA ?= ../shared/data

.PHONY: setup test lint demo clean data-check data-split previews export export-edgetpu

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python -m pytest

# The main job as far as it exists: render the sample clip and synthetic plates, summarise the data.
# It never fakes a read: without trained models in models/ it says so.
demo: setup
	$(BIN)/anpr synth --kind clip --count 120 --seed 1 --out demo/sample.mp4
	$(BIN)/anpr synth --kind plates --count 48 --seed 1 --out demo/plates --preview demo/plates.png
	@if [ -d "$(DATA)" ]; then $(BIN)/anpr data check --data-root "$(DATA)"; \
	 else echo "shared data not found at $(DATA): skipping the data summary (set DATA=...)"; fi
	@if ls models/*.tflite >/dev/null 2>&1; then echo "models found: the agent is not built yet (anpr run)"; \
	 else echo "no trained models in models/ yet: nothing was read from demo/sample.mp4 (no result is faked)"; fi

data-check: setup
	$(BIN)/anpr data check --data-root "$(DATA)"

data-split: setup
	$(BIN)/anpr data split --data-root "$(DATA)"

previews: setup
	$(BIN)/python -m train.synth.previews docs/previews

export: setup
	$(BIN)/anpr export --data-root "$(DATA)"
	$(BIN)/anpr export --check-edgetpu

export-edgetpu: setup
	$(BIN)/anpr export --compile-edgetpu

clean:
	rm -rf $(VENV) demo .pytest_cache .ruff_cache

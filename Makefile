# Edge ANPR kit. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS ?= edge,train,dev

.PHONY: setup test lint demo clean data-check

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/python -m pytest

demo: setup
	$(BIN)/python -m train.demo

data-check: setup
	$(BIN)/anpr data check

clean:
	rm -rf $(VENV) demo .pytest_cache .ruff_cache

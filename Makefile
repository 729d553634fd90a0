# Two commands do all set-up on a fresh machine: `make run` and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: run test lint format bench fuzz clean

# Create the virtual environment if missing and (re)install when pyproject.toml changes.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --editable '.[dev]'
	@touch $(STAMP)

## Start the bot: Socket Mode, HTTP or the local console, whichever the environment allows.
## Its bytecode is compiled first (nothing to do when up to date): where PYTHONDONTWRITEBYTECODE
## is set, every process would otherwise compile every module again as it starts.
run: $(STAMP)
	@$(BIN)/python -m compileall -q bot
	$(BIN)/yos-bot run

## Run the whole test suite, a test file per worker at a time (each file keeps its servers),
## in the order tests/conftest.py gives (the files that start servers first), not by size;
## three workers per core, as tests spend part of their time waiting on the servers they
## start. Workers are forked from a process that has imported what they need
## (tests/forked_worker.py), so each costs little more than its share of the tests
## (on 2 cores, 6 workers finished a median 5 s before 4). The bot's bytecode
## is compiled first, and pytest keeps its rewritten test modules, even where
## PYTHONDONTWRITEBYTECODE is set: otherwise each worker and every server or command a test
## starts would compile them all again. On a first run (a new clone) the test modules are
## rewritten before the workers start, half each by two processes side by side, rather
## than all of them by every worker (some 3 s of each worker's start).
WORKERS ?= $(shell echo $$(( $$(nproc) * 3 )))
TEST_FILES := $(sort $(wildcard tests/test_*.py))
HALF := $(shell echo $$(( $(words $(TEST_FILES)) / 2 )))
COLLECT := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -q -p no:xdist -p no:cacheprovider
test: $(STAMP)
	@$(BIN)/python -m compileall -q bot
	@ls tests/__pycache__/test_*-pytest-*.pyc >/dev/null 2>&1 || { \
	  $(COLLECT) $(wordlist 1,$(HALF),$(TEST_FILES)) >/dev/null & \
	  $(COLLECT) $(wordlist $(shell echo $$(( $(HALF) + 1 ))),999,$(TEST_FILES)) >/dev/null; \
	  wait; }
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(WORKERS) --dist loadfile --no-loadscope-reorder

## Lint, formatting, types (mypy --strict) and the import layering contract.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict bot
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Benchmarks (not part of the test suite).
bench: $(STAMP)
	$(BIN)/python -m bench

## The long attack suite: many more generated inputs than `make test` tries.
fuzz: $(STAMP)
	YOS_FUZZ=long $(BIN)/python -m pytest -m fuzz -p no:cacheprovider

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis .import_linter_cache

# Two commands set everything up: `make run` and `make test`. Both create .venv on first
# use and install from a lock file: every transitive dependency, pinned with its hashes, so a
# fresh machine gets exactly what CI tested. They reinstall only when a lock changed (the stamp
# files track that). `make run` installs the app alone (requirements.lock); `make test` adds
# the cluster's and the developer's tools (requirements-dev.lock). After editing
# requirements*.txt, `make lock` recompiles both locks (a test fails until it has). The locks
# are resolved for the platform CI runs on (Linux x86_64, CPython 3.11: torch's CUDA wheels).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PORT   ?= 8501
# The installer itself, before the locks (which pin it too, for the record).
PIP_VERSION := 26.3
# Indexes and find-links come from pip's own configuration, so the lock names no machine.
LOCK_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test test-fast lint format bench validate schema pretrain clean cluster \
	cluster-stop lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)

$(RUN_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $(RUN_STAMP)

# The dev lock holds every runtime pin at the same version (it is compiled against it).
$(STAMP): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) \
		--browser.gatherUsageStats false

# Lint, then the whole suite (its 200-seed sweep of the shipped banks is tests/cli). Browser
# tests skip with a message where Chromium is missing, except under CI=true where a missing
# browser fails the run.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The edit loop: lint and every test that needs no browser, server, database or training
# run (under 3 minutes on 2 cores). `make test` is still what CI runs.
FAST := not slow and not e2e and not ws and not faults and not postgres and not cluster
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup -m "$(FAST)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

validate: $(RUN_STAMP)
	$(BIN)/python -m engine validate quizzes/

schema: $(RUN_STAMP)
	$(BIN)/python -m engine schema

pretrain: $(RUN_STAMP)
	$(BIN)/python -m engine pretrain

# PostgreSQL, HAProxy on :8600 (sticky, websockets), two app servers, a Ray head and worker.
cluster: $(STAMP)
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

# Recompile the locks from requirements*.txt, keeping every pin that still fits;
# lock-upgrade moves the transitive dependencies to their newest fitting releases.
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) $(UPGRADE) \
		-o requirements.lock requirements.txt
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(LOCK_FLAGS) $(UPGRADE) \
		-c requirements.lock -o requirements-dev.lock requirements-dev.txt

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts

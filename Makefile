# Two commands set everything up: `make run` and `make test`. Both create .venv on first
# use and reinstall only when a requirements file changed (the stamp file tracks that).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test test-fast lint format bench validate schema pretrain clean cluster cluster-stop

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) \
		--browser.gatherUsageStats false

# Lint, then the whole suite (its 200-seed sweep of the shipped banks is tests/cli). Browser
# tests skip with a message where Chromium is missing, except under CI=true where a missing
# browser fails the run.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# The edit loop: lint and every test that needs no browser, server, database or training
# run (under 3 minutes on 2 cores). `make test` is still what CI runs.
FAST := not slow and not e2e and not ws and not faults and not postgres and not cluster
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "$(FAST)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench

validate: $(STAMP)
	$(BIN)/python -m engine validate quizzes/

schema: $(STAMP)
	$(BIN)/python -m engine schema

pretrain: $(STAMP)
	$(BIN)/python -m engine pretrain

# PostgreSQL, HAProxy on :8600 (sticky, websockets), two app servers, a Ray head and worker.
cluster: $(STAMP)
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts

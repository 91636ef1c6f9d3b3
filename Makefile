# One command to run, one to test. Both create .venv and install what they need.
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
LINTED := assistant tests benchmarks app.py
# llama.cpp's native build crashes on these CPUs; a portable build does not.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: run test lint eval bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(PY)
	$(PIP) install -e '.[local,openai,ui]'
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(PY)
	$(PIP) install -e '.[local,openai,ui,st,test]'
	touch $@

run: $(VENV)/.run-deps          ## set up, ingest seeds/ on first run, start the web UI
	$(PY) app.py

test: lint                      ## set up, lint and run the whole suite
	$(PY) -m pytest -ra

eval: $(VENV)/.run-deps         ## full evaluation with the local LLM and extractive; reports in evals/reports/
	@test -n "$$(ls data/catalog.sqlite3 2>/dev/null)" || $(VENV)/bin/assistant ingest seeds/
	$(VENV)/bin/assistant eval --llm extractive --out evals/reports/extractive
	$(VENV)/bin/assistant eval --llm local --out evals/reports/local

bench: $(VENV)/.test-deps       ## benchmarks: prints a table, writes benchmarks/results/<date>.json
	$(PY) benchmarks/bench.py

lint: $(VENV)/.test-deps        ## ruff check + ruff format --check (pinned ruff)
	$(PY) -m ruff check $(LINTED)
	$(PY) -m ruff format --check $(LINTED)

clean:
	rm -rf data .pytest_cache

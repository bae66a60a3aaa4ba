# Two commands from a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# First Python >= 3.11 on PATH.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)

# Tests and tools never reach for the network or the user's home.
export LITELLM_LOCAL_MODEL_COST_MAP := True
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: venv run test fuzz lint format eval eval-llm bench lock clean

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required (none found on PATH)" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# The lock is complete, so nothing is resolved: --no-deps keeps pip from picking a newer
	@# release for an extra (e.g. chromadb's uvicorn[standard]); pip check then fails loudly
	@# if the lock ever misses a requirement.
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(PY) -m pip check --disable-pip-version-check
	@touch $(STAMP)

# Start the app on a private copy of the bundled demo workspace (.demo/ is git-ignored).
run: $(STAMP)
	@test -d .demo || $(PY) -m coach demo-workspace .demo
	$(VENV)/bin/okr-coach --workspace .demo

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q

# Long property-based fuzzing of the readers and the KR parser (the same tests run briefly in `make test`).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q -p no:cacheprovider tests/fuzz

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Rule-check quality on the shared development sets (precision/recall/F1 per defect and language).
eval: $(STAMP)
	$(PY) -m coach.eval

# The same metrics with an LLM critique added: make eval-llm MODEL=openai/gpt-4o-mini
eval-llm: $(STAMP)
	$(PY) -m coach.eval --llm-model "$(MODEL)"

bench: $(STAMP)
	$(PY) bench/run_all.py

# Re-resolve the hash-locked requirements after changing dependencies in pyproject.toml.
# Needs no installed venv: a new dependency is not in the lock yet, so `pip check` would fail.
lock:
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is required (none found on PATH)" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# uv lives beside the venv's packages, not among them (doctor compares those with the lock).
	$(PY) -m pip install --quiet --disable-pip-version-check --target $(VENV)/lock-tool uv==0.13.10
	$(VENV)/lock-tool/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .demo build dist *.egg-info .pytest_cache .ruff_cache

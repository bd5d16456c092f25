# The README's two commands: `make demo` and `make test`. Both build .venv first
# with a Python 3.13 found by scripts/find-python.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.tessera-installed

.PHONY: demo host test lint e2e unit venv clean bench bench-quick

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if ! [ -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then \
		py=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; \
		rm -rf $(VENV); \
		$$py -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: venv
	$(VENV)/bin/tessera demo

# A hosted Tessera for many people, with its own PostgreSQL cluster (Debian's postgresql).
host: venv
	$(VENV)/bin/tessera host --local

test: lint
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

unit: venv
	$(PY) -m pytest -m 'not e2e'

e2e: venv
	$(PY) -m pytest -m e2e

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

bench: venv
	$(VENV)/bin/tessera bench

bench-quick: venv
	$(VENV)/bin/tessera bench --quick

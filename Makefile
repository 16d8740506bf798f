# Lahti Pool: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The development app: the production app (wsgi.py) plus `flask pool demo` (lahti_dev/).
export FLASK_APP := lahti_dev.app
# Every package and version the app and its tests install, as CI tested them (`make lock`).
LOCK := requirements.lock
# The locking tool, pinned so that the same pyproject.toml gives the same lock file.
UV_VERSION ?= 0.13.10

.PHONY: run test install system-deps lint translations extract-messages clean lock

$(VENV)/.installed: pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check || { echo "$(LOCK) lacks what pyproject.toml asks for: run 'make lock'"; exit 1; }
	touch $@

# Pin every dependency of pyproject.toml (with the test extra) for Python 3.11, keeping the
# versions already locked where they still fit; `make lock UPGRADE=1` takes the newest.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --quiet \
		--custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) -o $(LOCK)

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d lahti_pool/translations --statistics 2>&1 | tail -n 2

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask pool demo
	$(BIN)/flask pool serve --host $(HOST) --port $(PORT)

system-deps:
	bash scripts/install-system-deps.sh

lint: install
	$(BIN)/ruff check lahti_pool lahti_dev tests benchmarks wsgi.py
	$(BIN)/ruff format --check lahti_pool lahti_dev tests benchmarks wsgi.py
	$(BIN)/bandit --quiet --recursive --severity-level medium lahti_pool
	$(BIN)/lint-imports --no-cache

# Both runs spread the test files over the machine's cores (pytest-xdist; each worker has
# its own database, and on PostgreSQL its own throwaway cluster).
PYTEST_WORKERS ?= auto
test: system-deps install lint
	$(BIN)/python -m pytest --db=sqlite -n $(PYTEST_WORKERS) --dist loadfile
	$(BIN)/python -m pytest --db=postgresql -n $(PYTEST_WORKERS) --dist loadfile

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".*" -k _l -k N_ --no-location --sort-output -w 100 -o lahti_pool/translations/messages.pot .
	$(BIN)/pybabel update -i lahti_pool/translations/messages.pot -d lahti_pool/translations --no-fuzzy-matching -w 100

clean:
	rm -rf $(VENV) instance *.egg-info

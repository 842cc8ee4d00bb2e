# Newsroom: `make run` serves the demo newsroom, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean assets

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py loaddemo
	DEBUG=true $(BIN)/python manage.py rebuild_search_index
	@echo ""
	@echo "  Newsroom:  http://127.0.0.1:8000/"
	@echo "  Admin:     http://127.0.0.1:8000/admin/  (logins above: editor, writer)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# The Nu HTML Checker for the admin's and the site's pages (skipped without npm, never in CI).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); fi

# The slowest tests are listed: CI has 90 minutes for four runs of the suite.
test: lint $(NODE_STAMP)
	$(BIN)/pytest --durations=15

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules

# The body editor's bundle (assets/body-editor/ → static/js/body-editor.js), committed so that
# `make run` needs no Node. tests/test_body_editor_bundle.py checks it matches a rebuild.
assets: $(NODE_STAMP)
	npm run --silent build

# make run   - set up the app on SQLite with the seed plan and sample data, and serve it
# make release - once per release: migrate the database (see README, "Operations")
# make test  - set up and run every test (lint, unit, web, browser; PostgreSQL too when
#              POSTGRES_TEST_URL is set, as .ci/run does)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run release serve test lint format messages bench screenshots clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test]"
	rm -rf build *.egg-info
	touch $@

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://$(HOST)/ (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST)

# Once per release, on one server, before the servers start on it (see README, "Operations"):
# the database's migrations, and the standings store emptied, as the new version may assess
# targets differently.
release: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py forget_standings

# Production-style serving on the configured DATABASE_URL (see README, "Operations"). Every
# server may run it, at each start: it migrates nothing (that is `make release`).
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn lingyuan.wsgi --config gunicorn.conf.py --bind $(HOST) --workers $${WORKERS:-3}

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest
	@if [ -n "$$POSTGRES_TEST_URL" ]; then \
		echo "== the whole suite again on PostgreSQL"; \
		DATABASE_URL="$$POSTGRES_TEST_URL" $(BIN)/pytest; \
	fi

# Refresh the README's screenshots in docs/ (a browser test takes them).
screenshots: install
	SCREENSHOTS=1 $(BIN)/pytest tests/test_browser.py -k screenshots

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Benchmarks, on demand: figures go to bench/RESULTS.md. The load test needs PostgreSQL
# (LOAD_DATABASE_URL, a role that may create databases); without it, it is skipped.
bench: install
	$(BIN)/python -m pip install --quiet ".[bench]"
	@if $(BIN)/python -c "import psycopg, os; psycopg.connect(os.environ.get('LOAD_DATABASE_URL', 'postgres://tracker:tracker@127.0.0.1:5432/postgres').rsplit('/', 1)[0] + '/postgres').close()" 2>/dev/null; then \
		$(BIN)/python bench/load.py; \
	else \
		echo "PostgreSQL not reachable: the load test is skipped"; rm -f bench/out/load.md; \
	fi
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

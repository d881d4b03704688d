# Two entry points for newcomers: `make demo` and `make test`. Both build the
# local virtualenv on first use and refresh it when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENARIO ?= scenarios/bayreuth-nord
OUT    ?= out

.PHONY: messages postgres venv demo test lint typecheck unit browser fuzz bench bench-vrptw bench-vs bench-simulate clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/vanplan plan $(SCENARIO) --out $(OUT)

lint: $(STAMP)
	$(BIN)/ruff check planner maps bench scenarios tests web
	$(BIN)/ruff format --check planner maps bench scenarios tests web
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

browser:
	bash tests/browser_setup.sh

unit: $(STAMP) browser
	$(BIN)/python -m pytest -q

# The web app's tests once more on a real PostgreSQL (Debian package, installed and started here).
postgres: $(STAMP) browser
	DATABASE_URL="$$(bash tests/postgres_setup.sh)" $(BIN)/python -m pytest -q tests/test_web_*.py

test: lint typecheck unit postgres

# The fuzz tests with the long profile (about 10 minutes); prints examples tried and failures found.
fuzz: $(STAMP)
	VANPLAN_FUZZ=long $(BIN)/python -m pytest -q tests/test_fuzz.py --hypothesis-show-statistics

bench: $(STAMP)
	$(BIN)/python -m bench.pipeline
	$(BIN)/python -m bench.matrix
	$(BIN)/python -m bench.maps
	$(BIN)/python -m bench.kernel

bench-vrptw: $(STAMP)
	$(BIN)/python -m bench.vrptw --set solomon100 --time-limit 10 --workers 2

# Side by side (issue 13): VROOM on the demo, a town and a large week at each week's default limit (about
# 15 minutes), then PyVRP on Solomon-100 at 10 s (about 25 minutes) and Homberger-200 at 30 s (about 70).
bench-vs: $(STAMP)
	$(BIN)/python -m bench.vroom --weeks demo,town,large
	$(BIN)/python -m bench.vrptw --set solomon100 --time-limit 10 --workers 2 --vs pyvrp
	$(BIN)/python -m bench.vrptw --set homberger200 --time-limit 30 --workers 2 --vs pyvrp

bench-simulate: $(STAMP)
	$(BIN)/python -m bench.simulate

# After changing a web page's text: refresh web/locale/de (German is the default language) and compile it.
messages: $(STAMP)
	cd web && DJANGO_SETTINGS_MODULE=web.settings ../$(BIN)/python -m django makemessages -l de --no-location --no-obsolete
	msgfmt -c -o web/locale/de/LC_MESSAGES/django.mo web/locale/de/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) $(OUT) .cache .mypy_cache .ruff_cache .pytest_cache .hypothesis

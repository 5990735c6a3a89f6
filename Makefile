# One command runs the bot, one runs the tests; each bootstraps .venv from python3 when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: run test test-postgres lint i18n i18n-update bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres]"
	touch $@

i18n: $(STAMP)  ## compile the message catalogs
	$(BIN)/pybabel compile --directory locales --domain xieshang --statistics

i18n-update: $(STAMP)  ## extract new messages into both catalogs (then translate them)
	$(BIN)/pybabel extract -F babel.cfg -k t -k tn:1,2 --no-location --sort-output -o locales/xieshang.pot bot
	$(BIN)/pybabel update --input-file locales/xieshang.pot --output-dir locales --domain xieshang --no-fuzzy-matching --ignore-obsolete

run: i18n  ## run the bot; the sandbox web chat when no token is configured (make run ARGS="--port 9000")
	$(BIN)/xieshang run $(ARGS)

test: i18n  ## the whole suite, end-to-end through the sandbox (make test ARGS="-k lang")
	$(BIN)/pytest $(ARGS)

test-postgres: i18n  ## the storage tests and the scenarios on a throwaway PostgreSQL server
	.ci/postgres $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: i18n
	$(BIN)/xieshang bench dispatch
	$(BIN)/xieshang bench similar

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find locales -name '*.mo' -delete

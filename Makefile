# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DOMAIN := shared/src/csa_shared/rules services/billing/src/csa_billing/domain \
          services/identity/src/csa_identity/domain services/membership/src/csa_membership/domain \
          services/attendance/src/csa_attendance/domain

.PHONY: install run test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/csa run

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy $(wildcard $(DOMAIN))

test: install lint typecheck
	bash scripts/ensure-postgres.sh
	$(BIN)/pytest

unit: install
	$(BIN)/pytest -m "not kafka and not postgres"

bench: install
	bash scripts/ensure-postgres.sh
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var

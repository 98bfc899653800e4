# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PYPROJECT_HASH := $(shell cat pyproject.toml | sha1sum | cut -c1-12)
# `make run` installs what running needs (and mypyc's compiler); `make test` adds the test tools
RUN_STAMP := $(VENV)/.installed-run-$(PYPROJECT_HASH)
STAMP := $(VENV)/.installed-dev-$(PYPROJECT_HASH)
DOMAIN := shared/src/csa_shared/rules services/billing/src/csa_billing/domain \
          services/identity/src/csa_identity/domain services/membership/src/csa_membership/domain \
          services/attendance/src/csa_attendance/domain

OAPC := $(VENV)/tools/openapi-python-client/bin/openapi-python-client
OATS := $(VENV)/tools/openapi-typescript/node_modules/.bin/openapi-typescript

.PHONY: install compile run test lint typecheck unit bench docs clean fuzz soak lock screenshots

# Every dependency from the hashed lock files (requirements/, `make lock` writes them), then the
# project itself without dependencies.
$(RUN_STAMP): pyproject.toml requirements/run.txt requirements/compile.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/run.txt -r requirements/compile.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-run-*; touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP) requirements/dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	rm -f $(VENV)/.installed-dev-*; touch $(STAMP)

# After changing a pin in pyproject.toml (or requirements/compile.in): the lock files again,
# every version with the hashes of all its files on the index.
PIP_COMPILE := $(VENV)/tools/pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
               --no-emit-index-url --no-emit-find-links --strip-extras
lock:
	test -x $(PIP_COMPILE) || ($(PYTHON) -m venv $(VENV)/tools/pip-tools \
	  && $(VENV)/tools/pip-tools/bin/pip install --quiet pip-tools==7.7.0)
	$(PIP_COMPILE) --upgrade --output-file requirements/run.txt pyproject.toml
	cd requirements && ../$(PIP_COMPILE) --upgrade --output-file compile.txt compile.in
	$(PIP_COMPILE) --upgrade --extra compile --extra dev --output-file requirements/dev.txt pyproject.toml
	# the project itself (the dev extra names its compile extra) is installed with -e, not locked
	sed -i '/^# WARNING: pip install will require/,/^    # via staark-kanner-csa/d' requirements/dev.txt

# The partner-client generator pins an older typer than ours: it gets its own environment.
$(OAPC):
	$(PYTHON) -m venv $(VENV)/tools/openapi-python-client
	$(VENV)/tools/openapi-python-client/bin/python -m pip install --quiet openapi-python-client==0.29.1

# The TypeScript generator partners use, from npm, pinned by its lock file, in a local folder.
$(OATS): scripts/openapi-typescript/package-lock.json
	bash scripts/install-openapi-typescript.sh

# The rules engine compiled with mypyc (scripts/compile_domain.py); a stale build is never loaded.
ENGINE := services/billing/src/csa_billing/domain
COMPILED := $(ENGINE)/_mypyc_manifest.json
$(COMPILED): $(RUN_STAMP) scripts/compile_domain.py $(filter-out $(ENGINE)/__init__.py,$(wildcard $(ENGINE)/*.py))
	$(BIN)/python scripts/compile_domain.py

compile: $(COMPILED)

install: $(STAMP) $(OAPC) $(OATS) $(COMPILED)

docs: install
	$(BIN)/csa docs generate

run: $(RUN_STAMP) $(COMPILED)
	$(BIN)/csa run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy $(wildcard $(DOMAIN))

test: install lint typecheck
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-chromium.sh
	$(BIN)/pytest
	@echo "the rules tests again on the pure-Python engine (the sources a developer edits):"
	CSA_PURE_PYTHON=1 $(BIN)/pytest -q -p no:cacheprovider services/billing/tests/unit -k week

# The portal's main pages in docs/portal/*.png, taken in Debian's Chromium on `csa run`.
screenshots: install
	bash scripts/ensure-chromium.sh
	$(BIN)/pytest -q -p no:cacheprovider services/portal/tests/browser/screenshots.py

unit: install
	$(BIN)/pytest -m "not kafka and not postgres"

bench: install
	bash scripts/ensure-postgres.sh
	$(BIN)/python bench/run_all.py

# A bounded run (10 min) at a steady rate, service memory sampled: no growth trend, no error.
soak: install
	bash scripts/ensure-postgres.sh
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# Schemathesis with >= CSA_FUZZ_EXAMPLES generated requests per service (make test: a few).
CSA_FUZZ_EXAMPLES ?= 1000
fuzz: install
	bash scripts/ensure-postgres.sh
	CSA_FUZZ_EXAMPLES=$(CSA_FUZZ_EXAMPLES) $(BIN)/pytest -s tests/fuzz

clean:
	rm -rf $(VENV) var build $(COMPILED) $(ENGINE)/*.so

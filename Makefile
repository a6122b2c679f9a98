# dangbo — `make demo`, `make test` and `make check`. Needs only python3, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt
PORT   ?= 8000

# Two installations into the one .venv, each redone when the pins or the package metadata change:
#  - the developer's: the package with the demo data, the tests and the quality gates
#    (extras demo, test, check, bench), for `make install`, `test`, `check` and `bench`;
#  - the demo's: the package and the demo data only (extra demo), for `make demo` from a fresh
#    clone. When the developer's installation is there, `make demo` uses it instead.
DEV_STAMP  := $(VENV)/.installed-dev
DEMO_STAMP := $(VENV)/.installed-demo
DEMO_ENV   := $(if $(wildcard $(DEV_STAMP)),$(DEV_STAMP),$(DEMO_STAMP))

# `make check` loads the settings (mypy's Django plugin, Django's checks) with a scratch folder,
# never the demo's var/, and runs the deployment check with production settings: DEBUG off,
# HTTPS behind a trusted proxy, a host name, a random key and an audit key file of its own
# (docs/operators.md, "Cài đặt cho môi trường chính thức").
CHECK_VAR  := $(VENV)/check-var
CHECK_ENV  := DANGBO_VAR_DIR=$(CHECK_VAR)
DJANGO     := $(CHECK_ENV) $(BIN)/dangbo manage
PRODUCTION := DANGBO_DEBUG=0 DANGBO_HTTPS=1 DANGBO_ALLOWED_HOSTS=dangbo.example.vn \
	DANGBO_TRUSTED_PROXY=127.0.0.1 DANGBO_AUDIT_KEY_FILE=$(CHECK_VAR)/keys/audit_key \
	DANGBO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"

.PHONY: demo test check bench install clean

install: $(DEV_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEV_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e ".[demo,test,check,bench]"
	@touch $@

$(DEMO_STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e ".[demo]"
	@touch $@

demo: $(DEMO_ENV)
	$(BIN)/dangbo demo --port $(PORT)

# `make test ARGS="tests/test_todo.py -n 0"`: ARGS go to pytest on both legs (tools/run_tests.py).
test: $(DEV_STAMP)
	$(BIN)/python tools/run_tests.py $(ARGS)

# The quality gates, in order (docs/architecture.md, "Quality gates"); the first failure stops.
check: $(DEV_STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench
	$(CHECK_ENV) $(BIN)/mypy
	$(BIN)/djlint src/dangbo --lint
	$(DJANGO) makemigrations --check --dry-run
	$(PRODUCTION) $(DJANGO) check --deploy --fail-level WARNING

bench: $(DEV_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var

# Two commands for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2 --dist loadgroup -p no:cacheprovider

.PHONY: demo test install system-packages constraints lint test-sqlite test-postgres test-s3 messages train-classifier bench clean

# Every extra, at the versions in requirements/constraints.txt: the tests cover S3 (s3),
# PostgreSQL and gunicorn (prod) and the classifiers' training (train). A server needs only
# `pip install -c requirements/constraints.txt '.[prod]'`; a laptop needs no extra (README).
EXTRAS := dev,prod,train
CONSTRAINTS := requirements/constraints.txt

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c $(CONSTRAINTS) -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

## Debian packages for OCR, Word round trips, PDF fonts and the browser tests: installed when run
## as root with apt-get, otherwise the one command that would install them is printed.
system-packages:
	@bash tools/system-packages.sh

## Re-pin requirements/constraints.txt to what the venv holds now (after changing a dependency
## in pyproject.toml: pip install -e '.[dev,prod,train]' without -c, run the tests, then this).
constraints:
	{ sed -n '1,3p' $(CONSTRAINTS); $(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^chizai[= @]'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)

## Set up, load the demo companies and serve at http://127.0.0.1:8000 (with the background worker).
demo: install system-packages
	CHIZAI_HOME=$${CHIZAI_HOME:-$(CURDIR)/var} $(BIN)/chizai demo

## Set up and run every test: SQLite always, PostgreSQL too when CHIZAI_TEST_DATABASE_URL is set,
## the S3 tier too when CHIZAI_TEST_S3_ENDPOINT_URL is set.
test: install system-packages lint test-sqlite test-postgres test-s3

## ruff (pyflakes, bugbear, pyupgrade, simplify; the formatter checked) and mypy with django-stubs on src/chizai, configured
## in pyproject.toml: a new violation fails the tests. The django-stubs plugin imports chizai.settings,
## which reads the environment: hence a throwaway CHIZAI_HOME and secret key.
lint: install
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	CHIZAI_HOME=$(CURDIR)/var/lint CHIZAI_DATABASE_URL= CHIZAI_STORAGE=local CHIZAI_PRODUCTION=0 \
	CHIZAI_SECRET_KEY=lint-only-not-secret $(BIN)/mypy

test-sqlite: install
	rm -rf var/test-sqlite
	CHIZAI_HOME=$(CURDIR)/var/test-sqlite CHIZAI_DATABASE_URL= CHIZAI_SECRET_KEY=test-only-not-secret-$$$$ $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	@if [ -n "$$CHIZAI_TEST_DATABASE_URL" ]; then \
		rm -rf var/test-postgres; \
		echo "== PostgreSQL run ($$CHIZAI_TEST_DATABASE_URL)"; \
		CHIZAI_HOME=$(CURDIR)/var/test-postgres CHIZAI_DATABASE_URL="$$CHIZAI_TEST_DATABASE_URL" CHIZAI_SECRET_KEY=test-only-not-secret-$$$$ $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "CHIZAI_TEST_DATABASE_URL is not set: PostgreSQL run skipped"; \
	fi

## The tests marked s3 with CHIZAI_STORAGE=s3 against CHIZAI_TEST_S3_ENDPOINT_URL (.ci/run starts
## moto_server), on PostgreSQL when CHIZAI_TEST_DATABASE_URL is set, else SQLite.
test-s3: install
	@if [ -n "$$CHIZAI_TEST_S3_ENDPOINT_URL" ]; then \
		rm -rf var/test-s3; \
		echo "== S3 run ($$CHIZAI_TEST_S3_ENDPOINT_URL on $${CHIZAI_TEST_DATABASE_URL:-SQLite})"; \
		CHIZAI_HOME=$(CURDIR)/var/test-s3 CHIZAI_DATABASE_URL="$$CHIZAI_TEST_DATABASE_URL" CHIZAI_SECRET_KEY=test-only-not-secret-$$$$ \
		CHIZAI_STORAGE=s3 CHIZAI_S3_BUCKET=chizai-test CHIZAI_S3_ENDPOINT_URL="$$CHIZAI_TEST_S3_ENDPOINT_URL" \
		CHIZAI_S3_REGION=us-east-1 CHIZAI_S3_ACCESS_KEY=test CHIZAI_S3_SECRET_KEY=test \
		$(BIN)/pytest $(PYTEST_ARGS) -m s3; \
	else \
		echo "CHIZAI_TEST_S3_ENDPOINT_URL is not set: S3 run skipped"; \
	fi

## Rebuild the translation catalogues after changing strings (needs GNU gettext): each app's
## own catalogue plus the project one, English filled in, compiled, then checked.
messages: install
	$(BIN)/python tools/i18n.py update

## Retrain the contract-review classifiers (fixed seed; never reads the ContractNLI test split).
train-classifier: install
	$(BIN)/python -m chizai.review.engine.ml.train --data ../shared/data --out src/chizai/review/engine/ml/artifacts/

bench: install
	$(BIN)/python bench/review_speed.py
	$(BIN)/python bench/review_quality.py --suite dev
	$(BIN)/python bench/review_quality.py --suite meti
	$(BIN)/python bench/review_quality.py --suite contractnli
	$(BIN)/python bench/review_quality.py --suite cuad

clean:
	rm -rf $(VENV) var

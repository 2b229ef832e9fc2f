# The two commands in the README: `make demo` (set up, release, grade a sample class) and `make test`.
# For developers: `make lint` (ruff + mypy) and `make test-fast` (the unit tier, under a minute).
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader's gradebook shells out to `alembic`, so the venv's bin must be on PATH for every step.
export PATH := $(BIN):$(PATH)

.PHONY: setup system release demo test test-fast lint bench bench-hub bench-written bench-similarity bench-writer hub clean-demo site docs

setup: $(VENV)/.installed system

# The course package is installed editable: `python -m course`, nbgrader_config.py's
# preprocessors and the sandboxed workers import it from this checkout, with no path patching.
# requirements-docs.txt (Sphinx, MyST, Furo) goes into this venv only, never the students'.
$(VENV)/.installed: requirements.txt requirements-docs.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-docs.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Debian packages: bubblewrap (grading sandbox) and chromium (browser tests); for the course hub,
# configurable-http-proxy and the students' venv under /opt (.ci/hub-packages.sh). Root or sudo.
system:
	@bash .ci/system-packages.sh
	@bash .ci/hub-packages.sh

# The course JupyterHub on http://127.0.0.1:8000 (README "Course JupyterHub"); as root. Without
# ROSTER=file.csv: a demo course (course/hub/demo-roster.csv; passwords printed once).
hub: setup
	PYTHONDONTWRITEBYTECODE=1 $(BIN)/python -m course hub $(if $(ROSTER),--roster $(ROSTER))

release: setup
	$(BIN)/python -m course release embedding_space_math
	$(BIN)/python -m course release attention_math
	$(BIN)/python -m course release backprop_math
	$(BIN)/python -m course release training_math

demo: release
	$(BIN)/python -m course demo

test: setup
	$(BIN)/python -m pytest

# Unit tests only (no notebook execution, sandbox, browser or hub): a quick check while editing.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not sandbox and not browser and not hub"

# ruff (lint + format check) over the Python tree; mypy over the files listed in pyproject.toml.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The course website in site/ (python -m course site --serve previews it on 127.0.0.1:8800).
site: setup
	$(BIN)/python -m course site

# The documentation site, offline, into build/docs/ (git-ignored): warnings are errors, and every
# local link and asset of the built pages must resolve (docs/conf.py, docs/_ext/local_links.py).
docs: setup
	rm -rf build/docs
	$(BIN)/sphinx-build -W --keep-going -q -b html docs build/docs
	@echo "documentation site: build/docs/index.html"

bench: setup
	$(BIN)/python bench/bench_grade.py

bench-hub: setup
	$(BIN)/python bench/bench_hub.py

# Written answers by groups: actions vs one per answer, purity, time to open 400 (docs/written.md).
bench-written: setup
	$(BIN)/python bench/bench_written.py

# python -m course similarity on a class of 400 with planted copies (target: at most 30 s).
bench-similarity: setup
	$(BIN)/python bench/bench_similarity.py

bench-writer: setup
	$(BIN)/python bench/bench_writer.py

clean-demo:
	rm -rf demo-class

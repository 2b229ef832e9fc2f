# The two commands in the README: `make demo` (set up, release, grade a sample class) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader's gradebook shells out to `alembic`, so the venv's bin must be on PATH for every step.
export PATH := $(BIN):$(PATH)

.PHONY: setup system release demo grade report test bench clean-demo site

setup: $(VENV)/.installed system

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# Debian packages: bubblewrap (grading sandbox) and chromium (browser tests). Needs root or sudo.
system:
	@bash .ci/system-packages.sh

release: setup
	$(BIN)/python -m course release embedding_space_math

demo: release
	$(BIN)/python -m course demo

test: setup
	$(BIN)/python -m pytest

# The course website in site/ (python -m course site --serve previews it on 127.0.0.1:8800).
site: setup
	$(BIN)/python -m course site

bench: setup
	$(BIN)/python bench/bench_grade.py

clean-demo:
	rm -rf demo-class

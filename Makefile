# Two commands for a fresh machine: `make lab` (open the course) and `make test`.
# Both create the virtual environment .venv when it is missing.
VENV ?= .venv
# Debian's /usr/bin/python3 when there is one: a venv made from it can be used by every
# user of the machine (students' kernels on a JupyterHub, grading as a non-root
# instructor), unlike a Python installed under a private home folder.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed-stamp
export PATH := $(BIN):$(PATH)

.PHONY: setup lab test system-deps release check-release data

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# --allow-root only when run as root (containers, fresh cloud machines)
lab: setup
	$(BIN)/jupyter lab index.ipynb $(if $(filter 0,$(shell id -u)),--allow-root,)

system-deps:
	bash scripts/system-deps

test: setup system-deps
	$(BIN)/python -m pytest

release: setup
	$(BIN)/svc-course release

check-release: setup
	$(BIN)/svc-course release --check

data: setup
	$(BIN)/svc-course data generate

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

.PHONY: setup sandbox lab test system-deps release check-release data hub hub-clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Grading needs bubblewrap (and prlimit/setpriv from util-linux): install them with apt-get when
# missing (as root or through sudo), then check that a sandboxed kernel can load this course.
sandbox: setup
	@command -v bwrap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" -eq 0 ]; then s=""; else s="sudo"; fi; \
	  echo "installing bubblewrap and util-linux with apt-get"; \
	  $$s apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$s apt-get install -y -qq bubblewrap util-linux >/dev/null; }
	$(BIN)/svc-course check-sandbox

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

# A demonstration JupyterHub on this machine: one instructor, three students (system
# users with printed passwords), the course environment in /srv/svc-course-demo.
# Needs root. Ctrl-C stops it; `make hub-clean` removes its users and folders.
# Settings: deploy/jupyterhub/demo.toml; another port: make hub HUB_PORT=8010
HUB_PORT ?=
hub:
	@test "$$(id -u)" -eq 0 || { echo "make hub needs root (it creates system users and starts JupyterHub): sudo make hub" >&2; exit 1; }
	bash scripts/system-deps hub
	$(PYTHON) deploy/jupyterhub/hubctl.py demo $(if $(HUB_PORT),--port $(HUB_PORT),)

hub-clean:
	@test "$$(id -u)" -eq 0 || { echo "make hub-clean needs root: sudo make hub-clean" >&2; exit 1; }
	$(PYTHON) deploy/jupyterhub/hubctl.py clean --settings deploy/jupyterhub/demo.toml

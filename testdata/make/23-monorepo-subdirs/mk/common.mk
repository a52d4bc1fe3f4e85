# Shared settings for the top-level and the service Makefiles.
# Services include it as ../../mk/common.mk.
MAKEFLAGS += --no-print-directory
PYTHON    ?= python3
DIST      := dist
REGISTRY  ?= registry.internal:5000/mlp
GIT_SHA    = $(shell git rev-parse --short=12 HEAD)
export REGISTRY GIT_SHA
PYTEST_ADDOPTS ?= -q -x

#!/usr/bin/env bash
# Prepare Kaldi-style data directories for one subset.
set -euo pipefail
echo "prepare $*"

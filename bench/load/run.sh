#!/usr/bin/env bash
# Bounded loopback load test of the public pages under gunicorn with production settings.
# Usage: bench/load/run.sh [--synthetic N] [--duration S] [--connections C] [--no-page-cache] [--no-mixed]
#        (see bench/load/run.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null 2>&1 || echo "wrk not found (apt-get install -y wrk): using the Python client" >&2
exec .venv/bin/python bench/load/run.py "$@"

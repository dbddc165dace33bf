#!/usr/bin/env bash
# `python3 -m pip install ./bindings/python` into a fresh virtual environment, offline and with
# MCQGEN_LIBRARY unset, builds and bundles libmcqgen_c; then, from another directory, the
# installed package loads its own copy and generates (installed_check.py).
#
# usage: pip_install_venv.sh PYTHON PACKAGE_DIR CHECK_SCRIPT DOCUMENT
# Compiles the core from scratch: minutes on two cores (ctest label `packaging`).
set -euo pipefail
python=$1 package=$2 check=$3 document=$4
unset MCQGEN_LIBRARY PYTHONPATH PYTHONHOME LD_LIBRARY_PATH LD_PRELOAD VIRTUAL_ENV
export PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export PIP_NO_INDEX=1 PIP_NO_CACHE_DIR=1

work=$(mktemp -d "${TMPDIR:-/tmp}/mcqgen-venv.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --no-index "$package"
echo "python.pip_install_venv: venv and install seconds=$((SECONDS - start))"

mkdir "$work/elsewhere"
cd "$work/elsewhere"
# -I: nothing from the environment or the script's directory on sys.path.
"$work/venv/bin/python" -I "$check" "$document" "$work/elsewhere/tests.db"
echo "python.pip_install_venv: total seconds=$((SECONDS - start))"

#!/usr/bin/env bash
# Fails when libmcqgen_c exports anything but mcqgen_* or lacks its versioned SONAME.
# usage: test_exports.sh LIBRARY EXPECTED_SONAME
set -euo pipefail
library=$1
expected_soname=$2

# Linker-defined markers may appear in the dynamic table; they are not part of the API.
stray=$(nm -D --defined-only "$library" | awk '{print $NF}' | sed 's/@.*//' |
        grep -v '^mcqgen_' |
        grep -Ev '^(_init|_fini|_edata|_end|__bss_start|_DYNAMIC|_GLOBAL_OFFSET_TABLE_)$' || true)
if [[ -n "$stray" ]]; then
    echo "symbols exported besides mcqgen_*:" >&2
    echo "$stray" | head -50 >&2
    exit 1
fi

count=$(nm -D --defined-only "$library" | awk '{print $NF}' | grep -c '^mcqgen_' || true)
if (( count < 30 )); then
    echo "only $count mcqgen_* symbols exported" >&2
    exit 1
fi

soname=$(readelf -d "$library" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
if [[ "$soname" != "$expected_soname" ]]; then
    echo "SONAME is '$soname', expected '$expected_soname'" >&2
    exit 1
fi
echo "$count mcqgen_* symbols, nothing else; SONAME $soname"

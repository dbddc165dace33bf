#!/usr/bin/env bash
# Fails when a part of src/ includes a part it must not see (docs/architecture.md): core sees
# nothing of ours, the seam sees core, pipeline/claude/offline see core and the seam, storage
# sees core, and only api (the composition root) sees everything.
set -euo pipefail
cd "$(dirname "$0")/../src"
declare -A allowed=(
    [core]=""
    [provider]="core"
    [pipeline]="core provider"
    [claude]="core provider"
    [offline]="core provider"
    [documents]="core"
    [pdf]="core documents"
    [storage]="core"
    [api]="core documents provider pipeline claude offline storage"
)
status=0
for part in */; do
    part=${part%/}
    [ -v "allowed[$part]" ] || { echo "src/$part is not in the layer map of $0" >&2; status=1; continue; }
    while IFS= read -r line; do
        file=${line%%:*}
        used=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
        [ "$used" = "$part" ] && continue
        if [[ " ${allowed[$part]} " != *" $used "* ]]; then
            echo "$file: src/$part must not include src/$used" >&2
            status=1
        fi
    done < <(grep -rHE '^#include "[a-z_]+/' "$part" || true)
done
[ $status -eq 0 ] && echo "layers: every include in src/ points the allowed way"
exit $status

#!/usr/bin/env bash
# Benchmark (not a test): kfr reading several thousand Airflow DAG files vs.
# `ruff check --select AIR --no-cache` on the same files, in the same run.
#
#   bash benches/airflow_vs_ruff.sh [COPIES]     (default 100 copies of each fixture)
#
# The fixtures in testdata/airflow are copied COPIES times into a temporary
# directory (each copy renames its DAG ids so they stay unique). ruff is
# taken from $RUFF, else from PATH, else installed into a throwaway
# virtualenv under target/. Each tool runs 3 times; the best time is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

ruff="${RUFF:-$(command -v ruff || true)}"
if [ -z "$ruff" ]; then
    python3 -m venv target/bench-venv >/dev/null
    target/bench-venv/bin/pip install -q ruff
    ruff=target/bench-venv/bin/ruff
fi
cargo build --release -q
kfr=target/release/kfr

n=0
for i in $(seq 1 "$copies"); do
    d="$work/dags/team_$i"
    mkdir -p "$d"
    for f in testdata/airflow/*.py; do
        case "$f" in */oracle.py) continue ;; esac
        cp "$f" "$d/$(basename "$f")"
        n=$((n + 1))
    done
    # the shared modules and config files the fixtures import and read
    cp -r testdata/airflow/dag_common testdata/airflow/configs "$d/"
    n=$((n + $(find testdata/airflow/dag_common -name '*.py' | wc -l)))
done
bytes=$(du -sb "$work/dags" | cut -f1)
echo "files: $n ($((bytes / 1024)) KiB), $(nproc) cores, $("$ruff" --version)"

best() {
    local best=""
    for _ in 1 2 3; do
        local s e
        s=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        e=$(date +%s%N)
        local ms=$(((e - s) / 1000000))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    echo "$best"
}

k=$(best "$kfr" lint "$work/dags" --format concise)
r=$(best "$ruff" check --select AIR --no-cache --quiet "$work/dags")
echo "kfr lint:                        ${k} ms"
echo "ruff check --select AIR --no-cache: ${r} ms"
python3 -c "print(f'ratio kfr/ruff: {$k/$r:.2f}x')"

#!/usr/bin/env bash
# Single-file runs, the way a pre-commit hook makes them: `kfr lint FILE`
# inside a git repository that holds the bundled examples, next to
# `ruff check FILE` on the same Python file (without and with ruff's cache).
#
# Builds kfr in release mode, installs ruff (RUFF_VERSION) into a throwaway
# virtualenv under the target directory, and times each command with
# hyperfine when it is installed (and NO_HYPERFINE is not set), otherwise
# with a loop over `date +%s%N`.
#
#   benches/single_file.sh            # RUNS=30 by default
#   RUNS=100 RUFF_VERSION=0.17.6 benches/single_file.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ruff_version=${RUFF_VERSION:-0.17.6}
runs=${RUNS:-30}
target=${CARGO_TARGET_DIR:-$root/target}

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
kfr=$target/release/kfr

venv=$target/bench-ruff-$ruff_version
if [ ! -x "$venv/bin/ruff" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "ruff==$ruff_version"
fi
ruff=$venv/bin/ruff

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
mkdir -p "$repo/dags"
cp -R "$root/testdata/examples/." "$repo/"
dag=dags/churn_nightly.py
cp "$root/testdata/airflow/01_churn_nightly.py" "$repo/$dag"
makefile=retrain/Makefile
git -C "$repo" -c init.defaultBranch=main init --quiet
git -C "$repo" add --all
git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
    commit --quiet -m examples

files=$(git -C "$repo" ls-files | wc -l)
echo "kfr:  $("$kfr" --version)"
echo "ruff: $("$ruff" --version)"
echo "cpus: $(nproc), repository: $files files (the bundled examples and $dag)"
echo

# kfr exits 1 when it has findings and ruff may too: only the time counts.
names=(
    "kfr lint $dag"
    "kfr lint $makefile"
    "kfr lint (whole repository)"
    "ruff check --no-cache $dag"
    "ruff check $dag (cache warm)"
)
commands=(
    "$kfr lint $dag"
    "$kfr lint $makefile"
    "$kfr lint"
    "$ruff check --isolated --no-cache $dag"
    "$ruff check --isolated $dag"
)

cd "$repo"
if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
    args=()
    for i in "${!commands[@]}"; do
        args+=(--command-name "${names[$i]}" "${commands[$i]}")
    done
    hyperfine --shell=none --ignore-failure --warmup 3 --runs "$runs" \
        --export-markdown "$work/results.md" --style basic "${args[@]}" >&2
    cat "$work/results.md"
else
    echo "| Command | Mean [ms] | Min [ms] | Max [ms] |"
    echo "|:---|---:|---:|---:|"
    for i in "${!commands[@]}"; do
        read -r -a cmd <<<"${commands[$i]}"
        for _ in 1 2 3; do "${cmd[@]}" >/dev/null 2>&1 || true; done
        times=()
        for ((r = 0; r < runs; r++)); do
            start=$(date +%s%N)
            "${cmd[@]}" >/dev/null 2>&1 || true
            end=$(date +%s%N)
            times+=($(((end - start) / 1000)))
        done
        printf '%s\n' "${times[@]}" | awk -v name="${names[$i]}" '
            { sum += $1; if (NR == 1 || $1 < min) min = $1; if ($1 > max) max = $1 }
            END { printf "| `%s` | %.1f | %.1f | %.1f |\n", name, sum / NR / 1000, min / 1000, max / 1000 }'
    done
fi

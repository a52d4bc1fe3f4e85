#!/usr/bin/env bash
# Scaling: `kfr lint FILE` on generated inputs of doubling size, one
# frontend at a time, printing size vs wall time and the ratio to the
# previous size (about 2 for a linear frontend).
#
#   Makefile    up to 600,000 lines (chained rules of three lines)
#   Airflow DAG up to 100,000 tasks (one BashOperator and one `>>` each)
#   Jenkinsfile up to 10,000 stages
#   crontab     up to 10,000 lines
#
#   benches/scaling.sh                 # all four
#   KINDS="make cron" benches/scaling.sh
#   TIMEOUT=120 benches/scaling.sh     # seconds per run; a kind stops growing past it
#
# The largest Makefile and DAG are over kfr's default 8 MiB file limit, so
# the runs read a kfr.toml that raises it to 1 GiB (`max-file-size`).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
kinds=${KINDS:-make airflow jenkins cron}
limit=${TIMEOUT:-300}

# NO_BUILD=1 times the release binary already built
[ -n "${NO_BUILD:-}" ] || cargo build --release --quiet --manifest-path "$root/Cargo.toml"
kfr=$target/release/kfr

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'max-file-size = 1073741824\n' > "$work/kfr.toml"

gen_make() { # lines
    awk -v n="$1" 'BEGIN {
        print "all: t" int(n / 3) - 1
        print "\t@echo done"
        for (i = 0; 3 * i + 2 < n - 3; i++) {
            if (i == 0) print "t0:"; else print "t" i ": t" i - 1
            print "\tpython step.py --part " i " > $@"
            print ""
        }
    }'
}

gen_airflow() { # tasks
    awk -v n="$1" 'BEGIN {
        print "from datetime import datetime"
        print "from airflow import DAG"
        print "from airflow.operators.bash import BashOperator"
        print ""
        print "with DAG(\"scaling\", start_date=datetime(2024, 1, 1), schedule=\"@daily\", catchup=False) as dag:"
        for (i = 0; i < n; i++) {
            print "    t" i " = BashOperator(task_id=\"t" i "\", bash_command=\"python step.py " i "\", retries=2)"
            if (i > 0) print "    t" i - 1 " >> t" i
        }
    }'
}

gen_jenkins() { # stages
    awk -v n="$1" 'BEGIN {
        print "pipeline {"
        print "    agent any"
        print "    stages {"
        for (i = 0; i < n; i++) {
            print "        stage(\"s" i "\") {"
            print "            steps {"
            print "                sh \"python step.py " i "\""
            print "            }"
            print "        }"
        }
        print "    }"
        print "}"
    }'
}

gen_cron() { # lines
    awk -v n="$1" 'BEGIN {
        print "SHELL=/bin/bash"
        for (i = 1; i < n; i++) print (i % 60) " " (i % 24) " * * * cd /srv/ml && python job" i ".py >> /var/log/job" i ".log 2>&1"
    }'
}

file_for() {
    case $1 in
        make) echo "$work/make/Makefile" ;;
        airflow) echo "$work/airflow/scaling_dag.py" ;;
        jenkins) echo "$work/jenkins/Jenkinsfile" ;;
        cron) echo "$work/cron/crontab" ;;
    esac
}

sizes_for() {
    case $1 in
        make) echo 9375 18750 37500 75000 150000 300000 600000 ;;
        airflow) echo 3125 6250 12500 25000 50000 100000 ;;
        jenkins) echo 625 1250 2500 5000 10000 ;;
        cron) echo 625 1250 2500 5000 10000 ;;
    esac
}

unit_for() {
    case $1 in
        make | cron) echo lines ;;
        airflow) echo tasks ;;
        jenkins) echo stages ;;
    esac
}

# wall, user and system seconds of one command, into $work/time
timed() {
    local TIMEFORMAT='%R %U %S'
    { time "$@" > "$work/out" 2> "$work/err"; } 2> "$work/time"
}

# CPU time (user + system) is what the ratio is of: it is far less
# disturbed than wall time by whatever else the machine runs.
row='%-8s %10s %-6s %10s %9s %9s %7s\n'
printf "$row" kind size unit bytes wall_ms cpu_ms ratio
for kind in $kinds; do
    f=$(file_for "$kind")
    mkdir -p "$(dirname "$f")"
    prev=
    for n in $(sizes_for "$kind"); do
        "gen_$kind" "$n" > "$f"
        status=0
        timed timeout "$limit" "$kfr" lint "$f" --no-project --config "$work/kfr.toml" --format concise || status=$?
        read -r real user sys < "$work/time"
        wall=$(awk -v r="$real" 'BEGIN { printf "%d", r * 1000 }')
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1000 }')
        if [ "$status" -ge 2 ]; then
            printf "$row" "$kind" "$n" "$(unit_for "$kind")" "$(wc -c < "$f")" "$wall" "$cpu" "exit $status"
            head -3 "$work/err" >&2
            break
        fi
        ratio=-
        if grep -q 'not read' "$work/out"; then
            # a file kfr did not read is no data point
            ratio=unread
        elif [ -n "$prev" ] && [ "$prev" -gt 0 ]; then
            ratio=$(awk -v a="$cpu" -v b="$prev" 'BEGIN { printf "%.2f", a / b }')
        fi
        printf "$row" "$kind" "$n" "$(unit_for "$kind")" "$(wc -c < "$f")" "$wall" "$cpu" "$ratio"
        prev=$cpu
    done
done

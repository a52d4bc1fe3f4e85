#!/usr/bin/env bash
# Seed the corpus of fuzz targets from testdata/ and run them.
#
#   fuzz/run.sh [-n RUNS] [-t SECONDS] [-l BYTES] [-c] [TARGET...]
#
# RUNS is libFuzzer's -runs (default 1000000); SECONDS, when given, caps
# each target's time (-max_total_time); BYTES is the longest input
# (-max_len, default 16384). -c builds without comparison tracing
# (cargo fuzz --no-trace-compares, into fuzz/target-nocmp): the make target
# spends nearly half its time in it, and runs about twice as fast without.
# Without a TARGET every target runs,
# one after the other, each in one process (a single job). The figures of each run are printed at
# the end: executions, time, corpus size, and findings (fuzz/artifacts/).
# A stack overflow kills the target before libFuzzer can save the input
# (its SEGV handler runs on the overflowed stack, and Rust's is not installed
# because main is libFuzzer's), so each input is also written to
# artifacts/<target>.last first (KFR_FUZZ_LAST, see fuzz/src/drive.rs); after
# a crash without an artifact, that file is kept as artifacts/<target>/crash-last.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
td="$root/testdata"
runs=1000000
max_time=0
max_len=16384
build=()
while getopts "n:t:l:c" opt; do
    case $opt in
        n) runs=$OPTARG ;;
        t) max_time=$OPTARG ;;
        l) max_len=$OPTARG ;;
        c) build=(--no-trace-compares --target-dir "$(cd "$(dirname "$0")" && pwd)/target-nocmp") ;;
        *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
all=(make jenkinsfile jenkins_xml crontab cron_expr airflow kfp_python kfp_yaml shell link)
targets=("${@:-${all[@]}}")

# copy files into a corpus, at most 16 KiB of each
put() {
    local dir=$1 prefix=$2
    shift 2
    for f in "$@"; do
        [ -f "$f" ] || continue
        local out
        out="$dir/$(printf '%s' "$f" | md5sum | cut -c1-16)"
        { printf '%b' "$prefix"; head -c 16384 "$f"; } > "$out"
    done
}

seed() {
    local t=$1 dir="$here/corpus/$1"
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || return 0
    cd "$td"
    case $t in
        make) mapfile -t fs < <(find make malformed examples migrate -type f \( -name Makefile -o -name GNUmakefile -o -name makefile -o -name '*.mk' \))
            put "$dir" '' "${fs[@]}" ;;
        jenkinsfile) mapfile -t fs < <(find jenkins examples -type f \( -name 'Jenkinsfile*' -o -name '*.Jenkinsfile' -o -name '*.groovy' \))
            put "$dir" '' "${fs[@]}" ;;
        jenkins_xml) mapfile -t fs < <(find jenkins -type f -name config.xml)
            put "$dir" '' "${fs[@]}" ;;
        crontab)
            # the first byte picks a user crontab (even) or one with a user column (odd)
            mapfile -t fs < <(find cron examples migrate -type f \( -name crontab -o -name '*.cron' -o -name '*.crontab' \))
            put "$dir" 'd' "${fs[@]}"
            mapfile -t fs < <(find cron -path '*cron.d/*' -type f)
            put "$dir" 'e' "${fs[@]}" ;;
        cron_expr)
            # one expression a file, from the expectation tables and the crontabs
            local i=0
            while IFS= read -r e; do
                printf '%s' "$e" > "$dir/e$i"
                i=$((i + 1))
            done < <(awk -F'\t' '!/^#/ && NR > 1 && $2 != "" { print $2 }' cron/expressions.tsv cron/jenkins_hash.tsv | sort -u | head -400) ;;
        airflow) mapfile -t fs < <(find airflow malformed examples migrate -type f -name '*.py' -exec grep -l airflow {} +)
            put "$dir" '' "${fs[@]}" ;;
        kfp_python) mapfile -t fs < <(find kfp malformed examples -type f -name '*.py' -exec grep -l kfp {} +)
            put "$dir" '' "${fs[@]}" ;;
        kfp_yaml) mapfile -t fs < <(find kfp malformed examples -type f \( -name '*.yaml' -o -name '*.yml' \))
            put "$dir" '' "${fs[@]}" ;;
        shell)
            # recipe lines of the makefiles: one command line a file
            local i=0
            while IFS= read -r l; do
                printf '%s' "$l" > "$dir/s$i"
                i=$((i + 1))
            done < <(find make examples migrate -type f -name Makefile -exec grep -h $'^\t' {} + | sed 's/^\t[@+-]*//' | sort -u | head -500) ;;
        link)
            # each example project as one input: its files joined by 0xFF,
            # each led by the byte that picks its kind (see fuzz/src/drive.rs)
            for d in examples/* migrate/*; do
                local out="$dir/$(basename "$d")" first=1
                : > "$out"
                while IFS= read -r f; do
                    local k
                    case $f in
                        */Makefile) k='\x00' ;;
                        */Jenkinsfile) k='\x01' ;;
                        */config.xml) k='\x02' ;;
                        */crontab) k='\x03' ;;
                        */dags/*.py) k='\x04' ;;
                        */pipeline.py) k='\x05' ;;
                        *.yaml) k='\x06' ;;
                        *) continue ;;
                    esac
                    [ $first = 1 ] || printf '\xff' >> "$out"
                    first=0
                    printf "$k" >> "$out"
                    head -c 4096 "$f" >> "$out"
                done < <(find "$d" -type f | sort)
            done ;;
    esac
    cd - > /dev/null
}

cd "$here"
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    mkdir -p "artifacts/$t"
    log="$here/artifacts/$t.log"
    start=$(date +%s)
    set +e
    rm -f "artifacts/$t.last"
    KFR_FUZZ_LAST="$here/artifacts/$t.last" RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O -a "${build[@]}" "$t" "corpus/$t" -- \
        -runs="$runs" -max_total_time="$max_time" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -handle_segv=0 \
        -artifact_prefix="artifacts/$t/" 2>&1 | tee "$log" | grep -E '^(#[0-9]+ +(DONE|pulse)|==|SUMMARY|thread .* panicked|stat::)'
    set -e
    if [ -z "$(ls -A "artifacts/$t")" ] && ! grep -q 'stat::number_of_executed_units' "$log"; then
        [ -f "artifacts/$t.last" ] && cp "artifacts/$t.last" "artifacts/$t/crash-last"
    fi
    secs=$(( $(date +%s) - start ))
    # after a crash libFuzzer prints no final stats: its last status line counts
    execs=$(grep -oP 'stat::number_of_executed_units: \K[0-9]+' "$log" | tail -1 || true)
    [ -n "$execs" ] || execs="~$(grep -oP '^#\K[0-9]+' "$log" | tail -1 || true)"
    crashes=$(find "artifacts/$t" -type f | wc -l)
    summary+=("$(printf '%-12s %10s execs %6ss corpus %5s files  findings %s' "$t" "${execs:-?}" "$secs" "$(ls "corpus/$t" | wc -l)" "$crashes")")
done
printf '%s\n' "${summary[@]}"

//! Inputs that once crashed, hung or exhausted a fuzz target, minimised,
//! replayed through the target's own code (`fuzz/src/drive.rs`):
//! `testdata/fuzz-regressions/<target>/*`.

#[path = "../fuzz/src/drive.rs"]
mod drive;

use std::path::Path;

#[test]
fn minimised_fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz-regressions");
    let mut replayed = 0;
    for target in drive::TARGETS {
        let dir = root.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let data = std::fs::read(&path).unwrap();
            eprintln!("{target}: {}", path.display());
            drive::run(target, &data);
            replayed += 1;
        }
    }
    eprintln!("{replayed} inputs replayed");
}

/// Each target runs on a small input of its kind, so that the replay code
/// is itself exercised even before there is any finding.
#[test]
fn every_target_reads_a_small_input() {
    let inputs: &[(&str, &[u8])] = &[
        ("make", b"all: model.pkl\nmodel.pkl: data.csv\n\tpython train.py > $@\n"),
        (
            "jenkinsfile",
            b"pipeline { agent any\n stages { stage('t') { steps { sh 'make train' } } } }\n",
        ),
        (
            "jenkins_xml",
            b"<project><builders><hudson.tasks.Shell><command>make</command></hudson.tasks.Shell></builders></project>",
        ),
        ("crontab", b"\x000 3 * * * cd /srv && make train\n"),
        ("cron_expr", b"H(0-29)/10 * * * 1-5"),
        (
            "airflow",
            b"from airflow.operators.bash import BashOperator\nt = BashOperator(task_id='t', bash_command='make')\n",
        ),
        ("kfp_python", b"@dsl.pipeline\ndef p():\n    pass\n"),
        ("kfp_yaml", b"pipelineInfo:\n  name: p\nroot: {}\n"),
        ("shell", b"cd data && python train.py --out model.pkl < in.csv"),
        (
            "link",
            b"\x00all:\n\tpython t.py\n\xff\x03@daily make all\n\xff\x01\xe9\n",
        ),
    ];
    for (target, data) in inputs {
        drive::run(target, data);
    }
    assert_eq!(inputs.len(), drive::TARGETS.len());
}

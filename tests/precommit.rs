//! The pre-commit hook of `.pre-commit-hooks.yaml`, run by real pre-commit
//! the way a user's repository runs it: a `.pre-commit-config.yaml` whose
//! `repo:` is this repository, then `pre-commit run kfr-lint --files ...`;
//! pre-commit clones the repository at `rev:`, builds kfr with
//! `cargo install` and runs the hook on the files given.
//!
//! `rev:` is the working tree, uncommitted changes to tracked files included
//! (files git does not track yet are not: `git add` them), recorded with
//! `git stash create` at fixed dates so that the same working tree gives the
//! same commit. pre-commit keeps built hooks by repository and commit (in
//! `PRE_COMMIT_HOME`, here under the target directory), so the hook is built
//! once per working tree and reused by every call and by later runs.
//! (`pre-commit try-repo` would read the working tree too, but builds the
//! hook again on every call: it uses a temporary cache.)
//!
//! Needs Python, network access (PyPI for pre-commit, crates.io for the
//! hook's build) and a few minutes for the first build, so it runs only when
//! `KFR_REQUIRE_PRECOMMIT=1` is set; then a missing prerequisite fails it.
//! Without the variable it prints that it was skipped.

#[path = "support/python_venv.rs"]
mod python_venv;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const PRE_COMMIT: &[&str] = &["pre-commit==4.7.0"];
const HOOK_NAME: &str = "kfr (ML pipeline lint)";

fn required(test: &str) -> bool {
    if std::env::var_os("KFR_REQUIRE_PRECOMMIT").is_some_and(|v| v == "1") {
        return true;
    }
    eprintln!("{test}: skipped (set KFR_REQUIRE_PRECOMMIT=1 to run pre-commit)");
    false
}

fn venv_python() -> PathBuf {
    python_venv::python("pre-commit-venv", PRE_COMMIT).unwrap_or_else(|e| panic!("cannot install pre-commit: {e}"))
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A HOME of its own so neither git nor pre-commit reads the user's
/// configuration; cargo and rustup keep their real homes so the system
/// toolchain and the downloaded crates are used.
struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".config")).unwrap();
        Sandbox { _dir: dir, home }
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let real_home = std::env::var_os("HOME").map(PathBuf::from);
        let mut cmd = Command::new(program);
        for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
            let dir = std::env::var_os(var)
                .map(PathBuf::from)
                .or_else(|| real_home.as_ref().map(|h| h.join(default)));
            if let Some(dir) = dir.filter(|d| d.is_dir()) {
                cmd.env(var, dir);
            }
        }
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        cmd.env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "kfr test")
            .env("GIT_AUTHOR_EMAIL", "kfr-test@example.invalid")
            .env("GIT_COMMITTER_NAME", "kfr test")
            .env("GIT_COMMITTER_EMAIL", "kfr-test@example.invalid")
            // kept between runs: the hook's environment (keyed by the hook
            // repository and commit) and the build's target directory
            .env("PRE_COMMIT_HOME", tmp.join("pre-commit-home"))
            .env("CARGO_TARGET_DIR", tmp.join("pre-commit-cargo-target"))
            // a quick build instead of the release profile's thin LTO
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("NO_COLOR", "1")
            .env_remove("PRE_COMMIT_COLOR")
            .env_remove("SKIP");
        cmd
    }

    /// A git repository holding `files` (path, contents) and a
    /// `.pre-commit-config.yaml` with this repository's hook at `rev`,
    /// committed.
    fn repo(&self, name: &str, rev: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = self.home.join(name);
        let config = format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: kfr-lint\n",
            serde_json::to_string(repo_root().to_str().unwrap()).unwrap()
        );
        let config = [(".pre-commit-config.yaml", config.as_str())];
        for (path, body) in files.iter().chain(&config) {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        for args in [
            &["-c", "init.defaultBranch=main", "init", "--quiet"][..],
            &["add", "--all"],
            &["commit", "--quiet", "--no-gpg-sign", "-m", "pipelines"],
        ] {
            let out = self.command("git").args(args).current_dir(&dir).output().unwrap();
            assert!(out.status.success(), "git {args:?}: {}", text(&out));
        }
        dir
    }

    /// This repository's working tree as a commit: its tracked files,
    /// staged or not, as `git stash create` records them (without touching
    /// the working tree or the index); HEAD when nothing changed.
    fn hook_rev(&self) -> String {
        let git = |args: &[&str]| {
            let out = self
                .command("git")
                .args(args)
                .current_dir(repo_root())
                .env("GIT_AUTHOR_DATE", "2000-01-01T00:00:00Z")
                .env("GIT_COMMITTER_DATE", "2000-01-01T00:00:00Z")
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {}", text(&out));
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        };
        let stash = git(&["stash", "create", "the working tree, for tests/precommit.rs"]);
        if stash.is_empty() {
            git(&["rev-parse", "HEAD"])
        } else {
            stash
        }
    }

    /// `pre-commit run kfr-lint --files FILES` in `repo`.
    fn run_hook(&self, python: &Path, repo: &Path, files: &[&str]) -> Output {
        let start = Instant::now();
        let out = self
            .command(python)
            .args([
                "-m",
                "pre_commit",
                "run",
                "kfr-lint",
                "--color",
                "never",
                "--verbose",
                "--files",
            ])
            .args(files)
            .current_dir(repo)
            .output()
            .unwrap();
        eprintln!(
            "pre-commit run kfr-lint --files {files:?}: {:.1}s (the first run for a working tree builds the hook)",
            start.elapsed().as_secs_f64()
        );
        out
    }
}

const BAD_MAKEFILE: &str = "\
features.parquet: raw.csv
\tpython featurize.py --in $< --out $@

model.pkl: features.parquet
\tpython train.py --data $< --out $@
";

const GOOD_MAKEFILE: &str = "\
.PHONY: hello
hello:
\t@echo \"hello from the data team\"
";

const PLAIN_PYTHON: &str = "\
import json


def load(path):
    with open(path) as f:
        return json.load(f)
";

#[test]
fn manifest_is_valid_and_selects_what_kfr_reads() {
    if !required("manifest_is_valid_and_selects_what_kfr_reads") {
        return;
    }
    let python = venv_python();
    let manifest = repo_root().join(".pre-commit-hooks.yaml");
    let sandbox = Sandbox::new();
    let out = sandbox
        .command(&python)
        .args(["-m", "pre_commit", "validate-manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "pre-commit rejects the manifest: {}", text(&out));

    // pre-commit's own loader and regex engine decide which files the hook
    // gets; they must be the files kfr reads, plus requirements files
    let paths = [
        "Makefile",
        "ml/makefile",
        "GNUmakefile",
        "ml/rules.mk",
        "Makefile.inc",
        "Makefile.bak",
        "dags/churn.py",
        "pipelines/train.yaml",
        "pipelines/train.yml",
        "Jenkinsfile",
        "ci/Jenkinsfile",
        "Jenkinsfile.prod",
        "ci/train.jenkinsfile",
        "ci/train.Jenkinsfile",
        "jenkins/train.groovy",
        "ci/.jenkins/lib/train.groovy",
        "src/util.groovy",
        "xjenkins/util.groovy",
        "jobs/train/config.xml",
        "pom.xml",
        "crontab",
        "ops/crontab",
        "ops/nightly.cron",
        "ops/ml.crontab",
        "etc/cron.d/retrain",
        "etc/cron.d/retrain.bak",
        "cron.d/ml_retrain-2",
        "ops/mycrontab",
        "requirements.txt",
        "ml/requirements-dev.txt",
        "requirements.in",
        "notes.txt",
        "README.md",
    ];
    let script = "\
import re, sys
from pre_commit.clientlib import load_manifest
[hook] = [h for h in load_manifest(sys.argv[1]) if h['id'] == 'kfr-lint']
assert hook['types'] == ['file'], hook['types']
pattern = re.compile(hook['files'])
for path in sys.argv[2:]:
    print(path, bool(pattern.search(path)))
";
    let out = sandbox
        .command(&python)
        .args(["-c", script])
        .arg(&manifest)
        .args(paths)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut wrong = Vec::new();
    for line in stdout.lines() {
        let (path, matched) = line.rsplit_once(' ').unwrap();
        let name = Path::new(path).file_name().unwrap().to_str().unwrap();
        let requirements = name.starts_with("requirements") && name.ends_with(".txt");
        let read = kfr::frontend::classify(Path::new(path)).is_some() || requirements;
        if (matched == "True") != read {
            wrong.push(format!("{path}: hook selects it: {matched}, kfr reads it: {read}"));
        }
    }
    assert_eq!(stdout.lines().count(), paths.len(), "{stdout}");
    assert!(
        wrong.is_empty(),
        "the hook's `files` disagrees with kfr:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn hook_fails_on_a_finding_and_passes_clean_files() {
    if !required("hook_fails_on_a_finding_and_passes_clean_files") {
        return;
    }
    let python = venv_python();
    let sandbox = Sandbox::new();
    let rev = sandbox.hook_rev();

    let bad = sandbox.repo("bad", &rev, &[("Makefile", BAD_MAKEFILE)]);
    let out = sandbox.run_hook(&python, &bad, &["Makefile"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the hook should fail: {}", text(&out));
    // pre-commit exits 1 whatever the hook's status; kfr's own is 1 for
    // findings (2 would be a usage error or a crash)
    assert!(
        stdout.contains(HOOK_NAME) && stdout.contains("Failed") && stdout.contains("- exit code: 1\n"),
        "kfr should exit 1 for findings: {}",
        text(&out)
    );
    assert!(
        stdout.contains("KFR001") && stdout.contains("Makefile:1:"),
        "the hook's output should name the rule and the finding's file and line: {}",
        text(&out)
    );

    let good = sandbox.repo(
        "good",
        &rev,
        &[
            ("Makefile", GOOD_MAKEFILE),
            ("src/loader.py", PLAIN_PYTHON),
            ("requirements.txt", "pandas==2.2.3\n"),
        ],
    );
    for files in [&["Makefile"][..], &["src/loader.py", "requirements.txt"]] {
        let out = sandbox.run_hook(&python, &good, files);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "the hook should pass: {}", text(&out));
        // ran on the files rather than skipping them for not matching
        assert!(
            stdout.contains(HOOK_NAME) && stdout.contains("Passed") && !stdout.contains("Skipped"),
            "{}",
            text(&out)
        );
    }
}

/// The local-hook example in docs/integrations/pre-commit.md (for a kfr
/// installed by hand) runs what the published hook runs, on the same files.
#[test]
fn the_documented_local_hook_matches_the_manifest() {
    let read = |p: &str| std::fs::read_to_string(repo_root().join(p)).unwrap();
    let manifest: serde_yaml::Value = serde_yaml::from_str(&read(".pre-commit-hooks.yaml")).unwrap();
    let hook = &manifest[0];
    assert_eq!(hook["id"], "kfr-lint");
    let doc = read("docs/integrations/pre-commit.md");
    let block = doc
        .split("```yaml\n")
        .skip(1)
        .filter_map(|b| b.split_once("\n```").map(|(yaml, _)| yaml))
        .find(|yaml| yaml.contains("repo: local"))
        .expect("the doc has a `repo: local` example");
    let config: serde_yaml::Value = serde_yaml::from_str(block).unwrap();
    let local = &config["repos"][0]["hooks"][0];
    for key in ["id", "name", "entry", "types", "files", "require_serial"] {
        assert_eq!(
            local[key], hook[key],
            "`{key}` differs between the doc's local hook and the manifest"
        );
    }
}

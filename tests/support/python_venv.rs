//! Throwaway Python virtualenvs for the tests that run a real tool (the KFP
//! SDK, pre-commit). Each lives under the target directory, is made once,
//! and is remade when the requirements it was made with change. Nothing is
//! installed outside it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python interpreter of the virtualenv `name`, with `requirements`
/// installed (pip requirement specifiers).
pub fn python(name: &str, requirements: &[&str]) -> Result<PathBuf, String> {
    // the tests of one binary run in parallel: one makes it, the others wait
    static MAKING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let marker = dir.join(".kfr-requirements");
    let wanted = requirements.join("\n");
    let python = dir.join("bin").join("python");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) && python.is_file() {
        return Ok(python);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let base = ["python3", "python"]
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .ok_or("no python3 on PATH to make a virtualenv with")?;
    run(Command::new(base).args(["-m", "venv"]).arg(&dir))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
        .args(requirements))?;
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

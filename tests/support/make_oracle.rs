//! GNU make as a test oracle for the Makefile frontend.
//!
//! `oracle_listing` asks GNU make (4.3 is the reference version) which
//! targets and prerequisites a Makefile defines, and renders the answer in
//! a small canonical text form that the frontend's own listing can be
//! compared against:
//!
//! ```text
//! .PHONY: <phony targets, sorted>
//! <target>: <prereqs in make's order> | <order-only prereqs in make's order>
//! <target>:: <prereqs>
//! ```
//!
//! One line per data-base entry, sorted by target name (byte order); the
//! entries of one double-colon target keep make's (file) order. ` |` is
//! left out when there are no order-only prerequisites, and a target without
//! prerequisites is rendered as `target:`. The `.PHONY:` line is always
//! present, even when it is empty.
//!
//! How the listing is obtained:
//!
//! 1. The Makefile's directory is copied to a fresh temporary directory,
//!    because `make -n` still runs some recipes for real: lines prefixed with
//!    `+`, lines mentioning `$(MAKE)` (neutralised with `MAKE=true`), and the
//!    recipes that remake included makefiles (GNU make remakes makefiles even
//!    under `-n`).
//! 2. Pass 1: `make -pnrR -f <basename> MAKE=true` with an empty environment
//!    apart from `PATH=/usr/bin:/bin` and `LC_ALL=C`. Every target of its
//!    data base becomes a goal of pass 2.
//! 3. Pass 2: `make -pnrRk -f <basename> MAKE=true -- <goals>`. Naming every
//!    target as a goal makes GNU make run implicit-rule search for everything
//!    reachable from any target, not only from the default goal, so the
//!    prerequisites that pattern rules contribute show up in the data base.
//!
//! GNU make 4.3 behaviour this module relies on or works around (observed
//! with `make -p`):
//!
//! * A makefile that is remade causes a re-exec, and both processes print a
//!   data base; only the LAST `# Make data base` block is parsed.
//! * Entries of the `# Files` section are separated by blank lines, but a
//!   recipe line ending in a backslash may be followed by an empty
//!   continuation line, so the parser tracks recipe continuations instead of
//!   splitting blindly on blank lines.
//! * Target-specific variables are printed at the top of their target's
//!   entry, each as a `# <origin> (from ...)` comment followed by a
//!   `target: VAR = value` line, before the rule line itself. A changed
//!   recipe prefix is announced with a `.RECIPEPREFIX = x` line, also before
//!   the rule line.
//! * Target and prerequisite names are printed without any escaping:
//!   `x\ y:` is printed as `x y:`, `a\#b` as `a#b`, `a$$b` as `a$b`, `a\:b`
//!   as `a:b`. The rule line is split at the first `:` (or `::`) that is
//!   followed by a space or by the end of the line, which is right for every
//!   name that does not itself contain `: `. Names containing spaces cannot
//!   be told apart from several names; the listing simply reproduces make's
//!   text.
//! * A leading `./` is removed from target and prerequisite names
//!   (`./e: f` is printed as `e: f`, `.//y` as `y`); `a/../b` is kept as is.
//! * When a target has several rules, the prerequisites of the rule that
//!   carries the recipe come first, followed by those of the recipe-less
//!   rules in file order (`foo: a`, `foo: b c | d`, `foo: e ; cmd`, `foo: g`
//!   is printed as `foo: e a b c g | d`).
//! * Implicit-rule search prepends the pattern rule's prerequisites to the
//!   explicit ones (`foo.o: foo.h` with `%.o: %.c` and an existing `foo.c`
//!   becomes `foo.o: foo.c foo.h`), and a file that an implicit rule was
//!   found for becomes a target (it loses its `# Not a target:` line).
//! * `$(wildcard)` sorts its result in GNU make 4.3 (3.82 to 4.2 did not).
//! * CR before LF is dropped from every makefile line, so a CRLF makefile
//!   yields the same data base as its LF twin.
//! * Entries preceded by `# Not a target:` are skipped, but the phony marker
//!   is still honoured on them: a name declared `.PHONY` without any rule
//!   still appears on the `.PHONY:` line, just as it is a prerequisite of
//!   `.PHONY` for make.
//! * A missing `include` that cannot be remade is reported as
//!   `Makefile:N: name: No such file or directory` and make stops without
//!   building anything; this is treated as a read error.
//! * Goals that cannot be passed on make's command line (names containing
//!   `=`, which would be variable assignments, names starting with `~`, which
//!   would be tilde-expanded, and archive-member syntax `lib(member)`) are
//!   left out of pass 2; such targets are then listed as pass 2 reads them,
//!   without a forced implicit-rule search. Names starting with `-` are
//!   passed after `--`.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// `PATH` given to GNU make; nothing else of the caller's environment leaks.
const ORACLE_PATH: &str = "/usr/bin:/bin";

/// GNU make's special targets; they are not listed.
const SPECIAL_TARGETS: &[&str] = &[
    ".PHONY",
    ".SUFFIXES",
    ".DEFAULT",
    ".PRECIOUS",
    ".INTERMEDIATE",
    ".NOTINTERMEDIATE",
    ".SECONDARY",
    ".SECONDEXPANSION",
    ".DELETE_ON_ERROR",
    ".IGNORE",
    ".LOW_RESOLUTION_TIME",
    ".SILENT",
    ".EXPORT_ALL_VARIABLES",
    ".NOTPARALLEL",
    ".ONESHELL",
    ".POSIX",
    ".WAIT",
];

const PHONY_MARKER: &str = "#  Phony target (prerequisite of .PHONY).";
const NOT_A_TARGET: &str = "# Not a target:";
const RECIPE_MARKER: &str = "#  recipe to execute";
const FILES_START: &str = "# Files";
const FILES_END: &str = "# files hash-table stats:";
const DATA_BASE_START: &str = "# Make data base";

/// Whether `make --version` runs (with the oracle's `PATH`) and reports
/// GNU Make.
pub fn make_available() -> bool {
    make_command(Path::new("."))
        .arg("--version")
        .output()
        .map(|out| out.status.success() && String::from_utf8_lossy(&out.stdout).contains("GNU Make"))
        .unwrap_or(false)
}

/// GNU make's view of the targets and prerequisites of `makefile`, rendered
/// as described in the module documentation.
///
/// Returns `Err` when make cannot be run, when it reports a read error
/// (`Makefile:N: *** ...`, or a missing `include` that cannot be remade), or
/// when its output holds no complete data base. Failed recipes and missing
/// prerequisite files are not errors.
pub fn oracle_listing(makefile: &Path) -> Result<String, String> {
    let file_name = makefile
        .file_name()
        .ok_or_else(|| format!("{}: not a file path", makefile.display()))?;
    let source_dir = match makefile.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !makefile.is_file() {
        return Err(format!("{}: no such file", makefile.display()));
    }

    let scratch = ScratchDir::create()?;
    copy_tree(&source_dir, scratch.path()).map_err(|e| format!("copying {}: {e}", source_dir.display()))?;

    // Pass 1: read the makefile and collect its targets.
    let mut first = make_command(scratch.path());
    // MAKECMDGOALS stays empty, as for a plain `make`, whatever goals are named
    first
        .arg("-pnrR")
        .arg("-f")
        .arg(file_name)
        .arg("MAKE=true")
        .arg("MAKECMDGOALS=");
    let first_db = run_make(first)?;
    let goals: BTreeSet<&str> = first_db
        .iter()
        .filter(|entry| entry.is_target && !is_special(&entry.name))
        .map(|entry| entry.name.as_str())
        .filter(|name| usable_as_goal(name))
        .collect();

    // Pass 2: every target is a goal, so implicit-rule search runs for
    // everything reachable from any of them.
    let mut second = make_command(scratch.path());
    second
        .arg("-pnrRk")
        .arg("-f")
        .arg(file_name)
        .arg("MAKE=true")
        .arg("MAKECMDGOALS=")
        .arg("--")
        .args(&goals);
    let second_db = run_make(second)?;

    Ok(render(&second_db))
}

/// One entry of the `# Files` section of a data base.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    double_colon: bool,
    prereqs: Vec<String>,
    order_only: Vec<String>,
    is_target: bool,
    phony: bool,
}

/// A `make` command with the oracle's environment, run in `dir`.
fn make_command(dir: &Path) -> Command {
    let mut cmd = Command::new("make");
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", ORACLE_PATH)
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    cmd
}

/// Runs one pass and parses its data base.
fn run_make(mut cmd: Command) -> Result<Vec<Entry>, String> {
    let out = cmd.output().map_err(|e| format!("cannot run GNU make: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = read_error(&stderr) {
        return Err(format!("GNU make read error: {line}"));
    }
    parse_data_base(&stdout).map_err(|e| format!("{e}\nGNU make stderr:\n{stderr}"))
}

/// The first stderr line that shows GNU make gave up while reading the
/// makefiles, if any.
fn read_error(stderr: &str) -> Option<&str> {
    stderr.lines().find(|line| {
        let Some((location, message)) = line.split_once(": ") else {
            return false;
        };
        let Some((file, number)) = location.rsplit_once(':') else {
            return false;
        };
        let located = !file.is_empty() && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        located && (message.starts_with("*** ") || message.ends_with(": No such file or directory"))
    })
}

/// Parses the `# Files` section of the last data base printed in `stdout`.
fn parse_data_base(stdout: &str) -> Result<Vec<Entry>, String> {
    let lines: Vec<&str> = stdout.split('\n').collect();
    let start = lines
        .iter()
        .rposition(|line| line.starts_with(DATA_BASE_START))
        .ok_or("GNU make printed no data base")?;
    let files = lines[start..]
        .iter()
        .position(|line| *line == FILES_START)
        .map(|offset| start + offset + 1)
        .ok_or("the data base has no `# Files` section")?;
    parse_files(&lines[files..])
}

/// Where the parser stands inside one entry.
enum State {
    /// Between entries.
    Between,
    /// Before the rule line: `# Not a target:`, `.RECIPEPREFIX = x` and
    /// target-specific variables (an origin comment, then one line, or a
    /// `define` ... `endef` block).
    Header {
        not_a_target: bool,
        variable_next: bool,
        in_define: bool,
    },
    /// After the rule line: comments, then possibly the recipe.
    Body { in_recipe: bool, continued: bool },
}

fn parse_files(lines: &[&str]) -> Result<Vec<Entry>, String> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut state = State::Between;
    for line in lines {
        state = match state {
            State::Between if line.is_empty() => State::Between,
            State::Between if line.starts_with(FILES_END) => return Ok(entries),
            State::Between => header_line(line, false, false, false, &mut entries)?,
            State::Header {
                not_a_target,
                variable_next,
                in_define,
            } => header_line(line, not_a_target, variable_next, in_define, &mut entries)?,
            State::Body { in_recipe, continued } => {
                if continued {
                    State::Body {
                        in_recipe,
                        continued: ends_with_odd_backslashes(line),
                    }
                } else if line.is_empty() {
                    State::Between
                } else if in_recipe {
                    State::Body {
                        in_recipe,
                        continued: ends_with_odd_backslashes(line),
                    }
                } else if line.starts_with(RECIPE_MARKER) {
                    State::Body {
                        in_recipe: true,
                        continued: false,
                    }
                } else {
                    if let Some(entry) = entries.last_mut().filter(|_| *line == PHONY_MARKER) {
                        entry.phony = true;
                    }
                    State::Body {
                        in_recipe: false,
                        continued: false,
                    }
                }
            }
        };
    }
    Err(format!("the data base's `# Files` section has no `{FILES_END}` line"))
}

/// Handles one line of an entry before its rule line.
fn header_line(
    line: &str,
    not_a_target: bool,
    variable_next: bool,
    in_define: bool,
    entries: &mut Vec<Entry>,
) -> Result<State, String> {
    let header = |not_a_target, variable_next, in_define| State::Header {
        not_a_target,
        variable_next,
        in_define,
    };
    if in_define {
        return Ok(header(not_a_target, false, *line != *"endef"));
    }
    if variable_next {
        // `target: VAR = value`, or `target: define VAR` opening a block.
        let opens_define = !line.contains('=') && line.contains(": define ");
        return Ok(header(not_a_target, false, opens_define));
    }
    if line == NOT_A_TARGET {
        return Ok(header(true, false, false));
    }
    if line.starts_with(".RECIPEPREFIX = ") {
        return Ok(header(not_a_target, false, false));
    }
    if line.starts_with('#') {
        // The origin comment of a target-specific variable.
        return Ok(header(not_a_target, true, false));
    }
    let mut entry = parse_rule_line(line)?;
    entry.is_target = !not_a_target;
    entries.push(entry);
    Ok(State::Body {
        in_recipe: false,
        continued: false,
    })
}

/// Splits `name: a b | c` or `name:: a b` as printed by GNU make.
fn parse_rule_line(line: &str) -> Result<Entry, String> {
    let bytes = line.as_bytes();
    let at_boundary = |i: usize| i >= bytes.len() || bytes[i] == b' ';
    let mut separator = None;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b':' || i == 0 {
            continue;
        }
        if at_boundary(i + 1) {
            separator = Some((i, false));
            break;
        }
        if bytes[i + 1] == b':' && at_boundary(i + 2) {
            separator = Some((i, true));
            break;
        }
    }
    let (colon, double_colon) = separator.ok_or_else(|| format!("unexpected line in the data base: {line:?}"))?;
    let rest = &line[colon + if double_colon { 2 } else { 1 }..];
    let mut prereqs = Vec::new();
    let mut order_only = Vec::new();
    let mut seen_bar = false;
    for word in rest.split(' ').filter(|word| !word.is_empty()) {
        if word == "|" && !seen_bar {
            seen_bar = true;
        } else if seen_bar {
            order_only.push(word.to_string());
        } else {
            prereqs.push(word.to_string());
        }
    }
    Ok(Entry {
        name: line[..colon].to_string(),
        double_colon,
        prereqs,
        order_only,
        is_target: true,
        phony: false,
    })
}

fn ends_with_odd_backslashes(line: &str) -> bool {
    line.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

fn is_special(name: &str) -> bool {
    SPECIAL_TARGETS.contains(&name)
}

/// Whether `name` reaches make intact as a command-line goal.
fn usable_as_goal(name: &str) -> bool {
    let assignment = name.contains('=');
    let tilde = name.starts_with('~');
    let archive_member = name.ends_with(')') && name.contains('(');
    !(assignment || tilde || archive_member)
}

/// Renders the listing described in the module documentation.
fn render(entries: &[Entry]) -> String {
    let phony: BTreeSet<&str> = entries
        .iter()
        .filter(|entry| entry.phony && !is_special(&entry.name))
        .map(|entry| entry.name.as_str())
        .collect();
    let mut listed: Vec<&Entry> = entries
        .iter()
        .filter(|entry| entry.is_target && !is_special(&entry.name))
        .collect();
    // Stable: the entries of one double-colon target keep file order.
    listed.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));

    let mut out = String::from(".PHONY:");
    for name in &phony {
        out.push(' ');
        out.push_str(name);
    }
    out.push('\n');
    for entry in listed {
        out.push_str(&entry.name);
        out.push_str(if entry.double_colon { "::" } else { ":" });
        for prereq in &entry.prereqs {
            out.push(' ');
            out.push_str(prereq);
        }
        if !entry.order_only.is_empty() {
            out.push_str(" |");
            for prereq in &entry.order_only {
                out.push(' ');
                out.push_str(prereq);
            }
        }
        out.push('\n');
    }
    out
}

/// A fresh directory under the system temporary directory, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> Result<Self, String> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        loop {
            let name = format!(
                "kfr-make-oracle-{}-{}-{nanos}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            );
            let path = std::env::temp_dir().join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(ScratchDir(path)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("creating {}: {e}", path.display())),
            }
        }
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Copies the contents of `from` into the existing directory `to`.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    for item in fs::read_dir(from)? {
        let item = item?;
        let source = item.path();
        let target = to.join(item.file_name());
        let kind = item.file_type()?;
        if kind.is_dir() {
            fs::create_dir(&target)?;
            copy_tree(&source, &target)?;
        } else if kind.is_symlink() {
            copy_symlink(&source, &target)?;
        } else {
            fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(source: &Path, target: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(source)?, target)
}

#[cfg(not(unix))]
fn copy_symlink(source: &Path, target: &Path) -> io::Result<()> {
    if source.is_dir() {
        fs::create_dir(target)?;
        copy_tree(source, target)
    } else {
        fs::copy(source, target).map(|_| ())
    }
}

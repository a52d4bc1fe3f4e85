//! Python package requirements: deciding whether a requirement pins one
//! exact version, and reading pip requirements files (with nested `-r` and
//! `-c` constraints) so that each requirement keeps its own line.
//!
//! Requirement syntax is parsed with `pep508_rs`; the requirements-file
//! layer (options, continuations, comments) follows pip's documented format.

use crate::dag::Package;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceDb, Span, TextProblem, join_normalized};
use pep508_rs::pep440_rs::Operator;
use pep508_rs::{Requirement as Pep508, VersionOrUrl};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::str::FromStr;

/// One requirement and whether it is pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The distribution name as written.
    pub name: String,
    pub spec: Option<String>,
    pub pinned: bool,
    pub problem: Option<String>,
}

impl Requirement {
    pub fn into_package(self, span: Span, constraints: &Constraints) -> Package {
        let mut p = Package {
            name: self.name,
            spec: self.spec,
            pinned: self.pinned,
            problem: self.problem,
            span,
            installed_at: None,
        };
        if !p.pinned
            && let Some(pin) = constraints.pins.get(&normalize_name(&p.name))
        {
            p.pinned = true;
            p.problem = None;
            p.spec = Some(format!("{} (from constraints)", pin));
        }
        p
    }
}

/// Exact pins given by `-c constraints.txt` files.
#[derive(Debug, Default, Clone)]
pub struct Constraints {
    pins: HashMap<String, String>,
}

/// PEP 503 name normalisation.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.push(c.to_ascii_lowercase());
            last_sep = false;
        }
    }
    out
}

const VCS_PREFIXES: &[&str] = &["git+", "hg+", "svn+", "bzr+"];

fn is_vcs(url: &str) -> bool {
    VCS_PREFIXES.iter().any(|p| url.starts_with(p))
}

fn is_local(text: &str) -> bool {
    text == "."
        || text == ".."
        || text.starts_with("./")
        || text.starts_with("../")
        || text.starts_with('/')
        || text.starts_with('~')
        || text.starts_with("file:")
        || (!text.contains("://") && (text.ends_with(".whl") || text.ends_with(".tar.gz") || text.ends_with(".zip")))
        || (text.contains('/') && !text.contains("://") && !text.contains(" @ ") && !text.contains('@'))
}

/// Classify one requirement as a pip command or a requirements file gives
/// it. None for local paths (a project's own code is not pinned by version)
/// and for text that is not a requirement.
pub fn classify(text: &str, upgrade: bool) -> Option<Requirement> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('-') || is_local(text) {
        return None;
    }
    if is_vcs(text) {
        return Some(vcs(name_from_url(text), text));
    }
    if starts_with_url_scheme(text) {
        return Some(archive(name_from_url(text), text));
    }
    let written_name: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if let Some((name, url)) = text.split_once('@') {
        let url = url.trim();
        if url.contains("://") {
            let name = name.split('[').next().unwrap_or(name).trim().to_string();
            return Some(if is_vcs(url) {
                vcs(name, url)
            } else {
                archive(name, url)
            });
        }
    }
    // a name must start and end with a letter or digit (PEP 508); checked
    // here because pep508_rs 0.9 panics on a trailing `-`, `_` or `.`
    if !written_name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        || !written_name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return None;
    }
    // the same holds for each extra (`pkg[gpu-]` panics there too)
    if let Some(rest) = text[written_name.len()..].trim_start().strip_prefix('[') {
        let extras = rest.split(']').next().unwrap_or(rest);
        let bad = |e: &str| {
            let e: String = e
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            let alnum = |c: char| c.is_ascii_alphanumeric();
            let well_formed = e.starts_with(alnum) && e.ends_with(alnum);
            !e.is_empty() && !well_formed
        };
        if extras.split(',').any(bad) {
            return None;
        }
    }
    let req = Pep508::<pep508_rs::VerbatimUrl>::from_str(text).ok()?;
    let name = if written_name.is_empty() {
        req.name.to_string()
    } else {
        written_name
    };
    match req.version_or_url {
        None => Some(Requirement {
            name,
            spec: None,
            pinned: false,
            problem: Some(if upgrade {
                "`--upgrade` with no version".into()
            } else {
                "no version given".into()
            }),
        }),
        Some(VersionOrUrl::VersionSpecifier(specs)) => {
            let spec = specs.to_string();
            let exact = specs
                .iter()
                .any(|s| matches!(s.operator(), Operator::Equal | Operator::ExactEqual));
            let problem = if exact {
                None
            } else if specs.iter().any(|s| matches!(s.operator(), Operator::EqualStar)) {
                Some(format!("`{spec}` is a wildcard, not one version"))
            } else if spec.is_empty() {
                Some("no version given".into())
            } else {
                Some(format!("`{spec}` allows more than one version"))
            };
            Some(Requirement {
                name,
                spec: (!spec.is_empty()).then_some(spec),
                pinned: exact,
                problem,
            })
        }
        Some(VersionOrUrl::Url(url)) => {
            let u = url.to_string();
            Some(if is_vcs(&u) { vcs(name, &u) } else { archive(name, &u) })
        }
    }
}

/// `scheme://...` at the start (`https://`, `file://`, `s3://`).
fn starts_with_url_scheme(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

fn name_from_url(url: &str) -> String {
    if let Some(egg) = url.split(['#', '&']).find_map(|p| p.strip_prefix("egg=")) {
        return egg.to_string();
    }
    let path = url.split(['#', '?']).next().unwrap_or(url);
    let path = path
        .rsplit_once('@')
        .filter(|(a, _)| a.contains("://"))
        .map(|(a, _)| a)
        .unwrap_or(path);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
    let last = last.trim_end_matches(".git");
    // a wheel or sdist file name starts with the distribution name
    last.split(['-']).next().unwrap_or(last).to_string()
}

/// A VCS requirement is pinned only by a full or abbreviated commit hash.
fn vcs(name: String, url: &str) -> Requirement {
    let path = url.split('#').next().unwrap_or(url);
    let after_scheme = path.split_once("://").map(|(_, r)| r).unwrap_or(path);
    let rev = after_scheme
        .rsplit_once('@')
        .map(|(_, r)| r)
        .filter(|r| !r.contains('/'));
    let is_commit = |r: &str| (7..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_hexdigit());
    let (pinned, problem) = match rev {
        Some(r) if is_commit(r) => (true, None),
        Some(r) => (false, Some(format!("`@{r}` names a branch or tag, not a commit"))),
        None => (false, Some("no revision given".into())),
    };
    Requirement {
        name,
        spec: Some(url.to_string()),
        pinned,
        problem,
    }
}

/// A direct archive URL: pinned when its file name carries a version.
fn archive(name: String, url: &str) -> Requirement {
    let file = url
        .split(['#', '?'])
        .next()
        .unwrap_or(url)
        .rsplit('/')
        .next()
        .unwrap_or("");
    let versioned = file.ends_with(".whl")
        || file
            .split_once('-')
            .is_some_and(|(_, rest)| rest.starts_with(|c: char| c.is_ascii_digit()));
    Requirement {
        name,
        spec: Some(url.to_string()),
        pinned: versioned,
        problem: (!versioned).then(|| "the URL names no fixed version".to_string()),
    }
}

/// One logical line of a requirements file.
#[derive(Debug, PartialEq, Eq)]
enum ReqLine {
    Requirement {
        text: String,
        range: Range<usize>,
        editable: bool,
    },
    Include {
        path: String,
        range: Range<usize>,
        constraint: bool,
    },
    Other,
}

/// Split a requirements file into logical lines (pip's format: `\`
/// continuations, ` #` comments, options).
fn requirement_lines(text: &str) -> Vec<ReqLine> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut logical = String::new();
    let mut start = 0;
    let mut map: Vec<usize> = Vec::new(); // byte in `logical` -> byte in text
    for raw in text.split_inclusive('\n') {
        let line_start = pos;
        pos += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if logical.is_empty() {
            start = line_start;
        }
        if let Some(body) = line.strip_suffix('\\') {
            logical.push_str(body);
            map.extend(line_start..line_start + body.len());
            continue;
        }
        logical.push_str(line);
        map.extend(line_start..line_start + line.len());
        out.push(parse_req_line(&logical, &map, start));
        logical.clear();
        map.clear();
    }
    if !logical.is_empty() {
        out.push(parse_req_line(&logical, &map, start));
    }
    out
}

fn parse_req_line(line: &str, map: &[usize], start: usize) -> ReqLine {
    // comments: `#` at the start or after whitespace
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        if c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])) {
            end = i;
            break;
        }
    }
    let body = &line[..end];
    let lead = body.len() - body.trim_start().len();
    let body_t = body.trim();
    if body_t.is_empty() {
        return ReqLine::Other;
    }
    let src = |a: usize, b: usize| -> Range<usize> {
        let s = map.get(a).copied().unwrap_or(start);
        let e = if b == 0 {
            s
        } else {
            map.get(b - 1).map(|x| x + 1).unwrap_or(s)
        };
        s..e.max(s)
    };
    let option_value = |names: &[&str]| -> Option<(String, usize)> {
        for n in names {
            if let Some(rest) = body_t.strip_prefix(n) {
                let rest_trim = if n.starts_with("--") {
                    rest.strip_prefix('=')
                        .or_else(|| rest.strip_prefix(' '))
                        .or_else(|| rest.strip_prefix('\t'))?
                } else {
                    rest
                };
                let v = rest_trim.trim_start();
                let offset = lead + (body_t.len() - v.len());
                let v = v.split_whitespace().next().unwrap_or("");
                return Some((v.to_string(), offset));
            }
        }
        None
    };
    if let Some((path, off)) = option_value(&["--requirement", "-r"]) {
        return ReqLine::Include {
            range: src(off, off + path.len()),
            path,
            constraint: false,
        };
    }
    if let Some((path, off)) = option_value(&["--constraint", "-c"]) {
        return ReqLine::Include {
            range: src(off, off + path.len()),
            path,
            constraint: true,
        };
    }
    if let Some((v, off)) = option_value(&["--editable", "-e"]) {
        return ReqLine::Requirement {
            range: src(off, off + v.len()),
            text: v,
            editable: true,
        };
    }
    if body_t.starts_with('-') {
        return ReqLine::Other;
    }
    // per-requirement options (`--hash=...`) follow the requirement
    let req_end = body_t
        .find(" --")
        .or_else(|| body_t.find("\t--"))
        .unwrap_or(body_t.len());
    let req = body_t[..req_end].trim_end();
    ReqLine::Requirement {
        text: req.to_string(),
        range: src(lead, lead + req.len()),
        editable: false,
    }
}

#[derive(Debug, Default)]
pub struct ReadRequirements {
    pub packages: Vec<Package>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The note on a step whose requirements file was not read.
pub fn unread_note(name: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        format!("requirements file `{name}` is not here, so its pins cannot be checked")
    } else {
        format!(
            "requirements file `{name}` is not read ({}), so its pins cannot be checked",
            crate::source::why_not_read(e)
        )
    }
}

/// Read a requirements file and the files it includes with `-r`.
pub fn read_requirements(db: &SourceDb, path: &Path, constraints: &Constraints) -> std::io::Result<ReadRequirements> {
    let mut out = ReadRequirements::default();
    let mut seen = HashSet::new();
    let mut constraints = constraints.clone();
    read_into(db, path, &mut constraints, &mut out, &mut seen)?;
    Ok(out)
}

fn read_into(
    db: &SourceDb,
    path: &Path,
    constraints: &mut Constraints,
    out: &mut ReadRequirements,
    seen: &mut HashSet<FileId>,
) -> std::io::Result<()> {
    let file = db.load(path)?;
    if !seen.insert(file.id) {
        return Ok(());
    }
    if matches!(
        file.problem,
        Some(TextProblem::Binary { .. }) | Some(TextProblem::TooLarge { .. })
    ) {
        out.diagnostics.push(Diagnostic::parse_error(
            file.span(0..0),
            "requirements file is not a readable text file",
        ));
        return Ok(());
    }
    let lines = requirement_lines(&file.text);
    // constraints first: they apply to the whole install
    for l in &lines {
        if let ReqLine::Include {
            path: p,
            constraint: true,
            ..
        } = l
        {
            read_constraints(db, &join_normalized(file.dir(), p), constraints);
        }
    }
    for l in lines {
        match l {
            ReqLine::Requirement { text, range, editable } => {
                let span = file.span(range.clone());
                if text.contains("${") {
                    continue;
                }
                match classify(&text, false) {
                    Some(r) => out.packages.push(r.into_package(span, constraints)),
                    None if editable || is_local(&text) => {}
                    None => out.diagnostics.push(
                        Diagnostic::parse_error(span, format!("`{text}` is not a valid requirement"))
                            .with_help("write `name==version` (PEP 508), a URL, or a local path"),
                    ),
                }
            }
            ReqLine::Include {
                path: p,
                range,
                constraint: false,
            } => {
                let nested = join_normalized(file.dir(), &p);
                match read_into(db, &nested, constraints, out, seen) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.diagnostics.push(
                        Diagnostic::parse_error(file.span(range), format!("requirements file `{p}` not found"))
                            .with_help("nested `-r` paths are relative to the file that names them"),
                    ),
                    Err(e) => out.diagnostics.push(Diagnostic::parse_error(
                        file.span(range),
                        format!(
                            "requirements file `{p}` is not read: {}",
                            crate::source::why_not_read(&e)
                        ),
                    )),
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Read exact pins from a constraints file (`-c`).
pub fn read_constraints(db: &SourceDb, path: &Path, constraints: &mut Constraints) {
    let Ok(file) = db.load(path) else { return };
    for l in requirement_lines(&file.text) {
        if let ReqLine::Requirement { text, .. } = l
            && let Some(r) = classify(&text, false)
            && r.pinned
        {
            constraints
                .pins
                .insert(normalize_name(&r.name), r.spec.unwrap_or_default());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned(s: &str) -> Option<bool> {
        classify(s, false).map(|r| r.pinned)
    }

    #[test]
    fn pins_are_exact_versions_or_commits() {
        assert_eq!(pinned("pandas==2.2.3"), Some(true));
        assert_eq!(
            pinned("scikit-learn[alldeps]==1.4.2 ; python_version >= '3.9'"),
            Some(true)
        );
        assert_eq!(pinned("pandas"), Some(false));
        // not a requirement (and no panic inside the PEP 508 parser)
        for bad in [
            "scikit-",
            "scikit-==1.0",
            "pandas_",
            "_x",
            "a.",
            "scik[t-",
            "torch[cu118, gpu_]==2.1",
            "x[.a]",
        ] {
            assert_eq!(pinned(bad), None, "{bad}");
        }
        assert_eq!(pinned("torch[cu118, gpu-x]==2.1.0"), Some(true));
        assert_eq!(pinned("numpy>=1.24"), Some(false));
        assert_eq!(pinned("numpy~=1.24"), Some(false));
        assert_eq!(pinned("numpy==1.*"), Some(false));
        assert_eq!(pinned("torch===2.1.0+cu118"), Some(true));
        assert_eq!(pinned("git+https://github.com/org/repo.git@v1.2#egg=repo"), Some(false));
        assert_eq!(
            pinned("git+https://github.com/org/repo.git@3f2a9c1d#egg=repo"),
            Some(true)
        );
        assert_eq!(pinned("git+https://github.com/org/repo.git"), Some(false));
        assert_eq!(
            pinned("repo @ git+ssh://git@github.com/org/repo.git@0123456789abcdef0123456789abcdef01234567"),
            Some(true)
        );
        assert_eq!(
            pinned("https://example.com/pkgs/tool-1.2.0-py3-none-any.whl"),
            Some(true)
        );
        assert_eq!(pinned("https://github.com/org/repo/archive/main.zip"), Some(false));
        assert_eq!(pinned("httpx"), Some(false));
        assert_eq!(
            classify("httpx", false).unwrap().problem.as_deref(),
            Some("no version given")
        );
        assert_eq!(
            pinned("https://user:token@pkgs.example.com/tool-1.2.0.tar.gz"),
            Some(true)
        );
        assert_eq!(pinned("."), None);
        assert_eq!(pinned("./libs/features"), None);
        assert_eq!(pinned("-r"), None);
    }

    #[test]
    fn names_and_problems() {
        let r = classify("Scikit_Learn>=1.3,<2", false).unwrap();
        assert_eq!(r.name, "Scikit_Learn");
        assert_eq!(r.spec.as_deref(), Some(">=1.3, <2"));
        assert_eq!(r.problem.as_deref(), Some("`>=1.3, <2` allows more than one version"));
        let r = classify("git+https://github.com/org/featurelib.git@main", false).unwrap();
        assert_eq!(r.name, "featurelib");
        assert_eq!(normalize_name("Scikit_Learn.x"), "scikit-learn-x");
    }

    #[test]
    fn requirements_lines() {
        let text = "# deps\npandas==2.2.3 \\\n    --hash=sha256:abc\nnumpy>=1.2  # fast\n-r base.txt\n--constraint=c.txt\n-e git+https://x/y.git#egg=y\n--index-url https://pypi.org/simple\n";
        let lines = requirement_lines(text);
        let reqs: Vec<String> = lines
            .iter()
            .filter_map(|l| match l {
                ReqLine::Requirement { text, range, .. } => Some(format!("{text}@{}", &text_at(text, range))),
                ReqLine::Include { path, constraint, .. } => Some(format!("inc:{path}:{constraint}")),
                ReqLine::Other => None,
            })
            .collect();
        fn text_at(_: &str, r: &Range<usize>) -> String {
            format!("{}..{}", r.start, r.end)
        }
        assert_eq!(
            reqs,
            vec![
                "pandas==2.2.3@7..20",
                "numpy>=1.2@45..55",
                "inc:base.txt:false",
                "inc:c.txt:true",
                "git+https://x/y.git#egg=y@98..123",
            ]
        );
        assert_eq!(&text[45..55], "numpy>=1.2");
        assert_eq!(&text[98..123], "git+https://x/y.git#egg=y");
    }
}

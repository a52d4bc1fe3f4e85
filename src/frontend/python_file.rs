//! What every Python frontend (Airflow, KFP) does before it models its
//! library: check the text (binary, encoding), parse it once, report the
//! syntax error that stops Python from importing it, and set up the
//! interpreter over the file and the repository modules it imports.

use crate::diagnostic::Diagnostic;
use crate::python::{self, Host, Interp, Limits};
use crate::source::{SourceDb, SourceFile, TextProblem};
use tree_sitter::Tree;

/// The library a frontend reads, for the checks and their messages.
pub struct Library {
    /// The top-level module (`airflow`, `kfp`).
    pub module: &'static str,
    /// The file kind in messages ("mentions Airflow").
    pub name: &'static str,
    /// Who imports the file (`Airflow`, `Python`), for the help line.
    pub importer: &'static str,
    /// What a syntax error costs, for the help line.
    pub lost: &'static str,
}

/// Whether the module list names `lib` or a submodule of it.
pub fn imports(modules: &[String], lib: &str) -> bool {
    modules
        .iter()
        .any(|m| m == lib || m.strip_prefix(lib).is_some_and(|r| r.starts_with('.')))
}

/// The parsed file when it imports the library; None when it does not
/// (or cannot be read, with the diagnostics saying why).
pub fn parse(file: &SourceFile, lib: &Library, diags: &mut Vec<Diagnostic>) -> Option<Tree> {
    // PEP 263: a coding declaration in the first two lines makes other
    // encodings valid Python; the text is then read with those bytes replaced
    let declared_encoding = file
        .text
        .lines()
        .take(2)
        .any(|l| l.trim_start().starts_with('#') && (l.contains("coding:") || l.contains("coding=")));
    let problem = match &file.problem {
        Some(TextProblem::InvalidUtf8 { .. }) if declared_encoding => None,
        p => p.as_ref(),
    };
    if let Some(problem) = problem {
        let (span, message) = match problem {
            TextProblem::Binary { offset } => (
                file.span(*offset..*offset + 1),
                format!(
                    "binary data (a NUL byte) in a Python file that mentions {}: it was not read",
                    lib.name
                ),
            ),
            TextProblem::InvalidUtf8 { offset } => (
                file.span(*offset..*offset + 1),
                "this Python file is not valid UTF-8, so Python cannot import it".to_string(),
            ),
            TextProblem::TooLarge { size } => {
                (file.span(0..0), format!("the file is too large to read ({size} bytes)"))
            }
        };
        let mut d = Diagnostic::parse_error(span, message);
        if matches!(problem, TextProblem::InvalidUtf8 { .. }) {
            d = d.with_help(
                "save the file as UTF-8, or declare its encoding on the first line (`# -*- coding: latin-1 -*-`)",
            );
        }
        diags.push(d);
        return None;
    }
    let text: &str = &file.text;
    let tree = python::parse(text)?;
    let modules = python::imported_modules(&tree, text);
    let syntax_error = python::first_syntax_error(&tree, text);
    // a syntax error can swallow the imports into an error node: look at the text
    let mentions_import = || {
        let from = format!("from {}", lib.module);
        let import = format!("import {}", lib.module);
        text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with(&from) || l.starts_with(&import)
        })
    };
    if !(imports(&modules, lib.module) || (syntax_error.is_some() && mentions_import())) {
        return None;
    }
    if let Some((range, message)) = syntax_error {
        diags.push(Diagnostic::parse_error(file.span(range), message).with_help(format!(
            "{} cannot import this file, so {}; fix the syntax error",
            lib.importer, lib.lost
        )));
        return None;
    }
    Some(tree)
}

/// The repository modules a file imports, each parsed over its range of
/// the program text.
pub fn module_trees(program: &python::Program) -> Vec<(usize, Tree)> {
    (1..program.files.len())
        .filter_map(|i| program.parse_module(i).map(|t| (i, t)))
        .collect()
}

/// An interpreter over the file, with its modules importable and data
/// files readable, `__file__` absolute as an importer sets it.
pub fn interpreter<'t, H: Host<'t>>(
    db: &'t SourceDb,
    file: &SourceFile,
    program: &'t python::Program,
    modules: &'t [(usize, Tree)],
    host: H,
) -> Interp<'t, H> {
    let absolute = |f: &SourceFile| {
        std::fs::canonicalize(&f.path)
            .unwrap_or_else(|_| f.path.clone())
            .display()
            .to_string()
    };
    let mut it = Interp::new(&program.text, absolute(file), host, Limits::default());
    for (name, index) in &program.modules {
        if let Some((_, t)) = modules.iter().find(|(i, _)| i == index) {
            it.add_module(name, t.root_node(), absolute(&program.files[*index].1));
        }
    }
    // data files the file reads at import time (a YAML config of its tasks)
    it.reader = Some(Box::new(|path: &str| {
        let f = db.load(std::path::Path::new(path)).ok()?;
        f.problem.is_none().then(|| f.text.clone())
    }));
    it
}

/// The warning for a file whose evaluation ran out of budget: what was read
/// from it (`what`: "pipelines", "DAGs") may be incomplete.
pub fn exhausted(program: &python::Program, what: &str) -> Diagnostic {
    Diagnostic::parse_error(
        program.span(0..0),
        format!("this file is too complex to evaluate statically: the {what} read from it may be incomplete"),
    )
    .with_severity(crate::diagnostic::Severity::Warning)
}

//! What every Python frontend (Airflow, KFP) does before it models its
//! library: check the text (binary, encoding), parse it once, report the
//! syntax error that stops Python from importing it, and set up the
//! interpreter over the file and the repository modules it imports.

use crate::diagnostic::Diagnostic;
use crate::python::{self, Host, Interp, Limits};
use crate::source::{SourceDb, SourceFile, TextProblem};
use std::sync::Arc;
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

/// A Python file parsed once for every frontend that reads it, with the
/// repository modules it imports.
pub struct Parsed {
    pub tree: Tree,
    pub program: python::Program,
    /// The repository modules, each parsed over its range of the program text.
    pub modules: Vec<(usize, Tree)>,
    /// For each library asked about, whether the file imports it.
    pub imports: Vec<bool>,
}

/// Read a Python file for the libraries in `libs`: the text checked and
/// the file parsed once, whichever of them it imports. None when it imports
/// none of them, or cannot be read (the diagnostics say why, once for all).
pub fn parse(db: &SourceDb, file: &Arc<SourceFile>, libs: &[&Library], diags: &mut Vec<Diagnostic>) -> Option<Parsed> {
    let text: &str = &file.text;
    // the cheap test before parsing: the file names the library
    let mentioned: Vec<&Library> = libs.iter().copied().filter(|l| text.contains(l.module)).collect();
    if mentioned.is_empty() {
        return None;
    }
    // PEP 263: a coding declaration in the first two lines makes other
    // encodings valid Python; the text is then read with those bytes replaced
    let declared_encoding = text
        .lines()
        .take(2)
        .any(|l| l.trim_start().starts_with('#') && (l.contains("coding:") || l.contains("coding=")));
    let problem = match &file.problem {
        Some(TextProblem::InvalidUtf8 { .. }) if declared_encoding => None,
        p => p.as_ref(),
    };
    if let Some(problem) = problem {
        let names: Vec<&str> = mentioned.iter().map(|l| l.name).collect();
        let what = format!("a Python file that mentions {}", names.join(" and "));
        diags.extend(super::unreadable(file, problem, &what).or_else(|| {
            let TextProblem::InvalidUtf8 { offset } = problem else {
                return None;
            };
            Some(
                Diagnostic::parse_error(
                    crate::frontend::char_span(file, *offset),
                    "this Python file is not valid UTF-8, so Python cannot import it",
                )
                .with_help(
                    "save the file as UTF-8, or declare its encoding on the first line (`# -*- coding: latin-1 -*-`)",
                ),
            )
        }));
        return None;
    }
    let tree = python::parse(text)?;
    let modules = python::imported_modules(&tree, text);
    let imported: Vec<bool> = libs.iter().map(|l| imports(&modules, l.module)).collect();
    if let Some((range, message)) = python::first_syntax_error(&tree, text) {
        // a syntax error can swallow the imports into an error node: look at the text
        let mentions_import = |lib: &Library| {
            let from = format!("from {}", lib.module);
            let import = format!("import {}", lib.module);
            text.lines().any(|l| {
                let l = l.trim_start();
                l.starts_with(&from) || l.starts_with(&import)
            })
        };
        let lost: Vec<String> = libs
            .iter()
            .zip(&imported)
            .filter(|(l, i)| **i || mentions_import(l))
            .map(|(l, _)| format!("{} cannot import this file, so {}", l.importer, l.lost))
            .collect();
        if !lost.is_empty() {
            diags.push(
                Diagnostic::parse_error(file.span(range), message)
                    .with_help(format!("{}; fix the syntax error", lost.join("; "))),
            );
        }
        return None;
    }
    if !imported.contains(&true) {
        return None;
    }
    // the repository modules it imports, laid out after it in one text
    let program = python::Program::build(db, file, &tree);
    let modules = module_trees(&program);
    Some(Parsed {
        tree,
        program,
        modules,
        imports: imported,
    })
}

/// The repository modules a file imports, each parsed over its range of
/// the program text.
fn module_trees(program: &python::Program) -> Vec<(usize, Tree)> {
    (1..program.files.len())
        .filter_map(|i| program.parse_module(i).map(|t| (i, t)))
        .collect()
}

/// An interpreter over the file, with its modules importable and data
/// files readable, `__file__` absolute as an importer sets it.
pub fn interpreter<'t, H: Host<'t>>(db: &'t SourceDb, file: &SourceFile, parsed: &'t Parsed, host: H) -> Interp<'t, H> {
    let (program, modules) = (&parsed.program, &parsed.modules);
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

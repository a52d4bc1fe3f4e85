//! Static evaluation of Python pipeline files. The file is parsed with
//! tree-sitter-python and its module body is *evaluated* by a small
//! interpreter that knows literals, names, containers, f-strings, loops over
//! known values, user functions and the few standard-library calls pipeline
//! files use to build ids (`os.path.basename(__file__)`, `str.replace`,
//! `Path(__file__).stem`). Nothing is imported and no user code runs: a call
//! into an imported library is handed to a [`Host`] (the Airflow or KFP
//! frontend), which decides what it builds, and anything else the
//! interpreter cannot know is [`Value::Unknown`].
//!
//! Evaluation is bounded: a fuel budget, a call-depth limit and a cap on
//! loop lengths keep hostile or huge files from running away.

mod eval;
pub mod modules;
mod value;

pub use eval::clip as clip_text;
pub use eval::{Args, Flow, Host, Interp, Limits, Note, Reader, dedent, first_expr, json_string};
pub use modules::Program;
pub use value::{Class, Dict, Func, Instance, Str, Value};

use tree_sitter::{Node, Tree};

/// Parse Python source.
pub fn parse(text: &str) -> Option<Tree> {
    crate::syntax::parse("python", || tree_sitter_python::LANGUAGE.into(), text)
}

/// CPython's parser refuses brackets nested deeper than this
/// ("too many nested parentheses").
pub const MAX_BRACKET_DEPTH: usize = 200;

/// The first opening bracket (`(`, `[`, `{`) nested deeper than
/// [`MAX_BRACKET_DEPTH`]: its byte range. The tree is walked with a
/// cursor, not recursively.
pub fn too_deep_bracket(tree: &Tree) -> Option<std::ops::Range<usize>> {
    let mut cursor = tree.walk();
    let mut open = 0usize;
    loop {
        let node = cursor.node();
        if node.child_count() == 0 {
            match node.kind() {
                "(" | "[" | "{" => {
                    open += 1;
                    if open > MAX_BRACKET_DEPTH {
                        return Some(node.byte_range());
                    }
                }
                ")" | "]" | "}" => open = open.saturating_sub(1),
                _ => {}
            }
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The first syntax error in a tree: its byte range and a message.
pub fn first_syntax_error(tree: &Tree, text: &str) -> Option<(std::ops::Range<usize>, String)> {
    let root = tree.root_node();
    if !root.has_error() {
        return misplaced_await(root, text);
    }
    let mut cursor = root.walk();
    let mut stack = vec![root];
    let mut best: Option<Node> = None;
    while let Some(n) = stack.pop() {
        if !n.has_error() {
            continue;
        }
        if n.is_missing() || (n.is_error() && !n.children(&mut n.walk()).any(|c| c.has_error())) {
            // the innermost error nodes are nearest to the real mistake;
            // a top-level ERROR often wraps everything before it
            let size = |x: Node| x.end_byte() - x.start_byte();
            if best.is_none_or(|b| (size(n), n.start_byte()) < (size(b), b.start_byte())) {
                best = Some(n);
            }
            continue;
        }
        for c in n.children(&mut cursor) {
            stack.push(c);
        }
    }
    if let Some((at, message)) = bracket_problem(text) {
        return Some((at..at + 1, message));
    }
    let n = best?;
    let range = n.start_byte()..n.end_byte().max(n.start_byte());
    let message = if n.is_missing() {
        format!("Python syntax error: `{}` expected here", n.kind())
    } else {
        let snippet: String = text[range.clone()].chars().take(40).collect();
        let snippet = snippet.lines().next().unwrap_or("").trim().to_string();
        if snippet.is_empty() {
            "Python syntax error".to_string()
        } else {
            format!("Python syntax error at `{snippet}`")
        }
    };
    // point at the first line of the error only
    let end = text[range.clone()].find('\n').map_or(range.end, |i| range.start + i);
    Some((range.start..end.max(range.start), message))
}

/// An `await`, `async with` or `async for` outside an `async def`, which
/// CPython refuses to compile (the grammar accepts them anywhere).
fn misplaced_await(root: Node, text: &str) -> Option<(std::ops::Range<usize>, String)> {
    let is_async = |n: Node| text[n.byte_range()].trim_start().starts_with("async");
    // (node, inside a function, inside an async function)
    let mut stack = vec![(root, false, false)];
    while let Some((n, in_function, in_async)) = stack.pop() {
        let (in_function, in_async) = match n.kind() {
            "function_definition" => (true, is_async(n)),
            "lambda" => (true, false),
            _ => (in_function, in_async),
        };
        let what = match n.kind() {
            "with_statement" if is_async(n) => Some("'async with' outside async function"),
            "for_statement" if is_async(n) => Some("'async for' outside async function"),
            "await" if in_function => Some("'await' outside async function"),
            "await" => Some("'await' outside function"),
            _ => None,
        };
        if let Some(what) = what
            && !in_async
        {
            return Some((
                n.start_byte()..n.start_byte() + 5,
                format!("Python syntax error: {what}"),
            ));
        }
        let mut cursor = n.walk();
        let kids: Vec<Node> = n.named_children(&mut cursor).collect();
        stack.extend(kids.into_iter().rev().map(|k| (k, in_function, in_async)));
    }
    None
}

/// An opening bracket that is never closed, or a closing one that matches
/// nothing, as CPython reports them (strings and comments skipped).
fn bracket_problem(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'\'' | b'"') => {
                let triple = i + 2 < b.len() && b[i + 1] == q && b[i + 2] == q;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    // a backslash escapes the next byte, in raw strings too
                    if b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if triple {
                        if b[i] == q && i + 2 < b.len() && b[i + 1] == q && b[i + 2] == q {
                            i += 2;
                            break;
                        }
                    } else if b[i] == q || b[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            c @ (b'(' | b'[' | b'{') => stack.push((c, i)),
            c @ (b')' | b']' | b'}') => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                match stack.pop() {
                    Some((o, _)) if o == open => {}
                    Some((o, at)) => {
                        return Some((
                            at,
                            format!("Python syntax error: `{}` is closed by `{}`", o as char, c as char),
                        ));
                    }
                    None => return Some((i, format!("Python syntax error: unmatched `{}`", c as char))),
                }
            }
            _ => {}
        }
        i += 1;
    }
    stack
        .first()
        .map(|&(c, at)| (at, format!("Python syntax error: `{}` was never closed", c as char)))
}

/// The modules a file imports, with the number of leading dots of a
/// relative import (`from .common import x` gives `("common", 1)`).
pub fn imported_module_levels(tree: &Tree, text: &str) -> Vec<(String, usize)> {
    imported_modules(tree, text)
        .into_iter()
        .map(|m| {
            let level = m.len() - m.trim_start_matches('.').len();
            (m.trim_start_matches('.').to_string(), level)
        })
        .collect()
}

/// The modules a file imports from (`from airflow.sdk import dag` gives
/// `airflow.sdk`; `import airflow.providers.x as y` gives
/// `airflow.providers.x`), top-level and inside `try`/`if` blocks.
pub fn imported_modules(tree: &Tree, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    let mut cursor = tree.walk();
    while let Some(n) = stack.pop() {
        match n.kind() {
            "import_from_statement" => {
                if let Some(m) = n.child_by_field_name("module_name") {
                    out.push(text[m.byte_range()].to_string());
                }
            }
            "import_statement" => {
                for c in n.children_by_field_name("name", &mut n.walk()) {
                    let name = if c.kind() == "aliased_import" {
                        c.child_by_field_name("name").unwrap_or(c)
                    } else {
                        c
                    };
                    out.push(text[name.byte_range()].to_string());
                }
            }
            "module" | "block" | "if_statement" | "else_clause" | "elif_clause" | "try_statement" | "except_clause"
            | "finally_clause" => {
                for c in n.children(&mut cursor) {
                    stack.push(c);
                }
            }
            _ => {}
        }
    }
    out
}

/// What a function body returns, when it is a literal path:
/// `return "/data/features.parquet"` or a name assigned one in the body.
pub fn returned_path(src: &str, body: Node) -> Option<String> {
    let mut assigned: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut stack = vec![body];
    let mut found = None;
    while let Some(n) = stack.pop() {
        match n.kind() {
            "function_definition" | "class_definition" | "lambda" => continue,
            "assignment" => {
                if let (Some(l), Some(r)) = (n.child_by_field_name("left"), n.child_by_field_name("right"))
                    && l.kind() == "identifier"
                    && let Some(s) = literal_string(src, r)
                {
                    assigned.insert(src[l.byte_range()].to_string(), s);
                }
            }
            "return_statement" => {
                if let Some(e) = first_expr(n) {
                    let s = match e.kind() {
                        "identifier" => assigned.get(&src[e.byte_range()]).cloned(),
                        _ => literal_string(src, e),
                    };
                    if let Some(s) = s
                        && crate::dag::looks_like_path(&s)
                    {
                        found = Some(s);
                    }
                }
            }
            _ => {}
        }
        let mut cursor = n.walk();
        let kids: Vec<Node> = n.named_children(&mut cursor).collect();
        stack.extend(kids.into_iter().rev());
    }
    found
}

/// The text of a plain string literal or f-string (interpolations kept as
/// `{expr}`).
pub fn literal_string(src: &str, n: Node) -> Option<String> {
    if n.kind() != "string" {
        return None;
    }
    let mut cursor = n.walk();
    let kids: Vec<Node> = n.children(&mut cursor).collect();
    let (start, end) = (kids.first()?, kids.last()?);
    let body = src.get(start.end_byte()..end.start_byte())?;
    Some(body.to_string())
}

/// A docstring as `inspect.cleandoc` cleans it: the first line stripped,
/// the others dedented by their common indentation, blank lines at both
/// ends removed.
pub fn cleandoc(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.push(l.trim().to_string());
        } else {
            out.push(l.get(indent..).unwrap_or(l.trim_start()).trim_end().to_string());
        }
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests;

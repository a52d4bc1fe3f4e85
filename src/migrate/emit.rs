//! YAML text for the emitted IR, in the layout the KFP SDK writes (keys
//! sorted, block style, lists at their key's indentation) and readable by
//! both YAML 1.1 (PyYAML, which the SDK loads with) and YAML 1.2 readers.
//!
//! A generic YAML 1.2 writer leaves `yes`, `on`, `2024-01-01` or `1:30`
//! unquoted; PyYAML reads those as a boolean, a date and a number, and a
//! string parameter's default would change type. Here a string is plain
//! only when both readers take it as that string, else quoted; multi-line
//! strings (scripts) are literal blocks, so they stay readable.

use serde_json::Value;
use std::fmt::Write;

/// The document as YAML (ending with a newline).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => list(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn map(out: &mut String, m: &serde_json::Map<String, Value>, at: usize) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        out.push_str(&string(k, at, true));
        out.push(':');
        value_after(out, v, at, at + 2);
    }
}

fn list(out: &mut String, a: &[Value], at: usize) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                map(out, m, at + 2);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                list(out, inner, at + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, at + 2));
                out.push('\n');
            }
        }
    }
}

/// What follows `key:`: a nested block on the next lines, or a scalar.
fn value_after(out: &mut String, v: &Value, at: usize, inner: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, inner);
            map(out, m, inner);
        }
        // lists sit at their key's indentation, as PyYAML writes them
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, at);
            list(out, a, at);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, inner));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value, at: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => {
            let t = n.to_string();
            // a float stays a float (`2.0`, not `2`)
            if n.is_f64() && !t.contains(['.', 'e', 'E', 'i', 'N']) {
                format!("{t}.0")
            } else {
                t
            }
        }
        Value::String(s) => string(s, at, false),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Words a YAML 1.1 reader resolves to something other than a string.
fn special_word(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "y" | "n"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "true"
            | "false"
            | "null"
            | "~"
            | ".inf"
            | "+.inf"
            | "-.inf"
            | ".nan"
            | "<<"
            | "="
    )
}

/// Text a YAML 1.1 or 1.2 reader could take as a number, a date or a
/// time: digits with `.`, `-`, `+`, `:`, `_`, `e` or `x` and nothing
/// else beginning with a digit, a sign or a dot.
fn number_like(s: &str) -> bool {
    // `0.0.1`: a version, a string in both YAML versions
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    (first.is_ascii_digit() || matches!(first, '-' | '+' | '.'))
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    '.' | '-' | '+' | ':' | '_' | 'x' | 'X' | 'o' | 'O' | 'T' | 't' | 'Z' | 'z' | ' '
                )
        })
}

fn plain_ok(s: &str, key: bool) -> bool {
    let Some(first) = s.chars().next() else { return false };
    let last = s.chars().last().unwrap_or(' ');
    // `-`, `?` and `:` may start a plain scalar when a non-space follows
    // (`-ec`, `--executor_input`)
    let second = s.chars().nth(1);
    let dash_ok = "-?:".contains(first) && second.is_some_and(|c| c != ' ' && c != '-' || s.len() > 2);
    !special_word(s)
        && !number_like(s)
        && (dash_ok || !"-?:,[]{}#&*!|>'\"%@`".contains(first))
        && s != "-"
        && !s.starts_with("- ")
        && !s.starts_with("---")
        && first != ' '
        && last != ' '
        && last != ':'
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains('\t')
        && s.chars().all(|c| !c.is_control())
        && !(key && s.len() > 128)
}

fn string(s: &str, at: usize, key: bool) -> String {
    if plain_ok(s, key) {
        return s.to_string();
    }
    let printable = s.chars().all(|c| !c.is_control() || c == '\n' || c == '\t');
    if !key && s.contains('\n') && printable && !s.contains('\r') {
        return literal_block(s, at);
    }
    if !s.contains('\n') && s.chars().all(|c| !c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    double_quoted(s)
}

/// A literal block (`|`), its chomping from the trailing newlines and an
/// indentation indicator when the first line starts with a space.
fn literal_block(s: &str, at: usize) -> String {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let first = body.split('\n').next().unwrap_or("");
    let indicator = if first.starts_with(' ') || first.is_empty() {
        "2"
    } else {
        ""
    };
    let mut out = format!("|{indicator}{chomp}\n");
    let lines: Vec<&str> = s.split('\n').collect();
    // the text after the last newline is empty: it ends the block
    let count = if s.ends_with('\n') {
        lines.len() - 1
    } else {
        lines.len()
    };
    for (i, line) in lines.iter().take(count).enumerate() {
        if !line.is_empty() {
            indent(&mut out, at);
            out.push_str(line);
        }
        if i + 1 < count {
            out.push('\n');
        }
    }
    out
}

/// `s` double-quoted, escaped the same way for YAML and Python.
pub(super) fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(v: &Value) {
        let text = to_yaml(v);
        let back: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(&back, v, "{text}");
    }

    #[test]
    fn yaml_1_1_words_are_quoted() {
        for s in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "true",
            "null",
            "~",
            "2024-01-01",
            "1:30",
            "0x1f",
            "1e3",
            "007",
            ".5",
            "-1",
            "+2",
        ] {
            let text = to_yaml(&json!({ "v": s }));
            assert!(text.contains(&format!("v: '{s}'")), "{s}: {text}");
            round_trip(&json!({ "v": s }));
        }
        assert_eq!(to_yaml(&json!({"v": "python:3.11-slim"})), "v: python:3.11-slim\n");
        assert_eq!(
            to_yaml(&json!({"v": ["-ec", "--executor_input", "0.0.1"]})),
            "v:\n- -ec\n- --executor_input\n- 0.0.1\n"
        );
        for s in ["-", "- x", "---", "--", "-1", ":x:", "?"] {
            round_trip(&json!({ "v": s }));
        }
        assert_eq!(
            to_yaml(&json!({"v": "{{$.inputs.parameters['x']}}"})),
            "v: '{{$.inputs.parameters[''x'']}}'\n"
        );
    }

    #[test]
    fn layout_is_the_sdks() {
        let v = json!({"b": {"c": [1, {"d": 2.0, "e": []}], "f": {}}, "a": "x"});
        assert_eq!(to_yaml(&v), "a: x\nb:\n  c:\n  - 1\n  - d: 2.0\n    e: []\n  f: {}\n");
        round_trip(&v);
    }

    #[test]
    fn scripts_are_literal_blocks() {
        for s in [
            "mkdir -p \"$(dirname \"$1\")\"\npython3 x.py --out \"$1\"",
            "a\nb\n",
            "a\n\n\n",
            "\nif true; then\n    echo x\nfi\n",
            "  leading\n\tx",
            "tab\tin\nline  \n",
        ] {
            round_trip(&json!({ "command": [s, "x"] }));
            round_trip(&json!({ "k": s }));
        }
        assert!(to_yaml(&json!({"k": "a\nb"})).starts_with("k: |-\n  a\n  b"));
    }

    #[test]
    fn control_characters_are_escaped() {
        round_trip(&json!({"k": "bell\u{7}\r\nx", "ü": "résumé"}));
    }
}

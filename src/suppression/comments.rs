//! Where the comments of a file are, per language: a small lexer for each
//! syntax kfr reads, enough to tell a comment from a string or a value
//! that merely contains `#` or `//`. Each returns the byte ranges of the
//! comments, marker included, in file order; a line comment's range ends
//! before the line terminator (and before a `\r` of CRLF).
//!
//! When a lexer cannot tell (an unclosed string, a slashy string it may
//! have misread), it prefers to miss a comment over taking string text for
//! one: a missed suppression shows the finding, a false one hides it.

use crate::frontend::mapped::Mapped;
use std::ops::Range;

/// The comment syntax of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Python, by the tree-sitter grammar.
    Python,
    /// GNU make: `#` outside `$(...)`, not escaped, not in `define`;
    /// recipe lines are shell.
    Make,
    /// A crontab: `#` lines, and shell comments in a job's command.
    Crontab,
    /// Groovy (Jenkinsfiles): `//` and `/* */`, outside strings.
    Groovy,
    /// XML: `<!-- -->`, and comments in the Groovy of `<script>` and the
    /// shell of `<command>` elements (Jenkins job configurations).
    Xml,
    /// YAML: `#` after whitespace, outside quoted and block scalars.
    Yaml,
    /// A shell script.
    Shell,
    /// Any other text (requirements and constraints files): `#` at the
    /// start of a line or after whitespace, as pip reads it.
    Hash,
}

pub fn comments(text: &str, syntax: Syntax) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    match syntax {
        Syntax::Python => python(text, &mut out),
        Syntax::Make => make(text, &mut out),
        Syntax::Crontab => crontab(text, &mut out),
        Syntax::Groovy => groovy(text, &mut out),
        Syntax::Xml => xml(text, &mut out),
        Syntax::Yaml => yaml(text, &mut out),
        Syntax::Shell => shell(text, 0..text.len(), false, &mut out),
        Syntax::Hash => hash(text, &mut out),
    }
    out
}

/// Byte ranges of the lines of `text`, without their terminators.
fn lines(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |l| {
        let s = start;
        start += l.len();
        let body = l.strip_suffix('\n').unwrap_or(l);
        let body = body.strip_suffix('\r').unwrap_or(body);
        s..s + body.len()
    })
}

/// End of the line that `i` is on, before its terminator.
fn line_end(text: &str, i: usize) -> usize {
    let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
    if end > i && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

fn python(text: &str, out: &mut Vec<Range<usize>>) {
    let Some(tree) = crate::syntax::parse("python", || tree_sitter_python::LANGUAGE.into(), text) else {
        return;
    };
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            let r = node.byte_range();
            let end = if text[r.clone()].ends_with('\r') {
                r.end - 1
            } else {
                r.end
            };
            out.push(r.start..end);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}

fn hash(text: &str, out: &mut Vec<Range<usize>>) {
    for line in lines(text) {
        let b = &text.as_bytes()[line.clone()];
        if let Some(i) = (0..b.len()).find(|&i| b[i] == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t')) {
            out.push(line.start + i..line.end);
        }
    }
}

/// Shell comments in `range` of `text`: a `#` that begins a word, outside
/// quotes. With `cron`, an unescaped `%` ends the command (cron turns it
/// into a newline and feeds the rest to the command's input).
fn shell(text: &str, range: Range<usize>, cron: bool, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = range.start;
    let mut quote: Option<u8> = None;
    while i < range.end {
        let c = b[i];
        match quote {
            Some(q) => {
                if cron && c == b'%' {
                    return;
                }
                if c == q {
                    quote = None;
                } else if c == b'\\' && q == b'"' {
                    i += 1;
                }
            }
            None => match c {
                b'\\' => i += 1,
                b'\'' | b'"' => quote = Some(c),
                b'%' if cron => return,
                b'#' if i == range.start
                    || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')') =>
                {
                    let end = line_end(text, i).min(range.end);
                    out.push(i..end);
                    i = end;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
}

fn make(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut define_depth = 0usize;
    // the previous line ended in a backslash: this one continues it
    let mut continues = false;
    let mut continued_recipe = false;
    let mut continued_comment = false;
    for line in lines(text) {
        let s = &text[line.clone()];
        let ends_in_backslash = s.bytes().rev().take_while(|&c| c == b'\\').count() % 2 == 1;
        let was_continued = continues;
        continues = ends_in_backslash;
        if was_continued && continued_comment {
            out.push(line.clone());
            continued_comment = ends_in_backslash;
            continue;
        }
        continued_comment = false;
        if define_depth > 0 {
            match directive_word(s) {
                Some("endef") => define_depth -= 1,
                Some("define") => define_depth += 1,
                _ => {}
            }
            continue;
        }
        let recipe = if was_continued {
            continued_recipe
        } else {
            s.starts_with('\t')
        };
        continued_recipe = recipe;
        if recipe {
            shell(text, line.clone(), false, out);
            continue;
        }
        let mut depth = 0usize;
        let mut i = line.start;
        let mut comment = None;
        while i < line.end {
            match b[i] {
                b'\\' => i += 1,
                b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                    depth += 1;
                    i += 1;
                }
                b'$' => i += 1,
                b'(' | b'{' if depth > 0 => depth += 1,
                b')' | b'}' if depth > 0 => depth -= 1,
                b'#' if depth == 0 => {
                    comment = Some(i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        if let Some(c) = comment {
            out.push(c..line.end);
            continued_comment = ends_in_backslash;
        }
        if directive_word(&text[line.start..comment.unwrap_or(line.end)]) == Some("define") {
            define_depth += 1;
        }
    }
}

/// `define` or `endef` when a makefile line is that directive (with its
/// `override`, `export` or `private` prefixes).
fn directive_word(line: &str) -> Option<&'static str> {
    let mut words = line.split_whitespace();
    let mut w = words.next()?;
    while matches!(w, "override" | "export" | "private") {
        w = words.next()?;
    }
    match w {
        "define" => Some("define"),
        "endef" => Some("endef"),
        _ => None,
    }
}

fn crontab(text: &str, out: &mut Vec<Range<usize>>) {
    for line in lines(text) {
        let s = &text[line.clone()];
        let lead = s.len() - s.trim_start().len();
        match s.as_bytes().get(lead) {
            Some(b'#') => out.push(line.start + lead..line.end),
            // a job (`*/5 ...`, `@daily ...`): the command is shell; an
            // environment line (`NAME=value # x`) keeps its `#` in the value
            Some(c) if c.is_ascii_digit() || *c == b'*' || *c == b'@' => shell(text, line, true, out),
            _ => {}
        }
    }
}

/// Groovy's comments, from the Jenkinsfile lexer itself: what it skips
/// as a comment is what a suppression may be written in.
fn groovy(text: &str, out: &mut Vec<Range<usize>>) {
    out.extend(crate::frontend::jenkins::groovy::comments(text));
}

fn yaml(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    // inside a block scalar (`key: |`) whose owner is at this column
    let mut block: Option<usize> = None;
    // inside a quoted scalar that spans lines
    let mut quote: Option<u8> = None;
    for line in lines(text) {
        let s = &text[line.clone()];
        let indent = s.len() - s.trim_start_matches(' ').len();
        if let Some(owner) = block {
            if s.trim().is_empty() || indent > owner {
                continue;
            }
            block = None;
        }
        let mut i = line.start;
        let mut prev: Option<u8> = None; // last non-blank byte outside quotes
        let mut content_end = line.start;
        while i < line.end {
            let c = b[i];
            if let Some(q) = quote {
                if c == q {
                    if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                    prev = Some(c);
                    content_end = i + 1;
                } else if c == b'\\' && q == b'"' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            match c {
                b'#' if i == line.start || matches!(b[i - 1], b' ' | b'\t') => {
                    out.push(i..line.end);
                    break;
                }
                b'"' | b'\'' if matches!(prev, None | Some(b':' | b'-' | b'[' | b'{' | b',' | b'?')) => {
                    quote = Some(c);
                }
                b' ' | b'\t' => {}
                _ => {
                    prev = Some(c);
                    content_end = i + 1;
                }
            }
            i += 1;
        }
        if quote.is_none() && is_block_indicator(&text[line.start..content_end]) {
            // the owner: the key's column, past any `- ` sequence marks
            let mut owner = indent;
            let rest = s.as_bytes();
            while rest.get(owner) == Some(&b'-') && matches!(rest.get(owner + 1), Some(b' ')) {
                owner += 2;
                while rest.get(owner) == Some(&b' ') {
                    owner += 1;
                }
            }
            block = Some(if rest.get(owner) == Some(&b'|') || rest.get(owner) == Some(&b'>') {
                indent
            } else {
                owner
            });
        }
    }
}

/// The line's content ends with a block scalar header (`|`, `>-`, `|2+`).
fn is_block_indicator(content: &str) -> bool {
    let t = content.trim_end();
    let head = t.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    let Some(before) = head.strip_suffix(['|', '>']) else {
        return false;
    };
    before.is_empty() || before.ends_with([' ', '\t', ':', '-'])
}

/// The elements whose text Jenkins runs: the pipeline script and the
/// shell build step's command.
fn embedded(name: &str) -> Option<Syntax> {
    match name {
        "script" => Some(Syntax::Groovy),
        "command" => Some(Syntax::Shell),
        _ => None,
    }
}

fn xml(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    // the innermost element, if its text is a script, and that text so far
    let mut open: Vec<&str> = Vec::new();
    let mut script: Option<Mapped> = None;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if let Some(m) = &mut script
            && i > text_start
        {
            crate::frontend::jenkins::xml::push_text(m, &text[text_start..i], text_start);
        }
        let rest = &text[i..];
        if let Some(body) = rest.strip_prefix("<!--") {
            let end = body.find("-->").map_or(b.len(), |e| i + 4 + e + 3);
            out.push(i..end);
            i = end;
        } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let inner = i + 9;
            let end = body.find("]]>").map_or(b.len(), |e| inner + e);
            if let Some(m) = &mut script {
                m.push_verbatim(&text[inner..end], inner);
            }
            i = (end + 3).min(b.len());
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            i = rest.find('>').map_or(b.len(), |e| i + e + 1);
        } else {
            let end = tag_end(text, i);
            // without its `>`; a tag cut off by the end of the file has none
            let close = if end > i + 1 && b[end - 1] == b'>' {
                end - 1
            } else {
                end
            };
            let tag = &text[i + 1..close];
            if let Some(name) = tag.strip_prefix('/') {
                let name = name.trim();
                if let Some(pos) = open.iter().rposition(|n| *n == name) {
                    open.truncate(pos);
                }
                if let Some(m) = script.take() {
                    let syntax = embedded(name).unwrap_or(Syntax::Hash);
                    embedded_comments(&m, syntax, out);
                }
            } else {
                let name_end = tag
                    .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                    .unwrap_or(tag.len());
                let name = &tag[..name_end];
                if !tag.ends_with('/') {
                    open.push(name);
                    script = embedded(name).map(|_| Mapped::new(end));
                }
            }
            i = end;
        }
        text_start = i;
    }
}

/// After the `<` at `start`: the index after its `>`, quotes respected.
fn tag_end(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = start + 1;
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'>') => return i + 1,
            (None, c @ (b'"' | b'\'')) => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Comments of the decoded text of an element, as ranges of the file.
fn embedded_comments(m: &Mapped, syntax: Syntax, out: &mut Vec<Range<usize>>) {
    for r in comments(&m.text, syntax) {
        out.push(m.source_range(r));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, syntax: Syntax) -> Vec<&str> {
        comments(text, syntax).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn python_comments_are_not_strings() {
        let src = "x = \"# kfr: ignore[KFR001]\"  # real\ns = '''\n# in a docstring\n'''\n# own line\r\n";
        assert_eq!(found(src, Syntax::Python), ["# real", "# own line"]);
    }

    #[test]
    fn make_comments() {
        let src = "A = x\\#y # one\nB := $(shell echo '#') # two\n\
                   t: a # three\n\techo '# not' \"a # b\" # four\n\tcurl x#y\n\
                   define BODY\n# verbatim\nendef\n# five \\\ncontinued\nC = 1\r\n";
        assert_eq!(
            found(src, Syntax::Make),
            ["# one", "# two", "# three", "# four", "# five \\", "continued"]
        );
    }

    #[test]
    fn crontab_comments() {
        let src = "# header\nMAILTO=ops # still the value\n\
                   0 3 * * * train.sh --tag a#b # trailing\n\
                   5 4 * * * echo '# quoted' # yes\n\
                   @daily mail -s x ops % body # stdin, not shell\n";
        assert_eq!(found(src, Syntax::Crontab), ["# header", "# trailing", "# yes"]);
    }

    #[test]
    fn groovy_comments_are_not_strings() {
        let src = "#!groovy\nsh 'echo // no'\nsh \"a ${x ? '//' : \"/*\"} // no\" // yes\n\
                   def r = /a\\/\\/b/ /* block\n  more */\n\
                   def s = '''\n// inside\n'''\nx = a / b // divided\n";
        assert_eq!(
            found(src, Syntax::Groovy),
            ["// yes", "/* block\n  more */", "// divided"]
        );
    }

    #[test]
    fn yaml_comments() {
        let src = "# top\na: \"x # no\" # yes\nb: it's # fine\nc: |\n  # block text\n  more\n\
                   d: 'multi\n  # still quoted'\ne:\n  - >-\n    # folded\n  - x # item\n";
        assert_eq!(found(src, Syntax::Yaml), ["# top", "# yes", "# fine", "# item"]);
    }

    #[test]
    fn xml_comments_and_embedded_scripts() {
        let src = "<a><!-- kfr: one -->\n<script>sh &quot;x // no&quot; // groovy\n</script>\n\
                   <command><![CDATA[echo '#no' # shell]]>\npip x # two\n</command><description># not code</description></a>";
        assert_eq!(
            found(src, Syntax::Xml),
            ["<!-- kfr: one -->", "// groovy", "# shell", "# two"]
        );
    }

    #[test]
    fn requirements_comments() {
        let src = "pandas # why\nx @ https://h/x.zip#egg=x\n#top\r\n";
        assert_eq!(found(src, Syntax::Hash), ["# why", "#top"]);
    }
}

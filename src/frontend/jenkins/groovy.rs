//! A tolerant reader for the Groovy of Jenkinsfiles: a lexer for Groovy's
//! strings (single, double, triple-quoted, slashy and dollar-slashy, with
//! escapes decoded and `${…}` interpolation kept as written) and a parser
//! for the statement and call structure Jenkins pipelines are made of.
//!
//! Why not tree-sitter-groovy: on real Jenkinsfiles that grammar (0.1.x)
//! fails on top-level `def` helpers, GString interpolation, the Elvis
//! operator and trailing semicolons (see the parser measurements in the
//! design notes), which are in most files; and a file with a brace missing
//! must still yield the stages before the damage. This reader never gives
//! up: what it cannot read it reports with a span and skips to the next
//! line at the same depth, and blocks still open at the end of the file
//! are closed there with an error pointing at their opening brace.

use crate::frontend::mapped::Mapped;
use std::ops::Range;

/// Deepest nesting of blocks and expressions read; deeper text is skipped
/// with an error.
const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Ident(String),
    Num(String),
    /// A string literal: its decoded text, and whether it interpolates
    /// (`${…}` or `$name` inside double quotes or slashes).
    Str {
        text: Mapped,
        interpolated: bool,
    },
    Op(&'static str),
    Newline,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
    /// A second place that explains it (the brace that is never closed).
    pub related: Option<(Range<usize>, String)>,
}

const OPS: &[&str] = &[
    "...", "==~", "<=>", "?.", "?:", "*.", ".&", "..", "==", "!=", "<=", ">=", "&&", "||", "=~", "->", "++", "--",
    "+=", "-=", "*=", "/=", "<<", "**", "::", "{", "}", "(", ")", "[", "]", ",", ";", ":", ".", "=", "+", "-", "*",
    "/", "%", "<", ">", "!", "?", "&", "|", "^", "~", "@",
];

/// Split Groovy source into tokens. Comments are dropped; newlines are
/// kept (they end statements), except inside parentheses and brackets.
pub fn lex(src: &str, errors: &mut Vec<SyntaxError>) -> Vec<Token> {
    lex_keeping(src, errors, &mut Vec::new())
}

/// The byte ranges of the comments (`// ...` without its newline, and
/// `/* ... */`; one never closed runs to the end), as the lexer finds them:
/// never inside a string, a GString interpolation or a slashy string.
pub fn comments(src: &str) -> Vec<Range<usize>> {
    let mut comments = Vec::new();
    lex_keeping(src, &mut Vec::new(), &mut comments);
    comments
}

fn lex_keeping(src: &str, errors: &mut Vec<SyntaxError>, comments: &mut Vec<Range<usize>>) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    if src.starts_with("#!") {
        i = src.find('\n').unwrap_or(src.len());
    }
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                out.push(Token {
                    tok: Tok::Newline,
                    range: i..i + 1,
                });
                i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => i += 1,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                let start = i;
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                comments.push(start..i);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                match src[i + 2..].find("*/") {
                    Some(e) => {
                        i = i + 2 + e + 2;
                        comments.push(start..i);
                    }
                    None => {
                        comments.push(start..b.len());
                        errors.push(SyntaxError {
                            range: start..start + 2,
                            message: "comment `/*` is never closed".into(),
                            related: None,
                        });
                        i = b.len();
                    }
                }
            }
            b'\'' | b'"' => {
                let quote = c;
                let triple = b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote);
                let (tok, end) = string(src, i, quote, triple, errors);
                out.push(Token { tok, range: i..end });
                i = end;
            }
            b'$' if b.get(i + 1) == Some(&b'/') => {
                let (tok, end) = dollar_slashy(src, i, errors);
                out.push(Token { tok, range: i..end });
                i = end;
            }
            b'/' if !after_value(&out) => {
                let (tok, end) = slashy(src, i, errors);
                out.push(Token { tok, range: i..end });
                i = end;
            }
            _ if c.is_ascii_digit() => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                    // `1..5` is a range, not a number
                    if b[i] == b'.' && (b.get(i + 1) == Some(&b'.') || !b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
                        break;
                    }
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Num(src[start..i].to_string()),
                    range: start..i,
                });
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80) {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Ident(src[start..i].to_string()),
                    range: start..i,
                });
            }
            _ => {
                let rest = &src[i..];
                match OPS.iter().find(|op| rest.starts_with(**op)) {
                    Some(op) => {
                        out.push(Token {
                            tok: Tok::Op(op),
                            range: i..i + op.len(),
                        });
                        i += op.len();
                    }
                    None => {
                        let ch = rest.chars().next().map_or(1, char::len_utf8);
                        errors.push(SyntaxError {
                            range: i..i + ch,
                            message: format!("unexpected character `{}`", &rest[..ch]),
                            related: None,
                        });
                        i += ch;
                    }
                }
            }
        }
    }
    out
}

/// The previous token ends a value, so `/` divides rather than opening a
/// slashy string.
fn after_value(out: &[Token]) -> bool {
    match out.last().map(|t| &t.tok) {
        Some(Tok::Ident(k)) => !matches!(k.as_str(), "return" | "case" | "in" | "assert"),
        Some(Tok::Num(_) | Tok::Str { .. }) => true,
        Some(Tok::Op(op)) => matches!(*op, ")" | "]" | "}" | "++" | "--"),
        _ => false,
    }
}

/// Skip a `${ … }` interpolation starting at `i` (at the `$`); returns the
/// index after its closing brace.
fn skip_interpolation(src: &str, i: usize) -> usize {
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            b'\'' | b'"' => {
                let q = b[j];
                j += 1;
                while j < b.len() && b[j] != q && b[j] != b'\n' {
                    if b[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
            }
            b'\n' if depth == 0 => return j,
            _ => {}
        }
        j += 1;
    }
    b.len()
}

fn escape(c: u8) -> Option<&'static str> {
    Some(match c {
        b'n' => "\n",
        b't' => "\t",
        b'r' => "\r",
        b'b' => "\u{8}",
        b'f' => "\u{c}",
        b'\\' => "\\",
        b'\'' => "'",
        b'"' => "\"",
        b'$' => "$",
        b'/' => "/",
        _ => return None,
    })
}

fn string(src: &str, start: usize, quote: u8, triple: bool, errors: &mut Vec<SyntaxError>) -> (Tok, usize) {
    let b = src.as_bytes();
    let open = if triple { 3 } else { 1 };
    let mut i = start + open;
    let mut m = Mapped::new(i);
    let mut run = i;
    let mut interpolated = false;
    let gstring = quote == b'"';
    let flush = |m: &mut Mapped, run: usize, i: usize| {
        if i > run {
            m.push_verbatim(&src[run..i], run);
        }
    };
    loop {
        if i >= b.len() || (!triple && b[i] == b'\n') {
            errors.push(SyntaxError {
                range: start..start + open,
                message: if triple {
                    format!("string `{0}{0}{0}` is never closed", quote as char)
                } else {
                    format!("string `{}` is not closed on its line", quote as char)
                },
                related: None,
            });
            flush(&mut m, run, i.min(b.len()));
            return (Tok::Str { text: m, interpolated }, i.min(b.len()));
        }
        let c = b[i];
        if c == quote && (!triple || (b.get(i + 1) == Some(&quote) && b.get(i + 2) == Some(&quote))) {
            flush(&mut m, run, i);
            return (Tok::Str { text: m, interpolated }, i + open);
        }
        if c == b'\\' && i + 1 < b.len() {
            flush(&mut m, run, i);
            let n = b[i + 1];
            if n == b'\n' {
                // a backslash at the end of a line joins the lines
                i += 2;
            } else if n == b'u' && i + 6 <= b.len() && src.is_char_boundary(i + 6) {
                let hex = &src[i + 2..i + 6];
                match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => m.push_decoded(ch.encode_utf8(&mut [0; 4]), i..i + 6),
                    None => m.push_verbatim(&src[i..i + 6], i),
                }
                i += 6;
            } else if let Some(e) = escape(n) {
                m.push_decoded(e, i..i + 2);
                i += 2;
            } else {
                // Groovy rejects unknown escapes; keep them as written
                let ch = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                m.push_verbatim(&src[i..i + 1 + ch], i);
                i += 1 + ch;
            }
            run = i;
            continue;
        }
        if gstring && c == b'$' {
            if b.get(i + 1) == Some(&b'{') {
                interpolated = true;
                i = skip_interpolation(src, i);
                continue;
            }
            if b.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic() || *n == b'_') {
                interpolated = true;
            }
        }
        i += src[i..].chars().next().map_or(1, char::len_utf8);
    }
}

fn slashy(src: &str, start: usize, errors: &mut Vec<SyntaxError>) -> (Tok, usize) {
    let b = src.as_bytes();
    let mut i = start + 1;
    let mut m = Mapped::new(i);
    let mut run = i;
    let mut interpolated = false;
    while i < b.len() {
        match b[i] {
            b'/' => {
                if i > run {
                    m.push_verbatim(&src[run..i], run);
                }
                return (Tok::Str { text: m, interpolated }, i + 1);
            }
            b'\\' if b.get(i + 1) == Some(&b'/') => {
                if i > run {
                    m.push_verbatim(&src[run..i], run);
                }
                m.push_decoded("/", i..i + 2);
                i += 2;
                run = i;
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                interpolated = true;
                i = skip_interpolation(src, i);
            }
            b'\n' => break,
            _ => i += src[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    errors.push(SyntaxError {
        range: start..start + 1,
        message: "slashy string `/` is not closed on its line".into(),
        related: None,
    });
    if i > run {
        m.push_verbatim(&src[run..i], run);
    }
    (Tok::Str { text: m, interpolated }, i)
}

fn dollar_slashy(src: &str, start: usize, errors: &mut Vec<SyntaxError>) -> (Tok, usize) {
    let body = start + 2;
    match src[body..].find("/$") {
        Some(e) => {
            let mut m = Mapped::new(body);
            m.push_verbatim(&src[body..body + e], body);
            let interpolated = src[body..body + e].contains("${");
            (Tok::Str { text: m, interpolated }, body + e + 2)
        }
        None => {
            errors.push(SyntaxError {
                range: start..start + 2,
                message: "dollar-slashy string `$/` is never closed".into(),
                related: None,
            });
            let mut m = Mapped::new(body);
            m.push_verbatim(&src[body..], body);
            (
                Tok::Str {
                    text: m,
                    interpolated: false,
                },
                src.len(),
            )
        }
    }
}

// ---------------------------------------------------------------------
// The syntax tree

#[derive(Debug, Clone)]
pub enum Expr {
    Str {
        text: Mapped,
        interpolated: bool,
        range: Range<usize>,
    },
    Num(String, Range<usize>),
    /// An identifier (`env`, `true`, `BRANCH_NAME`).
    Name(String, Range<usize>),
    /// `a.b`, `a?.b`.
    Prop(Box<Expr>, String, Range<usize>),
    Call(Box<Call>),
    List(Vec<Expr>, Range<usize>),
    Map(Vec<(String, Expr)>, Range<usize>),
    Closure(Block),
    /// `c ? a : b`; the Elvis `a ?: b` has `a` as condition and value.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>, Range<usize>),
    Binary(Box<Expr>, &'static str, Box<Expr>, Range<usize>),
    /// `x = v`, `env.X = v`.
    Assign(Box<Expr>, Box<Expr>, Range<usize>),
    /// `a[i]`: what is indexed.
    Index(Box<Expr>, Range<usize>),
    /// Anything else kfr does not look into (`!x`, `a[0]`, `new X()`).
    Other(Range<usize>),
}

impl Expr {
    pub fn range(&self) -> Range<usize> {
        match self {
            Expr::Str { range, .. }
            | Expr::Num(_, range)
            | Expr::Name(_, range)
            | Expr::Prop(_, _, range)
            | Expr::List(_, range)
            | Expr::Map(_, range)
            | Expr::Ternary(_, _, _, range)
            | Expr::Binary(_, _, _, range)
            | Expr::Assign(_, _, range)
            | Expr::Index(_, range)
            | Expr::Other(range) => range.clone(),
            Expr::Call(c) => c.range.clone(),
            Expr::Closure(b) => b.range.clone(),
        }
    }

    /// A dotted name as text: `env.BRANCH_NAME`.
    pub fn dotted(&self) -> Option<String> {
        match self {
            Expr::Name(n, _) => Some(n.clone()),
            Expr::Prop(e, n, _) => Some(format!("{}.{n}", e.dotted()?)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    /// What the method is called on (`docker.image('x')` for `.inside`).
    pub receiver: Option<Expr>,
    pub name: String,
    pub name_range: Range<usize>,
    pub args: Vec<Arg>,
    pub closure: Option<Block>,
    pub range: Range<usize>,
}

impl Call {
    /// A named argument (`script:` of `sh(script: '…')`).
    pub fn named(&self, name: &str) -> Option<&Expr> {
        self.args
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .map(|a| &a.value)
    }

    /// The first positional argument.
    pub fn first(&self) -> Option<&Expr> {
        self.args.iter().find(|a| a.name.is_none()).map(|a| &a.value)
    }
}

#[derive(Debug, Clone)]
pub struct Arg {
    pub name: Option<String>,
    pub value: Expr,
}

#[derive(Debug, Clone, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub range: Range<usize>,
    /// Closure parameters (`{ a, b -> … }`).
    pub params: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum Stmt {
    Expr(Expr),
    /// `def name(params) { body }`.
    Def {
        name: String,
        params: Vec<String>,
        body: Block,
        range: Range<usize>,
    },
    /// `def x = v`, `String x = v`.
    Declare {
        name: String,
        value: Option<Expr>,
        range: Range<usize>,
    },
    If {
        cond: Expr,
        then: Block,
        otherwise: Option<Block>,
        range: Range<usize>,
    },
    /// A block that runs its body (try, catch, finally, loops, switch
    /// cases): each part, in order.
    Compound(Vec<Block>, Range<usize>),
    /// `@Library('name@ref') _`.
    Library(Vec<(String, Range<usize>)>, Range<usize>),
    Return(Option<Expr>, Range<usize>),
}

/// A whole file.
pub struct Script {
    pub body: Block,
    pub errors: Vec<SyntaxError>,
}

pub fn parse(src: &str) -> Script {
    let mut errors = Vec::new();
    let tokens = lex(src, &mut errors);
    let mut p = Parser {
        toks: tokens,
        pos: 0,
        errors,
        depth: 0,
        end: src.len(),
    };
    let mut stmts = Vec::new();
    loop {
        p.block_items(&mut stmts);
        if p.at_end() {
            break;
        }
        // a `}` with no block to close
        let t = p.bump();
        p.error(t.range, "`}` closes no block: a brace too many".into());
    }
    // a string left open swallows the rest of the file: the blocks it
    // leaves unclosed are not separate problems
    let mut errors = p.errors;
    if let Some(open) = errors
        .iter()
        .filter(|e| e.message.starts_with("string") && e.message.contains("never closed"))
        .map(|e| e.range.start)
        .min()
    {
        errors.retain(|e| !(e.message.starts_with("`{` is never closed") && e.range.start < open));
    }
    Script {
        body: Block {
            stmts,
            range: 0..src.len(),
            params: Vec::new(),
        },
        errors,
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    errors: Vec<SyntaxError>,
    depth: usize,
    end: usize,
}

impl Parser {
    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }

    fn range_here(&self) -> Range<usize> {
        self.toks
            .get(self.pos)
            .map(|t| t.range.clone())
            .unwrap_or(self.end..self.end)
    }

    fn prev_end(&self) -> usize {
        self.pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(0, |t| t.range.end)
    }

    fn bump(&mut self) -> Token {
        let t = self.toks.get(self.pos).cloned().unwrap_or(Token {
            tok: Tok::Newline,
            range: self.end..self.end,
        });
        self.pos += 1;
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline) | Some(Tok::Op(";"))) {
            self.pos += 1;
        }
    }

    fn skip_nl_only(&mut self) {
        while matches!(self.peek(), Some(Tok::Newline)) {
            self.pos += 1;
        }
    }

    fn error(&mut self, range: Range<usize>, message: String) {
        // one error per place is enough
        if self.errors.last().is_some_and(|e| e.range == range) {
            return;
        }
        self.errors.push(SyntaxError {
            range,
            message,
            related: None,
        });
    }

    /// Statements up to a `}` (not consumed) or the end.
    fn block_items(&mut self, stmts: &mut Vec<Stmt>) {
        loop {
            self.skip_newlines();
            if self.at_end() || self.is_op("}") {
                return;
            }
            let before = self.pos;
            if let Some(s) = self.statement() {
                stmts.push(s);
            }
            if self.pos == before {
                // nothing read: report and skip the token
                let t = self.bump();
                self.error(t.range, "cannot read this here".into());
            }
            // a statement ends at a newline, `;` or `}`
            if !(self.at_end()
                || matches!(
                    self.peek(),
                    Some(Tok::Newline) | Some(Tok::Op(";")) | Some(Tok::Op("}"))
                ))
            {
                let r = self.range_here();
                self.error(r, "unexpected text after the statement".into());
                self.skip_line();
            }
        }
    }

    /// Skip to the end of the line, over balanced brackets.
    fn skip_line(&mut self) {
        let mut depth = 0i32;
        while let Some(t) = self.peek() {
            match t {
                Tok::Newline if depth <= 0 => return,
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")" | "]") => depth -= 1,
                Tok::Op("}") => {
                    if depth <= 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// `{ … }` with the opening brace next.
    fn block(&mut self) -> Block {
        let open = self.range_here();
        self.pos += 1; // `{`
        let mut b = Block {
            range: open.start..open.end,
            ..Default::default()
        };
        // closure parameters
        let save = self.pos;
        let mut params = Vec::new();
        self.skip_nl_only();
        loop {
            match self.peek() {
                Some(Tok::Ident(n)) => {
                    params.push(n.clone());
                    self.pos += 1;
                    // a typed parameter: `String s`
                    if let Some(Tok::Ident(n2)) = self.peek() {
                        *params.last_mut().unwrap() = n2.clone();
                        self.pos += 1;
                    }
                    if self.eat_op(",") {
                        continue;
                    }
                    if self.eat_op("->") {
                        b.params = params;
                    } else {
                        self.pos = save;
                    }
                    break;
                }
                Some(Tok::Op("->")) => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    self.pos = save;
                    break;
                }
            }
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.error(
                open.clone(),
                format!("nesting deeper than {MAX_DEPTH} levels: the rest of this block is skipped"),
            );
            let mut depth = 1;
            while let Some(t) = self.peek() {
                match t {
                    Tok::Op("{") => depth += 1,
                    Tok::Op("}") => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                self.pos += 1;
            }
        } else {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.block_items(&mut b.stmts));
        }
        self.depth -= 1;
        if self.eat_op("}") {
            b.range.end = self.prev_end();
        } else {
            b.range.end = self.end;
            self.errors.push(SyntaxError {
                range: open.clone(),
                message: "`{` is never closed: a `}` is missing".into(),
                related: None,
            });
        }
        b
    }

    fn statement(&mut self) -> Option<Stmt> {
        // labels name the statement after them: statement labels (`retry_here: sh '…'`,
        // `echo: 'text'`) and a switch's `case …:` and `default:`, alone on their line or
        // before a statement on it (`case 'a': sh 'x'`)
        let mut labelled = false;
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(Tok::Ident(k)), _) if k == "case" || k == "default" => {
                    while !self.at_end() && !self.is_op(":") && !matches!(self.peek(), Some(Tok::Newline)) {
                        self.pos += 1;
                    }
                    self.eat_op(":");
                }
                (Some(Tok::Ident(_)), Some(Tok::Op(":"))) => self.pos += 2,
                _ => break,
            }
            labelled = true;
        }
        if labelled && matches!(self.peek(), None | Some(Tok::Newline) | Some(Tok::Op(";" | "}"))) {
            return None;
        }
        let start = self.range_here().start;
        match self.peek()? {
            Tok::Op("@") => return self.annotation(),
            Tok::Op("{") => {
                let b = self.block();
                return Some(Stmt::Compound(vec![b.clone()], b.range));
            }
            Tok::Ident(k) => match k.as_str() {
                "import" | "package" => {
                    self.skip_line();
                    return None;
                }
                "if" => return Some(self.if_stmt()),
                "for" | "while" | "switch" | "synchronized" => {
                    self.pos += 1;
                    if self.is_op("(") {
                        self.parens_skip();
                    }
                    self.skip_nl_only();
                    let body = self.body();
                    let r = start..self.prev_end();
                    return Some(Stmt::Compound(vec![body], r));
                }
                "try" => {
                    self.pos += 1;
                    self.skip_nl_only();
                    let mut parts = vec![self.body()];
                    loop {
                        let save = self.pos;
                        self.skip_nl_only();
                        match self.peek() {
                            Some(Tok::Ident(k)) if k == "catch" => {
                                self.pos += 1;
                                if self.is_op("(") {
                                    self.parens_skip();
                                }
                                self.skip_nl_only();
                                parts.push(self.body());
                            }
                            Some(Tok::Ident(k)) if k == "finally" => {
                                self.pos += 1;
                                self.skip_nl_only();
                                parts.push(self.body());
                            }
                            _ => {
                                self.pos = save;
                                break;
                            }
                        }
                    }
                    return Some(Stmt::Compound(parts, start..self.prev_end()));
                }
                "return" | "throw" => {
                    self.pos += 1;
                    let value = if matches!(self.peek(), None | Some(Tok::Newline) | Some(Tok::Op(";" | "}"))) {
                        None
                    } else {
                        Some(self.expr())
                    };
                    return Some(Stmt::Return(value, start..self.prev_end()));
                }
                "break" | "continue" => {
                    self.pos += 1;
                    return None;
                }
                "class" | "interface" | "enum" => {
                    while !self.at_end() && !self.is_op("{") {
                        self.pos += 1;
                    }
                    if self.is_op("{") {
                        let b = self.block();
                        return Some(Stmt::Compound(vec![b.clone()], b.range));
                    }
                    return None;
                }
                _ => {
                    if let Some(s) = self.declaration() {
                        return Some(s);
                    }
                }
            },
            _ => {}
        }
        let e = self.command_expr();
        Some(Stmt::Expr(e))
    }

    /// A block body, or a single statement (`if (x) sh 'y'`).
    fn body(&mut self) -> Block {
        if self.is_op("{") {
            return self.block();
        }
        let start = self.range_here().start;
        let stmts = self.statement().into_iter().collect();
        Block {
            stmts,
            range: start..self.prev_end(),
            params: Vec::new(),
        }
    }

    fn if_stmt(&mut self) -> Stmt {
        let start = self.range_here().start;
        self.pos += 1; // if
        let cond = if self.eat_op("(") {
            self.skip_nl_only();
            let c = self.expr();
            self.skip_nl_only();
            if !self.eat_op(")") {
                let r = self.range_here();
                self.error(r, "expected `)` after the condition".into());
                self.parens_rest();
            }
            c
        } else {
            let r = self.range_here();
            self.error(r.clone(), "expected `(` after `if`".into());
            Expr::Other(r)
        };
        self.skip_nl_only();
        let then = self.body();
        let save = self.pos;
        self.skip_newlines();
        let otherwise = if matches!(self.peek(), Some(Tok::Ident(k)) if k == "else") {
            self.pos += 1;
            self.skip_nl_only();
            if matches!(self.peek(), Some(Tok::Ident(k)) if k == "if") {
                let s = self.if_stmt();
                let r = match &s {
                    Stmt::If { range, .. } => range.clone(),
                    _ => 0..0,
                };
                Some(Block {
                    stmts: vec![s],
                    range: r,
                    params: Vec::new(),
                })
            } else {
                Some(self.body())
            }
        } else {
            self.pos = save;
            None
        };
        Stmt::If {
            cond,
            then,
            otherwise,
            range: start..self.prev_end(),
        }
    }

    /// Skip a parenthesised group (a `for` header, a catch clause).
    fn parens_skip(&mut self) {
        self.pos += 1;
        self.parens_rest();
    }

    fn parens_rest(&mut self) {
        self.skip_group("(", ")");
    }

    /// Skip to the `close` matching an `open` already read, and past it;
    /// a brace stops the skip (the group was never closed).
    fn skip_group(&mut self, open: &str, close: &str) {
        let mut depth = 1;
        while let Some(t) = self.peek() {
            match t {
                Tok::Op(o) if *o == open => depth += 1,
                Tok::Op(c) if *c == close => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                Tok::Op("{" | "}") => return,
                _ => {}
            }
            self.pos += 1;
        }
    }

    fn annotation(&mut self) -> Option<Stmt> {
        let start = self.range_here().start;
        self.pos += 1; // @
        let name = match self.peek() {
            Some(Tok::Ident(n)) => n.clone(),
            _ => return None,
        };
        self.pos += 1;
        while self.eat_op(".") {
            if let Some(Tok::Ident(_)) = self.peek() {
                self.pos += 1;
            }
        }
        let mut libs = Vec::new();
        if self.is_op("(") {
            let (args, _) = self.call_args();
            if name == "Library" {
                for a in &args {
                    let items = match &a.value {
                        Expr::List(items, _) => items.clone(),
                        v => vec![v.clone()],
                    };
                    for i in items {
                        if let Expr::Str { text, range, .. } = i {
                            libs.push((text.text.clone(), range));
                        }
                    }
                }
            }
        }
        if name != "Library" {
            return None;
        }
        // `@Library('x') _` or `@Library('x') import ...`
        if matches!(self.peek(), Some(Tok::Ident(n)) if n == "_") {
            self.pos += 1;
        }
        Some(Stmt::Library(libs, start..self.prev_end()))
    }

    /// `def f(…) { … }`, `def x = …`, `String x = …`, `final def x`;
    /// None (and nothing consumed) when the statement is not one.
    fn declaration(&mut self) -> Option<Stmt> {
        let start_pos = self.pos;
        let start = self.range_here().start;
        let mut words = Vec::new();
        while let Some(Tok::Ident(n)) = self.peek() {
            words.push(n.clone());
            self.pos += 1;
            // generics and arrays in a type: `Map<String, String>`, `String[]`
            if self.is_op("<") && words.len() == 1 && words[0].chars().next().is_some_and(char::is_uppercase) {
                let mut depth = 0;
                while let Some(t) = self.peek() {
                    match t {
                        Tok::Op("<") => depth += 1,
                        Tok::Op(">") => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                break;
                            }
                        }
                        Tok::Newline => break,
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            while self.is_op("[") && matches!(self.peek_at(1), Some(Tok::Op("]"))) {
                self.pos += 2;
            }
        }
        let modifiers = [
            "def",
            "final",
            "static",
            "private",
            "public",
            "protected",
            "void",
            "var",
        ];
        // `String x`, `int n`, `def x`: not `checkout scm` or `agent any` (command calls)
        let primitives = ["int", "long", "boolean", "double", "float", "char", "byte", "short"];
        let typed = words.first().is_some_and(|w| {
            modifiers.contains(&w.as_str())
                || (words.len() >= 2
                    && (primitives.contains(&w.as_str()) || w.chars().next().is_some_and(char::is_uppercase)))
        });
        if !typed
            || words.iter().all(|w| modifiers.contains(&w.as_str()))
                && !matches!(words.first().map(String::as_str), Some("def"))
        {
            self.pos = start_pos;
            return None;
        }
        let name = words.last().cloned().unwrap_or_default();
        if modifiers.contains(&name.as_str()) {
            // `def (a, b) = …` and the like
            self.pos = start_pos;
            return None;
        }
        if self.is_op("(") {
            // a method: parameters, then its body
            let params = self.params();
            self.skip_nl_only();
            if self.is_op("{") {
                let body = self.block();
                return Some(Stmt::Def {
                    name,
                    params,
                    body,
                    range: start..self.prev_end(),
                });
            }
            self.pos = start_pos;
            return None;
        }
        if self.eat_op("=") {
            self.skip_nl_only();
            let value = self.command_expr();
            return Some(Stmt::Declare {
                name,
                value: Some(value),
                range: start..self.prev_end(),
            });
        }
        if matches!(self.peek(), None | Some(Tok::Newline) | Some(Tok::Op(";" | "}"))) {
            return Some(Stmt::Declare {
                name,
                value: None,
                range: start..self.prev_end(),
            });
        }
        self.pos = start_pos;
        None
    }

    /// A method's parameter names, `(String a, b = 'x', Map opts = [:])`.
    fn params(&mut self) -> Vec<String> {
        self.pos += 1; // (
        let mut params = Vec::new();
        let mut last_ident: Option<String> = None;
        let mut depth = 1;
        let mut in_default = false;
        while let Some(t) = self.peek().cloned() {
            self.pos += 1;
            match t {
                Tok::Op("(" | "[" | "{") => depth += 1,
                Tok::Op(")") | Tok::Op("]") | Tok::Op("}") => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tok::Op(",") if depth == 1 => {
                    params.extend(last_ident.take());
                    in_default = false;
                }
                Tok::Op("=") if depth == 1 => {
                    params.extend(last_ident.take());
                    in_default = true;
                }
                Tok::Ident(n) if depth == 1 && !in_default => last_ident = Some(n),
                _ => {}
            }
        }
        params.extend(last_ident);
        params
    }

    /// An expression statement, including Groovy's command expressions
    /// (`sh 'make'`, `agent any`, `sh script: 'x', label: 'y'`).
    fn command_expr(&mut self) -> Expr {
        let e = self.expr();
        let callee_ok = matches!(e, Expr::Name(..) | Expr::Prop(..));
        if callee_ok && self.starts_command_arg() {
            let (name, name_range, receiver) = split_callee(e.clone());
            let args = self.command_args();
            let mut call = Call {
                receiver,
                name,
                name_range: name_range.clone(),
                args,
                closure: None,
                range: e.range().start..self.prev_end(),
            };
            if self.is_op("{") {
                let b = self.block();
                call.range.end = b.range.end;
                call.closure = Some(b);
            }
            return Expr::Call(Box::new(call));
        }
        e
    }

    fn starts_command_arg(&self) -> bool {
        match self.peek() {
            Some(Tok::Str { .. } | Tok::Num(_)) => true,
            Some(Tok::Ident(k)) => !matches!(k.as_str(), "in" | "instanceof" | "as"),
            Some(Tok::Op("[")) => true,
            Some(Tok::Op("-" | "!")) => matches!(self.peek_at(1), Some(Tok::Num(_) | Tok::Ident(_))),
            _ => false,
        }
    }

    fn command_args(&mut self) -> Vec<Arg> {
        let mut args = Vec::new();
        loop {
            args.push(self.arg());
            if self.eat_op(",") {
                self.skip_nl_only();
                continue;
            }
            break;
        }
        args
    }

    /// `name: value` or `value`.
    fn arg(&mut self) -> Arg {
        let key = match (self.peek(), self.peek_at(1)) {
            (Some(Tok::Ident(n)), Some(Tok::Op(":"))) => Some(n.clone()),
            (Some(Tok::Str { text, .. }), Some(Tok::Op(":"))) => Some(text.text.clone()),
            _ => None,
        };
        if key.is_some() {
            self.pos += 2;
            self.skip_nl_only();
        }
        Arg {
            name: key,
            value: self.expr(),
        }
    }

    /// `( args )` then an optional trailing closure on the same line.
    fn call_args(&mut self) -> (Vec<Arg>, Range<usize>) {
        let open = self.range_here();
        self.pos += 1; // (
        let mut args = Vec::new();
        loop {
            self.skip_nl_only();
            if self.eat_op(")") {
                break;
            }
            if self.at_end() || self.is_op("}") {
                self.error(open.clone(), "`(` is never closed".into());
                break;
            }
            let before = self.pos;
            args.push(self.arg());
            self.skip_nl_only();
            if self.eat_op(",") {
                continue;
            }
            if self.eat_op(")") {
                break;
            }
            let r = self.range_here();
            self.error(r, "expected `,` or `)` in the arguments".into());
            if self.pos == before {
                self.pos += 1;
            }
            self.parens_rest();
            break;
        }
        (args, open.start..self.prev_end())
    }

    fn expr(&mut self) -> Expr {
        self.depth += 1;
        let e = if self.depth > MAX_DEPTH {
            let r = self.range_here();
            self.error(
                r.clone(),
                format!("expression nested deeper than {MAX_DEPTH} levels is skipped"),
            );
            self.skip_line();
            Expr::Other(r)
        } else {
            stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.assignment())
        };
        self.depth -= 1;
        e
    }

    fn assignment(&mut self) -> Expr {
        let lhs = self.ternary();
        if let Some(Tok::Op(op @ ("=" | "+=" | "-=" | "*=" | "/="))) = self.peek().cloned() {
            self.pos += 1;
            self.skip_nl_only();
            let rhs = self.command_expr();
            let r = lhs.range().start..rhs.range().end;
            if op == "=" {
                return Expr::Assign(Box::new(lhs), Box::new(rhs), r);
            }
            return Expr::Other(r);
        }
        lhs
    }

    fn ternary(&mut self) -> Expr {
        let cond = self.binary();
        // `?` and `:` may start the next line
        let save = self.pos;
        self.skip_nl_only();
        if self.eat_op("?:") {
            self.skip_nl_only();
            let other = self.ternary();
            let r = cond.range().start..other.range().end;
            return Expr::Ternary(Box::new(cond.clone()), Box::new(cond), Box::new(other), r);
        }
        if self.eat_op("?") {
            self.skip_nl_only();
            let a = self.ternary();
            self.skip_nl_only();
            if !self.eat_op(":") {
                let r = self.range_here();
                self.error(r, "expected `:` in the `? :` expression".into());
                let r = cond.range().start..a.range().end;
                return Expr::Other(r);
            }
            self.skip_nl_only();
            let b = self.ternary();
            let r = cond.range().start..b.range().end;
            return Expr::Ternary(Box::new(cond), Box::new(a), Box::new(b), r);
        }
        self.pos = save;
        cond
    }

    fn binary(&mut self) -> Expr {
        let mut lhs = self.unary();
        loop {
            let op = match self.peek() {
                Some(Tok::Op(
                    op @ ("||" | "&&" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "=~" | "==~" | "+" | "-" | "*" | "/"
                    | "%" | "<<" | "**" | ".." | "<=>" | "&" | "|" | "^"),
                )) => *op,
                Some(Tok::Ident(k)) if matches!(k.as_str(), "in" | "instanceof" | "as") => "in",
                _ => return lhs,
            };
            self.pos += 1;
            self.skip_nl_only();
            let rhs = self.unary();
            let r = lhs.range().start..rhs.range().end;
            lhs = Expr::Binary(Box::new(lhs), op, Box::new(rhs), r);
        }
    }

    fn unary(&mut self) -> Expr {
        let start = self.range_here().start;
        if let Some(Tok::Op("!" | "-" | "~" | "++" | "--" | "+")) = self.peek() {
            self.pos += 1;
            let e = self.unary();
            return Expr::Other(start..e.range().end);
        }
        if matches!(self.peek(), Some(Tok::Ident(k)) if k == "new") {
            self.pos += 1;
            let e = self.postfix();
            return Expr::Other(start..e.range().end);
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Expr {
        let mut e = self.primary();
        loop {
            // a method chain may continue on the next line with `.x`
            let save = self.pos;
            self.skip_nl_only();
            if matches!(self.peek(), Some(Tok::Op("." | "?." | "*." | ".&"))) {
                self.pos += 1;
                self.skip_nl_only();
                let (name, nr) = match self.peek().cloned() {
                    Some(Tok::Ident(n)) => {
                        let r = self.range_here();
                        self.pos += 1;
                        (n, r)
                    }
                    Some(Tok::Str { text, .. }) => {
                        let r = self.range_here();
                        self.pos += 1;
                        (text.text, r)
                    }
                    _ => {
                        let r = self.range_here();
                        self.error(r.clone(), "expected a name after `.`".into());
                        return e;
                    }
                };
                let r = e.range().start..nr.end;
                e = Expr::Prop(Box::new(e), name, r);
                continue;
            }
            self.pos = save;
            if self.is_op("(") {
                let (args, ar) = self.call_args();
                let (name, name_range, receiver) = split_callee(e.clone());
                let mut call = Call {
                    receiver,
                    name,
                    name_range,
                    args,
                    closure: None,
                    range: e.range().start..ar.end,
                };
                if self.is_op("{") {
                    let b = self.block();
                    call.range.end = b.range.end;
                    call.closure = Some(b);
                }
                e = Expr::Call(Box::new(call));
                continue;
            }
            if self.is_op("{") && matches!(e, Expr::Name(..) | Expr::Prop(..)) {
                // `node { … }`, `steps { … }`
                let b = self.block();
                let (name, name_range, receiver) = split_callee(e.clone());
                let r = e.range().start..b.range.end;
                e = Expr::Call(Box::new(Call {
                    receiver,
                    name,
                    name_range,
                    args: Vec::new(),
                    closure: Some(b),
                    range: r,
                }));
                continue;
            }
            if self.is_op("[") {
                let open = self.range_here();
                self.pos += 1;
                self.skip_group("[", "]");
                let r = e.range().start.min(open.start)..self.prev_end();
                e = Expr::Index(Box::new(e), r);
                continue;
            }
            if matches!(self.peek(), Some(Tok::Op("++" | "--"))) {
                self.pos += 1;
                continue;
            }
            return e;
        }
    }

    fn primary(&mut self) -> Expr {
        let r = self.range_here();
        match self.peek().cloned() {
            Some(Tok::Str { text, interpolated }) => {
                self.pos += 1;
                Expr::Str {
                    text,
                    interpolated,
                    range: r,
                }
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Expr::Num(n, r)
            }
            Some(Tok::Ident(n)) => {
                self.pos += 1;
                Expr::Name(n, r)
            }
            Some(Tok::Op("(")) => {
                self.pos += 1;
                self.skip_nl_only();
                let e = self.expr();
                self.skip_nl_only();
                if !self.eat_op(")") {
                    let h = self.range_here();
                    self.error(h, "expected `)`".into());
                    self.parens_rest();
                }
                e
            }
            Some(Tok::Op("[")) => self.list_or_map(),
            Some(Tok::Op("{")) => Expr::Closure(self.block()),
            _ => {
                self.error(r.clone(), "expected an expression".into());
                Expr::Other(r.start..r.start)
            }
        }
    }

    fn list_or_map(&mut self) -> Expr {
        let open = self.range_here();
        self.pos += 1;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut is_map = false;
        loop {
            self.skip_nl_only();
            if self.eat_op("]") {
                break;
            }
            if self.is_op(":") && matches!(self.peek_at(1), Some(Tok::Op("]"))) {
                // `[:]`
                self.pos += 2;
                is_map = true;
                break;
            }
            if self.at_end() || self.is_op("}") {
                self.error(open.clone(), "`[` is never closed".into());
                break;
            }
            let before = self.pos;
            let a = self.arg();
            match a.name {
                Some(k) => {
                    is_map = true;
                    entries.push((k, a.value));
                }
                None => items.push(a.value),
            }
            self.skip_nl_only();
            if self.eat_op(",") {
                continue;
            }
            if self.eat_op("]") {
                break;
            }
            let h = self.range_here();
            self.error(h, "expected `,` or `]`".into());
            if self.pos == before {
                self.pos += 1;
            }
            self.skip_group("[", "]");
            break;
        }
        let r = open.start..self.prev_end();
        if is_map {
            Expr::Map(entries, r)
        } else {
            Expr::List(items, r)
        }
    }
}

/// `a.b.c` as a call of `c` on `a.b`; `c` as a call of `c`.
fn split_callee(e: Expr) -> (String, Range<usize>, Option<Expr>) {
    match e {
        Expr::Name(n, r) => (n, r, None),
        Expr::Prop(recv, n, r) => {
            let nr = r.end.saturating_sub(n.len())..r.end;
            (n, nr, Some(*recv))
        }
        other => (String::new(), other.range(), Some(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(b: &Block) -> Vec<String> {
        b.stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Expr(Expr::Call(c)) => Some(c.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn reads_a_declarative_pipeline() {
        let src = "@Library('ml@v2') _\nimport groovy.json.JsonSlurper;\n\ndef helper(String t) {\n  sh \"make ${t}\"\n}\npipeline {\n  agent { docker { image 'python:3.11' } }\n  triggers { cron(env.BRANCH_NAME == 'main' ? 'H 2 * * *' : '') }\n  stages {\n    stage('Train') {\n      steps {\n        sh '''\n          make train\n        '''.stripIndent()\n        retry(3) { sh script: 'make upload', label: 'up' }\n      }\n    }\n  }\n}\n";
        let s = parse(src);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert!(matches!(&s.body.stmts[0], Stmt::Library(l, _) if l[0].0 == "ml@v2"));
        assert!(matches!(&s.body.stmts[1], Stmt::Def { name, params, .. } if name == "helper" && params == &["t"]));
        assert_eq!(calls(&s.body), ["pipeline"]);
    }

    #[test]
    fn strings_decode_with_their_source_offsets() {
        let mut errors = Vec::new();
        let toks = lex(r#"sh 'a\'b' "x ${y.z} $w""#, &mut errors);
        let Tok::Str { text, interpolated } = &toks[1].tok else {
            panic!()
        };
        assert_eq!((text.text.as_str(), *interpolated), ("a'b", false));
        assert_eq!(text.source_range(1..2), 5..7);
        let Tok::Str { text, interpolated } = &toks[2].tok else {
            panic!()
        };
        assert_eq!((text.text.as_str(), *interpolated), ("x ${y.z} $w", true));
    }

    #[test]
    fn recovers_from_a_missing_brace() {
        let src = "node {\n  stage('a') {\n    sh 'make a'\n  }\n  stage('b') {\n    sh 'make b'\n";
        let s = parse(src);
        assert_eq!(s.errors.len(), 2, "{:?}", s.errors);
        assert!(s.errors.iter().all(|e| e.message.contains("never closed")));
        let extra = parse("node { sh 'x' }\n}\nstage('c') { sh 'y' }\n");
        assert_eq!(extra.errors.len(), 1);
        assert_eq!(calls(&extra.body), ["node", "stage"]);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "x(".repeat(5000) + &")".repeat(5000) + "\n" + &"a {".repeat(5000);
        let s = parse(&src);
        assert!(!s.errors.is_empty());
    }
}

//! YAML with byte spans. `serde_yaml` gives values without positions; the
//! frontends that read YAML (compiled KFP pipelines, component files) must
//! point diagnostics at the line a value is written on, so this module
//! builds a small tree from saphyr-parser's spanned events: every mapping
//! key, mapping, sequence and scalar keeps the byte range it came from.
//!
//! The tree is built with an explicit stack (a document nested 10,000 deep
//! cannot overflow kfr's own stack), and aliases are kept as what they are
//! (kfr's inputs do not use them; an alias reads as null).

use saphyr_parser::{Event, Parser, ScalarStyle};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar: its text, and whether it was quoted (a quoted `"1"` is a
    /// string, a plain `1` a number).
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Entries in the order written: key text, key span, value.
    Map(Vec<(String, Range<usize>, Node)>),
    Alias,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Byte range in the text.
    pub span: Range<usize>,
}

/// Why a text is not YAML: the message and the byte where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub message: String,
    pub at: usize,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A mapping entry: the key's span and the value.
    pub fn entry(&self, key: &str) -> Option<(Range<usize>, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _, _)| k == key)
                .map(|(_, s, v)| (s.clone(), v)),
            _ => None,
        }
    }

    /// A path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in path {
            n = n.get(k)?;
        }
        Some(n)
    }

    pub fn entries(&self) -> &[(String, Range<usize>, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    /// A scalar's text (a number or a boolean too, as written).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        match &self.kind {
            Kind::Scalar { text, quoted: false } => matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"),
            Kind::Alias => true,
            _ => false,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar { text, quoted: false } => match text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "on" | "On" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "off" | "Off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A number, plain or quoted (proto-JSON writes int64 as strings).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.kind {
            Kind::Scalar { text, .. } => text.trim().parse::<f64>().ok(),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        let f = self.as_f64()?;
        (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
    }
}

/// Deepest nesting read; deeper documents are an error (no pipeline file
/// nests this deep, and the tree's drop would recurse).
const MAX_DEPTH: usize = 256;

/// Parse every document of a YAML stream.
pub fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    // saphyr counts characters; spans here are bytes
    let offsets: Option<Vec<usize>> = (!text.is_ascii()).then(|| {
        let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        v.push(text.len());
        v
    });
    let byte = |chars: usize| match &offsets {
        Some(v) => v.get(chars).copied().unwrap_or(text.len()),
        None => chars.min(text.len()),
    };
    enum Open {
        Seq(usize, Vec<Node>),
        /// start, entries, a key waiting for its value
        Map(usize, Vec<(String, Range<usize>, Node)>, Option<(String, Range<usize>)>),
    }
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    // a finished node goes into its parent, or is a document
    fn place(stack: &mut [Open], docs: &mut Vec<Node>, node: Node) {
        match stack.last_mut() {
            None => docs.push(node),
            Some(Open::Seq(_, items)) => items.push(node),
            Some(Open::Map(_, entries, pending)) => match pending.take() {
                Some((k, ks)) => entries.push((k, ks, node)),
                None => {
                    // a key: scalars keep their text, other keys are shown as written
                    let key = match &node.kind {
                        Kind::Scalar { text, .. } => text.clone(),
                        _ => String::new(),
                    };
                    *pending = Some((key, node.span));
                }
            },
        }
    }
    while let Some(ev) = parser.next_event() {
        let (ev, span) = ev.map_err(|e| YamlError {
            message: e.info().to_string(),
            at: byte(e.marker().index()),
        })?;
        let range = byte(span.start.index())..byte(span.end.index());
        match ev {
            Event::StreamEnd => break,
            Event::Scalar(value, style, _, _) => {
                let node = Node {
                    kind: Kind::Scalar {
                        text: value.into_owned(),
                        quoted: !matches!(style, ScalarStyle::Plain),
                    },
                    span: range,
                };
                place(&mut stack, &mut docs, node);
            }
            Event::Alias(_) => place(
                &mut stack,
                &mut docs,
                Node {
                    kind: Kind::Alias,
                    span: range,
                },
            ),
            Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_DEPTH => {
                return Err(YamlError {
                    message: format!("nested more than {MAX_DEPTH} levels deep"),
                    at: range.start,
                });
            }
            Event::SequenceStart(..) => stack.push(Open::Seq(range.start, Vec::new())),
            Event::MappingStart(..) => stack.push(Open::Map(range.start, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Open::Seq(start, items)) => Node {
                        kind: Kind::Seq(items),
                        span: start..range.end.max(start),
                    },
                    Some(Open::Map(start, entries, _)) => Node {
                        kind: Kind::Map(entries),
                        span: start..range.end.max(start),
                    },
                    None => continue,
                };
                place(&mut stack, &mut docs, node);
            }
            _ => {}
        }
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "a:\n  b: [1, 'x']\n  é: café\nlist:\n- one\n- two: 2\n";
        let docs = parse(text).unwrap();
        let root = &docs[0];
        let (ks, b) = root.get("a").unwrap().entry("b").unwrap();
        assert_eq!(&text[ks], "b");
        assert_eq!(b.items()[0].as_i64(), Some(1));
        assert_eq!(&text[b.items()[1].span.clone()], "'x'");
        let e = root.get("a").unwrap().get("é").unwrap();
        assert_eq!(&text[e.span.clone()], "café");
        let list = root.get("list").unwrap().items();
        assert_eq!(list[0].as_str(), Some("one"));
        assert_eq!(list[1].get("two").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn several_documents_and_errors() {
        assert_eq!(parse("a: 1\n---\nb: 2\n").unwrap().len(), 2);
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(!err.message.is_empty());
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("nested") || err.message.contains("recursion"),
            "{err:?}"
        );
    }
}

//! One tree-sitter parser per language and thread, reused across files.

use std::cell::RefCell;
use tree_sitter::{Language, Parser, Tree};

thread_local! {
    static PARSERS: RefCell<Vec<(&'static str, Parser)>> = const { RefCell::new(Vec::new()) };
}

fn new_parser(language: &Language) -> Option<Parser> {
    let mut parser = Parser::new();
    parser.set_language(language).ok()?;
    Some(parser)
}

/// Parse `text` with the grammar `language` (named `name` for the cache).
/// None only if tree-sitter gives up (no timeout is set, so in practice
/// never).
pub fn parse(name: &'static str, language: impl Fn() -> Language, text: &str) -> Option<Tree> {
    let cached = PARSERS
        .try_with(|cell| {
            let mut parsers = cell.try_borrow_mut().ok()?;
            let i = match parsers.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => {
                    parsers.push((name, new_parser(&language())?));
                    parsers.len() - 1
                }
            };
            let parser = &mut parsers[i].1;
            let tree = parser.parse(text, None);
            if tree.is_none() {
                parser.reset();
            }
            Some(tree)
        })
        .ok()
        .flatten();
    match cached {
        Some(tree) => tree,
        None => new_parser(&language())?.parse(text, None),
    }
}

/// Parse only `ranges` of `text` (tree-sitter's included ranges): the
/// nodes' offsets are offsets into the whole text.
pub fn parse_ranges(language: impl Fn() -> Language, text: &str, ranges: &[tree_sitter::Range]) -> Option<Tree> {
    let mut parser = new_parser(&language())?;
    parser.set_included_ranges(ranges).ok()?;
    parser.parse(text, None)
}

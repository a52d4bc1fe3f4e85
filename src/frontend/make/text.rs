//! Makefile text as GNU make reads it: logical lines (backslash-newline
//! joined), comment removal, and text that remembers where each byte came
//! from so that expanded words still point at the source.

use std::ops::Range;

/// Text whose every byte maps back to a byte range of the source file.
///
/// Literal segments map one-to-one; synthesised segments (the expansion of a
/// variable reference) map as a whole onto the reference that produced them.
#[derive(Debug, Clone, Default)]
pub struct Mapped {
    pub text: String,
    segs: Vec<Seg>,
}

#[derive(Debug, Clone, Copy)]
struct Seg {
    at: u32,
    src_start: u32,
    src_end: u32,
    literal: bool,
}

impl Mapped {
    pub fn new() -> Self {
        Self::default()
    }

    /// Text copied from the source starting at byte `src`.
    pub fn literal(text: &str, src: usize) -> Self {
        let mut m = Mapped::new();
        m.push_literal(text, src);
        m
    }

    pub fn push_literal(&mut self, s: &str, src: usize) {
        if s.is_empty() {
            return;
        }
        let contiguous = self
            .segs
            .last()
            .is_some_and(|last| last.literal && last.src_start as usize + (self.text.len() - last.at as usize) == src);
        if !contiguous {
            self.segs.push(Seg {
                at: self.text.len() as u32,
                src_start: src as u32,
                src_end: (src + s.len()) as u32,
                literal: true,
            });
        }
        self.text.push_str(s);
        if let Some(last) = self.segs.last_mut() {
            last.src_end = (src + s.len()) as u32;
        }
    }

    /// Text that stands for the source range `src` as a whole.
    pub fn push_synth(&mut self, s: &str, src: Range<usize>) {
        if s.is_empty() {
            return;
        }
        self.segs.push(Seg {
            at: self.text.len() as u32,
            src_start: src.start as u32,
            src_end: src.end as u32,
            literal: false,
        });
        self.text.push_str(s);
    }

    /// Copy part of another mapped text, keeping its mapping.
    pub fn push_mapped(&mut self, other: &Mapped, range: Range<usize>) {
        let mut pos = range.start;
        while pos < range.end {
            let idx = other.seg_index(pos);
            let seg = other.segs[idx];
            let seg_end = other
                .segs
                .get(idx + 1)
                .map(|s| s.at as usize)
                .unwrap_or(other.text.len())
                .min(range.end);
            let piece = &other.text[pos..seg_end];
            if seg.literal {
                self.push_literal(piece, seg.src_start as usize + (pos - seg.at as usize));
            } else {
                self.push_synth(piece, seg.src_start as usize..seg.src_end as usize);
            }
            pos = seg_end;
        }
    }

    pub fn slice(&self, range: Range<usize>) -> Mapped {
        let mut m = Mapped::new();
        m.push_mapped(self, range);
        m
    }

    fn seg_index(&self, pos: usize) -> usize {
        match self.segs.binary_search_by(|s| (s.at as usize).cmp(&pos)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        }
    }

    /// The source byte range that a range of this text came from.
    pub fn src_range(&self, range: Range<usize>) -> Range<usize> {
        if self.segs.is_empty() {
            return 0..0;
        }
        let s = self.segs[self.seg_index(range.start)];
        let start = if s.literal {
            s.src_start as usize + (range.start - s.at as usize)
        } else {
            s.src_start as usize
        };
        let last = range.end.max(range.start + 1) - 1;
        let e = self.segs[self.seg_index(last)];
        let end = if e.literal {
            e.src_start as usize + (last - e.at as usize) + 1
        } else {
            e.src_end as usize
        };
        start..end.max(start)
    }

    /// The source range of the whole text.
    pub fn src_all(&self) -> Range<usize> {
        if self.text.is_empty() {
            let p = self.segs.first().map(|s| s.src_start as usize).unwrap_or(0);
            return p..p;
        }
        self.src_range(0..self.text.len())
    }
}

/// One logical line: physical lines joined by backslash-newline, with the
/// backslash-newlines still in the text (recipes keep them) and CR before LF
/// removed, as GNU make does.
#[derive(Debug, Clone)]
pub struct LogicalLine {
    pub text: Mapped,
    /// Source byte range of the whole logical line (without the final newline).
    pub range: Range<usize>,
}

pub fn logical_lines(src: &str) -> Vec<LogicalLine> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < src.len() {
        let start = pos;
        let mut text = Mapped::new();
        let end;
        loop {
            let nl = memchr_nl(bytes, pos);
            let mut line_end = nl;
            if line_end > pos && bytes[line_end - 1] == b'\r' && nl < src.len() {
                line_end -= 1;
            }
            text.push_literal(&src[pos..line_end], pos);
            let backslashes = bytes[pos..line_end].iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 1 && nl < src.len() && nl + 1 < src.len() {
                text.push_literal("\n", nl);
                pos = nl + 1;
                continue;
            }
            end = line_end;
            pos = nl + 1;
            break;
        }
        out.push(LogicalLine {
            text,
            range: start..end,
        });
    }
    out
}

fn memchr_nl(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| from + p)
        .unwrap_or(bytes.len())
}

/// Replace each backslash-newline, with the blanks around it, by one space:
/// how GNU make treats continuations outside recipes.
pub fn collapse_continuations(line: &Mapped) -> Mapped {
    let t = &line.text;
    if !t.contains("\\\n") {
        return line.clone();
    }
    let mut out = Mapped::new();
    let bytes = t.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
            // count the run of backslashes ending here
            let run = bytes[..=i].iter().rev().take_while(|&&b| b == b'\\').count();
            if run % 2 == 1 {
                let mut keep_end = i;
                while keep_end > seg_start && matches!(bytes[keep_end - 1], b' ' | b'\t') {
                    keep_end -= 1;
                }
                out.push_mapped(line, seg_start..keep_end);
                let mut j = i + 2;
                // also swallow further continuation lines that are blank
                loop {
                    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
                        j += 1;
                    }
                    if j + 1 < bytes.len() && bytes[j] == b'\\' && bytes[j + 1] == b'\n' {
                        j += 2;
                        continue;
                    }
                    break;
                }
                let src = line.src_range(i..i + 1);
                out.push_synth(" ", src);
                seg_start = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out.push_mapped(line, seg_start..bytes.len());
    out
}

/// Scan `text` for the first byte that satisfies `stop`, skipping variable
/// references `$(...)` / `${...}` and `$$`. Returns its index.
pub fn find_outside_refs(text: &str, mut stop: impl FnMut(u8, usize) -> bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            match b[i + 1] {
                b'(' | b'{' => {
                    i = matching_close(b, i + 1).map(|c| c + 1).unwrap_or(b.len());
                    continue;
                }
                _ => {
                    i += 2;
                    continue;
                }
            }
        }
        if stop(b[i], i) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Index of the parenthesis closing the one at `open` (same kind only, as
/// GNU make counts them).
pub fn matching_close(b: &[u8], open: usize) -> Option<usize> {
    let (o, c) = match b[open] {
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (i, &ch) in b.iter().enumerate().skip(open) {
        if ch == o {
            depth += 1;
        } else if ch == c {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Remove a `#` comment (not one inside a variable reference, as of GNU make
/// 4.3) and turn `\#` into `#`.
pub fn strip_comment(line: &Mapped) -> Mapped {
    let t = &line.text;
    if !t.contains('#') {
        return line.clone();
    }
    let mut out = Mapped::new();
    let mut from = 0;
    let mut search = 0;
    loop {
        let rel = find_outside_refs(&t[search..], |b, _| b == b'#');
        let Some(rel) = rel else {
            out.push_mapped(line, from..t.len());
            return out;
        };
        let hash = search + rel;
        let slashes = t.as_bytes()[..hash].iter().rev().take_while(|&&b| b == b'\\').count();
        // keep half of the backslashes
        out.push_mapped(line, from..hash - slashes + slashes / 2);
        if slashes % 2 == 1 {
            out.push_mapped(line, hash..hash + 1);
            from = hash + 1;
            search = hash + 1;
        } else {
            return out;
        }
    }
}

/// Split text into whitespace-separated words with their byte ranges.
pub fn word_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let s = i;
        while i < b.len() && !is_space(b[i]) {
            i += 1;
        }
        if i > s {
            out.push(s..i);
        }
    }
    out
}

/// Like [`word_ranges`], but a backslash-escaped blank does not split: file
/// names in rule lines can hold spaces (`my\ file.csv`).
pub fn file_word_ranges(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        let s = i;
        while i < b.len() && !is_space(b[i]) {
            if b[i] == b'\\' && i + 1 < b.len() && matches!(b[i + 1], b' ' | b'\t') {
                i += 2;
            } else {
                i += 1;
            }
        }
        if i > s {
            out.push(s..i);
        }
    }
    out
}

pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_ascii_whitespace()).filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        logical_lines(src).into_iter().map(|l| l.text.text).collect()
    }

    #[test]
    fn joins_continuations_and_drops_cr() {
        assert_eq!(texts("a = 1 \\\n  2\nb\r\nc"), vec!["a = 1 \\\n  2", "b", "c"]);
        assert_eq!(texts("x \\\\\ny\n"), vec!["x \\\\", "y"]);
        assert_eq!(texts("end \\"), vec!["end \\"]);
    }

    #[test]
    fn collapses_like_make() {
        let l = &logical_lines("SRC = a.c   \\\n\t  b.c \\\n \\\n c.c\n")[0];
        let c = collapse_continuations(&l.text);
        assert_eq!(c.text, "SRC = a.c b.c c.c");
        // `b.c` maps back to its own place in the source
        let at = c.text.find("b.c").unwrap();
        assert_eq!(c.src_range(at..at + 3), 17..20);
    }

    #[test]
    fn strips_comments_but_not_inside_references() {
        let m = Mapped::literal("X = a\\#b $(subst #,x,y) # c", 0);
        assert_eq!(strip_comment(&m).text, "X = a#b $(subst #,x,y) ");
    }

    #[test]
    fn maps_synthesised_text_to_the_reference() {
        let mut m = Mapped::new();
        m.push_literal("a ", 10);
        m.push_synth("x y", 12..19);
        m.push_literal(" b", 19);
        assert_eq!(m.src_range(2..3), 12..19);
        assert_eq!(m.src_range(0..1), 10..11);
        assert_eq!(m.src_range(6..7), 20..21);
    }
}

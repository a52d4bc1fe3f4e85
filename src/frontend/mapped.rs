//! Text decoded from a source file (a Groovy string with its escapes, XML
//! with its entities, a crontab command with `\%`) that remembers, for
//! every byte, the bytes of the file it came from, so a diagnostic on the
//! decoded text points at the source exactly.

use std::ops::Range;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapped {
    pub text: String,
    /// For each byte of `text`, the source range of the character it is
    /// part of (an escape maps all its decoded bytes to the whole escape).
    starts: Vec<u32>,
    ends: Vec<u32>,
    /// Where the source ends, for a range at the end of the text.
    end: u32,
}

impl Mapped {
    pub fn new(source_start: usize) -> Mapped {
        Mapped {
            end: source_start as u32,
            ..Default::default()
        }
    }

    /// Text copied verbatim from the source at `source_start`.
    pub fn push_verbatim(&mut self, s: &str, source_start: usize) {
        self.text.push_str(s);
        for (i, _) in s.bytes().enumerate() {
            self.starts.push((source_start + i) as u32);
            self.ends.push((source_start + i + 1) as u32);
        }
        self.end = (source_start + s.len()) as u32;
    }

    /// Decoded text standing for the source bytes `source` (an escape).
    pub fn push_decoded(&mut self, s: &str, source: Range<usize>) {
        self.text.push_str(s);
        for _ in s.bytes() {
            self.starts.push(source.start as u32);
            self.ends.push(source.end as u32);
        }
        self.end = source.end as u32;
    }

    /// Append another mapped text (string concatenation).
    pub fn append(&mut self, other: &Mapped) {
        self.text.push_str(&other.text);
        self.starts.extend_from_slice(&other.starts);
        self.ends.extend_from_slice(&other.ends);
        self.end = other.end;
    }

    /// The source bytes that `range` of the decoded text came from.
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.starts.get(range.start).copied().unwrap_or(self.end) as usize;
        if range.end <= range.start {
            return start..start;
        }
        let end = self
            .ends
            .get(range.end - 1)
            .copied()
            .unwrap_or(self.end)
            .max(start as u32) as usize;
        start..end
    }

    /// Every byte is the source byte at the same distance from the start.
    pub fn is_verbatim(&self) -> bool {
        let Some(&first) = self.starts.first() else {
            return true;
        };
        self.starts
            .iter()
            .enumerate()
            .all(|(i, &s)| s == first + i as u32 && self.ends[i] == s + 1)
    }

    /// Where the text begins in the source.
    pub fn source_start(&self) -> usize {
        self.starts.first().copied().unwrap_or(self.end) as usize
    }

    /// This text's mapping taken through `outer`: for text whose
    /// "source" is itself the decoded text `outer` (a Groovy string inside
    /// XML), the ranges in `outer`'s source.
    pub fn through(&self, outer: &Mapped) -> Mapped {
        let mut starts = Vec::with_capacity(self.starts.len());
        let mut ends = Vec::with_capacity(self.ends.len());
        for (s, e) in self.starts.iter().zip(&self.ends) {
            let r = outer.source_range(*s as usize..*e as usize);
            starts.push(r.start as u32);
            ends.push(r.end as u32);
        }
        Mapped {
            text: self.text.clone(),
            starts,
            ends,
            end: outer.source_range(self.end as usize..self.end as usize).start as u32,
        }
    }

    /// A sub-range of the text, keeping its mapping.
    pub fn slice(&self, range: Range<usize>) -> Mapped {
        Mapped {
            text: self.text[range.clone()].to_string(),
            starts: self.starts[range.clone()].to_vec(),
            ends: self.ends[range.clone()].to_vec(),
            end: self.source_range(range).end as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mapped;

    #[test]
    fn maps_escapes_back_to_the_source() {
        // source: `a\%b` at offset 10, decoded `a%b`
        let mut m = Mapped::new(10);
        m.push_verbatim("a", 10);
        m.push_decoded("%", 11..13);
        m.push_verbatim("b", 13);
        assert_eq!(m.text, "a%b");
        assert_eq!(m.source_range(0..3), 10..14);
        assert_eq!(m.source_range(1..2), 11..13);
        assert_eq!(m.source_range(2..2), 13..13);
        assert_eq!(m.source_range(3..3), 14..14);
        assert!(!m.is_verbatim());
        assert_eq!(m.slice(2..3).source_range(0..1), 13..14);
    }
}

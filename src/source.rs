//! Source files, byte spans and line/column lookup.
//!
//! Every element of the pipeline model and every diagnostic points back at a
//! [`Span`]: a file and a half-open byte range. Lines and columns are computed
//! only when a report is rendered, and are always 1-based.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Files larger than this are not analysed; they get a parse-error diagnostic.
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A half-open byte range inside one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end.max(range.start) as u32,
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both (same file assumed).
    pub fn cover(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Why a file's text could not be taken as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// The file holds NUL bytes: it is not a text file. Offset of the first NUL.
    Binary { offset: usize },
    /// The file is not valid UTF-8; it was decoded lossily. Offset of the first bad byte.
    InvalidUtf8 { offset: usize },
    /// The file is larger than [`MAX_FILE_SIZE`]; its text was not read.
    TooLarge { size: u64 },
}

/// One file's text, as read once from disk.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as it is shown to users: relative to the current directory
    /// where possible, `/`-separated, without `./` components.
    pub name: String,
    /// The path used to read the file.
    pub path: PathBuf,
    pub text: String,
    pub problem: Option<TextProblem>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(id: FileId, name: String, path: PathBuf, text: String, problem: Option<TextProblem>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            id,
            name,
            path,
            text,
            problem,
            line_starts,
        }
    }

    pub fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.id, range)
    }

    /// 0-based line index of a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of a 0-based line, without its line terminator.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line.min(self.line_starts.len() - 1)];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// Byte range of a 0-based line including its line terminator.
    pub fn full_line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line.min(self.line_starts.len() - 1)];
        let end = self.line_starts.get(line + 1).copied().unwrap_or(self.text.len());
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// The directory the file lives in (for resolving relative paths it names).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// All files read during one run. Frontends running in parallel share it, so
/// a file that several Makefiles include is read once.
#[derive(Debug, Default)]
pub struct SourceDb {
    files: RwLock<Vec<Arc<SourceFile>>>,
    by_key: Mutex<HashMap<PathBuf, FileId>>,
}

impl SourceDb {
    pub fn new() -> Self {
        Self::default()
    }

    /// Read a file (once) and return it. I/O errors are returned; text
    /// problems (binary, non-UTF-8, too large) are recorded on the file.
    pub fn load(&self, path: &Path) -> std::io::Result<Arc<SourceFile>> {
        let key = std::fs::canonicalize(path)?;
        if let Some(id) = self.by_key.lock().unwrap().get(&key) {
            return Ok(self.get(*id));
        }
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        let (text, problem) = if meta.len() > MAX_FILE_SIZE {
            (String::new(), Some(TextProblem::TooLarge { size: meta.len() }))
        } else {
            decode(std::fs::read(path)?)
        };
        Ok(self.insert_keyed(key, path, text, problem))
    }

    /// Add a file that is not on disk (tests, rule examples, generated text).
    /// The same path with the same text is the same file; with another
    /// text (a component text built per call) it is a file of its own.
    pub fn add_virtual(&self, path: &Path, text: String) -> Arc<SourceFile> {
        self.add_virtual_text(path, text, None)
    }

    /// Add a file that is not on disk from its raw bytes, decoded the way
    /// [`SourceDb::load`] decodes a file read from disk: binary, non-UTF-8
    /// and too-large text are recorded on the file.
    pub fn add_virtual_bytes(&self, path: &Path, bytes: Vec<u8>) -> Arc<SourceFile> {
        let (text, problem) = if bytes.len() as u64 > MAX_FILE_SIZE {
            (
                String::new(),
                Some(TextProblem::TooLarge {
                    size: bytes.len() as u64,
                }),
            )
        } else {
            decode(bytes)
        };
        self.add_virtual_text(path, text, problem)
    }

    fn add_virtual_text(&self, path: &Path, text: String, problem: Option<TextProblem>) -> Arc<SourceFile> {
        let base = format!("<virtual>/{}", path.display());
        let mut key = PathBuf::from(&base);
        for n in 2.. {
            let existing = self.by_key.lock().unwrap().get(&key).copied();
            match existing {
                Some(id) if self.get(id).text == text && self.get(id).problem == problem => return self.get(id),
                Some(_) => key = PathBuf::from(format!("{base}#{n}")),
                None => break,
            }
        }
        self.insert_keyed(key, path, text, problem)
    }

    fn insert_keyed(&self, key: PathBuf, path: &Path, text: String, problem: Option<TextProblem>) -> Arc<SourceFile> {
        let mut by_key = self.by_key.lock().unwrap();
        if let Some(id) = by_key.get(&key) {
            return self.get(*id);
        }
        let mut files = self.files.write().unwrap();
        let id = FileId(files.len() as u32);
        let file = Arc::new(SourceFile::new(
            id,
            display_path(path),
            path.to_path_buf(),
            text,
            problem,
        ));
        files.push(file.clone());
        by_key.insert(key, id);
        file
    }

    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        self.files.read().unwrap()[id.0 as usize].clone()
    }

    /// The file already read from this path, if any.
    pub fn lookup(&self, path: &Path) -> Option<Arc<SourceFile>> {
        let key = std::fs::canonicalize(path).ok()?;
        let id = *self.by_key.lock().unwrap().get(&key)?;
        Some(self.get(id))
    }

    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        self.files.read().unwrap().clone()
    }
}

fn decode(bytes: Vec<u8>) -> (String, Option<TextProblem>) {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        // never echo a binary file's control bytes to a terminal
        let sanitize = |b: &[u8]| -> String {
            String::from_utf8_lossy(b)
                .chars()
                .map(|c| {
                    if c.is_control() && c != '\n' && c != '\t' {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect()
        };
        let mut text = sanitize(&bytes[..nul]);
        let offset = text.len();
        text.push_str(&sanitize(&bytes[nul..]));
        return (text, Some(TextProblem::Binary { offset }));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            (text, Some(TextProblem::InvalidUtf8 { offset }))
        }
    }
}

/// Lexically normalise a path: drop `.` components, fold `dir/..`.
pub fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !matches!(out.components().next_back(), Some(Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Lexically normalise a `/`-separated path as written in a source file:
/// fold `.`, `..`, repeated and trailing slashes (`..` above the root of an
/// absolute path is dropped; an empty relative path is `.`).
pub fn normalize_str(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// A path as shown to users: relative to the current directory when it lies
/// below it, `/`-separated, normalised.
pub fn display_path(path: &Path) -> String {
    let mut p = normalize_path(path);
    if p.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = p.strip_prefix(&cwd)
    {
        p = rel.to_path_buf();
    }
    let s = p.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}

/// Join a relative path (as written in a source file, `/`-separated) onto a
/// directory and normalise it; absolute paths are kept.
pub fn join_normalized(dir: &Path, rel: &str) -> PathBuf {
    let rel = Path::new(rel);
    if rel.is_absolute() {
        normalize_path(rel)
    } else {
        normalize_path(&dir.join(rel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_characters() {
        let f = SourceFile::new(FileId(0), "x".into(), "x".into(), "ab\nçd\r\nef".into(), None);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 2)); // after the two-byte ç
        assert_eq!(f.line_col(8), (3, 1));
        assert_eq!(f.line_range(1), 3..6);
        assert_eq!(f.line_col(100), (3, 3));
    }

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize_path(Path::new("./a/b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize_path(Path::new("../a")), PathBuf::from("../a"));
        assert_eq!(normalize_path(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(display_path(Path::new("./Makefile")), "Makefile");
        assert_eq!(normalize_str("./a//b/../c/"), "a/c");
        assert_eq!(normalize_str("/../x"), "/x");
        assert_eq!(normalize_str("a/.."), ".");
    }

    #[test]
    fn decodes_bad_text() {
        assert_eq!(decode(b"ok".to_vec()).1, None);
        assert_eq!(decode(b"a\0b".to_vec()).1, Some(TextProblem::Binary { offset: 1 }));
        let (t, p) = decode(b"\x1b[31m\xff\0x\n".to_vec());
        assert!(!t.contains('\x1b') && !t.contains('\0'), "{t:?}");
        assert_eq!(
            p,
            Some(TextProblem::Binary {
                offset: "\u{FFFD}[31m\u{FFFD}".len()
            })
        );
        let (t, p) = decode(b"ab\xe9c".to_vec());
        assert_eq!(p, Some(TextProblem::InvalidUtf8 { offset: 2 }));
        assert!(t.contains('\u{FFFD}'));
    }
}

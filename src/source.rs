//! Source files, byte spans and line/column lookup.
//!
//! Every element of the pipeline model and every diagnostic points back at a
//! [`Span`]: a file and a half-open byte range. Lines and columns are computed
//! only when a report is rendered, and are always 1-based.

use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

/// Files larger than this are not analysed by default; they get a
/// parse-error diagnostic. A configuration's `max-file-size` changes it
/// ([`SourceDb::with_max_size`]).
pub const MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

/// How much of a file over [`MAX_FILE_SIZE`] is read to tell what it is.
pub const HEAD_SIZE: u64 = 64 * 1024;

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
    /// The file is not valid UTF-8: each byte that is not part of a UTF-8
    /// character was read as the Latin-1 character of that value (a C1
    /// control byte as U+FFFD). Offset of the first bad byte.
    InvalidUtf8 { offset: usize },
    /// The file is larger than the limit; its text was not read. `head`
    /// is its first [`HEAD_SIZE`] bytes (decoded lossily), enough to tell
    /// which frontend the file is for, so that it is reported, not skipped.
    TooLarge { size: u64, limit: u64, head: String },
}

/// A file over the size limit: no text, its first bytes kept (decoded
/// lossily) to tell what it is.
fn too_large(size: u64, limit: u64, head: &[u8]) -> Decoded {
    Decoded {
        text: String::new(),
        problem: Some(TextProblem::TooLarge {
            size,
            limit,
            head: String::from_utf8_lossy(head).into_owned(),
        }),
        widened: Vec::new(),
    }
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
    /// For a file that was not UTF-8: at each text offset just after a
    /// byte decoded to a longer character, how many bytes longer the text
    /// is than the file up to there. Empty when text and file agree.
    widened: Vec<(usize, usize)>,
}

impl SourceFile {
    #[cfg(test)]
    fn new(id: FileId, name: String, path: PathBuf, text: String, problem: Option<TextProblem>) -> Self {
        Self::with_widened(id, name, path, text, problem, Vec::new())
    }

    fn with_widened(
        id: FileId,
        name: String,
        path: PathBuf,
        text: String,
        problem: Option<TextProblem>,
        widened: Vec<(usize, usize)>,
    ) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            id,
            name,
            path,
            text,
            problem,
            line_starts,
            widened,
        }
    }

    /// The offset in the file on disk of a text offset: they differ after
    /// a byte that was not UTF-8 (one byte in the file, two in the text).
    pub fn file_offset(&self, offset: usize) -> usize {
        let i = self.widened.partition_point(|&(at, _)| at <= offset);
        let extra = if i == 0 { 0 } else { self.widened[i - 1].1 };
        offset - extra
    }

    /// The byte range of the character starting at `offset` (empty at the
    /// end of the text), for a label on one character.
    pub fn char_range_at(&self, offset: usize) -> Range<usize> {
        let offset = offset.min(self.text.len());
        let len = self
            .text
            .get(offset..)
            .and_then(|t| t.chars().next())
            .map_or(0, char::len_utf8);
        offset..offset + len
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
#[derive(Debug)]
pub struct SourceDb {
    files: RwLock<Vec<Arc<SourceFile>>>,
    by_key: Mutex<HashMap<PathBuf, FileId>>,
    max_size: u64,
    /// The project directories (canonical) files named by other files
    /// are read from; empty: anywhere.
    roots: RwLock<Vec<PathBuf>>,
}

impl Default for SourceDb {
    fn default() -> Self {
        Self::with_max_size(MAX_FILE_SIZE)
    }
}

impl SourceDb {
    pub fn new() -> Self {
        Self::default()
    }

    /// A database that does not read files larger than `max_size` bytes.
    pub fn with_max_size(max_size: u64) -> Self {
        SourceDb {
            files: RwLock::default(),
            by_key: Mutex::default(),
            max_size,
            roots: RwLock::default(),
        }
    }

    /// Read files that other files name (includes, requirements, modules,
    /// component files) only from below these directories.
    pub fn confine_to(&self, roots: Vec<PathBuf>) {
        let roots = roots
            .into_iter()
            .map(|r| std::fs::canonicalize(&r).unwrap_or(r))
            .collect();
        *self.roots.write().unwrap() = roots;
    }

    /// The project directory a file named by another file must lie in,
    /// when `path` (resolved through symlinks) is outside every one of them.
    pub fn outside_root(&self, path: &Path) -> Option<PathBuf> {
        let roots = self.roots.read().unwrap();
        if roots.is_empty() {
            return None;
        }
        let real = std::fs::canonicalize(path).ok()?;
        if roots.iter().any(|r| real.starts_with(r)) {
            None
        } else {
            Some(roots[0].clone())
        }
    }

    /// The size above which a file's text is not read.
    pub fn max_size(&self) -> u64 {
        self.max_size
    }

    /// Read a file that another file names (once) and return it. I/O
    /// errors are returned, and a file outside the project directories
    /// ([`SourceDb::confine_to`]) is an error too: a symlink or a `../..`
    /// does not make kfr read (and echo) files of the machine it runs on.
    /// Text problems (binary, non-UTF-8, too large) are recorded on the file.
    pub fn load(&self, path: &Path) -> std::io::Result<Arc<SourceFile>> {
        if let Some(root) = self.outside_root(path) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("outside the project directory `{}`", display_path(&root)),
            ));
        }
        self.load_named(path)
    }

    /// Read a file the user named, or that a walk of a directory the user
    /// named found: wherever it is.
    pub fn load_named(&self, path: &Path) -> std::io::Result<Arc<SourceFile>> {
        let key = std::fs::canonicalize(path)?;
        if let Some(id) = self.by_key.lock().unwrap().get(&key) {
            return Ok(self.get(*id));
        }
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        }
        let decoded = if meta.len() > self.max_size {
            let mut head = Vec::new();
            std::fs::File::open(path)?.take(HEAD_SIZE).read_to_end(&mut head)?;
            too_large(meta.len(), self.max_size, &head)
        } else {
            let mut bytes = Vec::new();
            // the file may have grown since its size was taken
            std::fs::File::open(path)?
                .take(self.max_size + 1)
                .read_to_end(&mut bytes)?;
            self.decode_within_limit(bytes)
        };
        Ok(self.insert_decoded(key, path, decoded))
    }

    /// Add a file that is not on disk (tests, rule examples, generated text).
    /// The same path with the same text is the same file; with another
    /// text (a component text built per call) it is a file of its own.
    pub fn add_virtual(&self, path: &Path, text: String) -> Arc<SourceFile> {
        self.add_virtual_decoded(
            path,
            Decoded {
                text,
                problem: None,
                widened: Vec::new(),
            },
        )
    }

    /// Add a file that is not on disk from its raw bytes, decoded the way
    /// [`SourceDb::load`] decodes a file read from disk: binary, non-UTF-8
    /// and too-large text are recorded on the file.
    pub fn add_virtual_bytes(&self, path: &Path, bytes: Vec<u8>) -> Arc<SourceFile> {
        let decoded = self.decode_within_limit(bytes);
        self.add_virtual_decoded(path, decoded)
    }

    /// A file's bytes decoded, or only its head kept when it is over the limit.
    fn decode_within_limit(&self, bytes: Vec<u8>) -> Decoded {
        if bytes.len() as u64 > self.max_size {
            too_large(
                bytes.len() as u64,
                self.max_size,
                &bytes[..bytes.len().min(HEAD_SIZE as usize)],
            )
        } else {
            decode(bytes)
        }
    }

    fn add_virtual_decoded(&self, path: &Path, decoded: Decoded) -> Arc<SourceFile> {
        let base = format!("<virtual>/{}", path.display());
        let mut key = PathBuf::from(&base);
        for n in 2.. {
            let existing = self.by_key.lock().unwrap().get(&key).copied();
            match existing {
                Some(id) if self.get(id).text == decoded.text && self.get(id).problem == decoded.problem => {
                    return self.get(id);
                }
                Some(_) => key = PathBuf::from(format!("{base}#{n}")),
                None => break,
            }
        }
        self.insert_decoded(key, path, decoded)
    }

    fn insert_decoded(&self, key: PathBuf, path: &Path, decoded: Decoded) -> Arc<SourceFile> {
        let mut by_key = self.by_key.lock().unwrap();
        if let Some(id) = by_key.get(&key) {
            return self.get(*id);
        }
        let mut files = self.files.write().unwrap();
        let id = FileId(files.len() as u32);
        let file = Arc::new(SourceFile::with_widened(
            id,
            display_path(path),
            path.to_path_buf(),
            decoded.text,
            decoded.problem,
            decoded.widened,
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

/// A file's bytes as text.
#[derive(Debug)]
struct Decoded {
    text: String,
    problem: Option<TextProblem>,
    widened: Vec<(usize, usize)>,
}

fn decode(bytes: Vec<u8>) -> Decoded {
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
        return Decoded {
            text,
            problem: Some(TextProblem::Binary { offset }),
            widened: Vec::new(),
        };
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return Decoded {
                text,
                problem: None,
                widened: Vec::new(),
            };
        }
        Err(err) => err.into_bytes(),
    };
    // Not UTF-8: most often Latin-1 (an old editor's makefile). Valid UTF-8
    // runs are kept; every other byte is one character, so columns count
    // as an editor showing the file as Latin-1 counts them, and
    // `widened` maps text offsets back to the file's bytes.
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut widened = Vec::new();
    let mut extra = 0;
    let mut first_bad = None;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for &b in chunk.invalid() {
            first_bad.get_or_insert(text.len());
            // C1 controls are no text, and some terminals obey them
            let c = if b >= 0xA0 { char::from(b) } else { '\u{FFFD}' };
            text.push(c);
            extra += c.len_utf8() - 1;
            widened.push((text.len(), extra));
        }
    }
    Decoded {
        text,
        problem: Some(TextProblem::InvalidUtf8 {
            offset: first_bad.unwrap_or(0),
        }),
        widened,
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

/// Why a file was not read, for a message: the I/O error without its
/// `(os error N)`.
pub fn why_not_read(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
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
        let problem = |b: &[u8]| decode(b.to_vec()).problem;
        assert_eq!(problem(b"ok"), None);
        assert_eq!(problem(b"a\0b"), Some(TextProblem::Binary { offset: 1 }));
        let d = decode(b"\x1b[31m\xff\0x\n".to_vec());
        assert!(!d.text.contains('\x1b') && !d.text.contains('\0'), "{:?}", d.text);
        assert_eq!(
            d.problem,
            Some(TextProblem::Binary {
                offset: "\u{FFFD}[31m\u{FFFD}".len()
            })
        );
        let d = decode(b"ab\xe9c".to_vec());
        assert_eq!(d.problem, Some(TextProblem::InvalidUtf8 { offset: 2 }));
        assert_eq!(d.text, "abéc");
        // a C1 control byte is not echoed
        assert_eq!(decode(b"a\x9bb".to_vec()).text, "a\u{FFFD}b");
    }

    fn file_of(bytes: &[u8]) -> SourceFile {
        let d = decode(bytes.to_vec());
        SourceFile::with_widened(FileId(0), "x".into(), "x".into(), d.text, d.problem, d.widened)
    }

    #[test]
    fn latin1_keeps_columns_and_file_offsets() {
        // `é` then `©`: a lossy UTF-8 decoder takes the two bytes for one
        // broken character; read as Latin-1 they are two
        let bytes = b"# mod\xe8le \xe9\xa9\nall: x\n\tcurl http://x | sh\n";
        let f = file_of(bytes);
        assert!(f.text.starts_with("# modèle é©\n"), "{:?}", f.text);
        let at = f.text.find('é').unwrap() + 'é'.len_utf8() + '©'.len_utf8();
        assert_eq!(f.line_col(at), (1, 12));
        assert_eq!(f.file_offset(at), 11);
        let curl = f.text.find("curl").unwrap();
        assert_eq!(f.file_offset(curl), bytes.iter().position(|&b| b == b'c').unwrap());
        assert_eq!(f.line_col(curl), (3, 2));
        assert_eq!(f.file_offset(0), 0);
        assert_eq!(f.file_offset(f.text.find('è').unwrap()), 5);
        // valid UTF-8 beside the bad bytes is kept as it is
        let f = file_of(b"\xc3\xa9\xe9");
        assert_eq!(f.text, "éé");
        assert_eq!(f.file_offset(f.text.len()), 3);
        assert_eq!(f.char_range_at(0), 0..2);
        assert_eq!(f.char_range_at(4), 4..4);
    }

    #[test]
    fn the_size_limit_is_the_databases() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Makefile");
        std::fs::write(&p, "all:\n\ttrue\n").unwrap();
        let small = SourceDb::with_max_size(4).load(&p).unwrap();
        assert_eq!(
            small.problem,
            Some(TextProblem::TooLarge {
                size: 11,
                limit: 4,
                head: "all:\n\ttrue\n".into()
            })
        );
        assert!(small.text.is_empty());
        let db = SourceDb::new();
        assert_eq!(db.max_size(), MAX_FILE_SIZE);
        assert_eq!(db.load(&p).unwrap().problem, None);
    }

    #[test]
    fn named_files_are_read_only_inside_the_roots() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo/sub")).unwrap();
        std::fs::write(dir.path().join("secret.mk"), "X = 1\n").unwrap();
        std::fs::write(dir.path().join("repo/sub/ok.mk"), "Y = 2\n").unwrap();
        let db = SourceDb::new();
        db.confine_to(vec![dir.path().join("repo")]);
        assert!(db.load(&dir.path().join("repo/sub/ok.mk")).is_ok());
        let e = db.load(&dir.path().join("repo/sub/../../secret.mk")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.mk"), dir.path().join("repo/link.mk")).unwrap();
            assert!(
                db.load(&dir.path().join("repo/link.mk")).is_err(),
                "a symlink out is not followed"
            );
        }
        assert!(db.load_named(&dir.path().join("secret.mk")).is_ok());
        assert!(
            SourceDb::new().load(&dir.path().join("secret.mk")).is_ok(),
            "unconfined"
        );
    }

    #[test]
    fn a_file_gone_before_it_is_read_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Makefile");
        std::fs::write(&p, "all:\n").unwrap();
        std::fs::remove_file(&p).unwrap();
        let db = SourceDb::new();
        let e = db.load(&p).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(db.all().is_empty());
        assert!(db.load(dir.path()).is_err(), "a directory is no source file");
    }
}

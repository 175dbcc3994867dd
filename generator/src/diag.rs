//! Errors and warnings that point at a file and line.
//!
//! Every failure a user can cause with their input (a page, a spec, a corpus
//! document) is an [`Error`] naming where it happened and what to do; warnings
//! are doubtful readings that were resolved and are worth a look. Both carry
//! their [`Kind`], the file actually read, the line where one is known, and,
//! once the API is known, the API and the field path, so a report can group
//! them without reading the message.

use std::fmt;
use std::path::{Path, PathBuf};

/// What a diagnostic is about, by the stage that raised it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Kind {
    /// A file or folder could not be read or written.
    Io,
    /// A page, corpus document or spec file that does not read as one.
    Input,
    /// Two inputs describe one API.
    DuplicateApi,
    /// Two APIs would be generated into one module file.
    ModuleClash,
    /// An API that reads but cannot be generated as it is.
    Codegen,
}

/// `file:line: api: path: `, each part where known: the line says where in
/// the file, the API and field path what it is about.
fn write_place(
    f: &mut fmt::Formatter<'_>,
    file: &Path,
    line: Option<usize>,
    api: &Option<String>,
    path: &Option<String>,
) -> fmt::Result {
    write!(f, "{}", file.display())?;
    if let Some(l) = line {
        write!(f, ":{l}")?;
    }
    write!(f, ": ")?;
    for part in [api, path].into_iter().flatten() {
        write!(f, "{part}: ")?;
    }
    Ok(())
}

/// A located, user-facing error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    pub file: PathBuf,
    /// 1-based line, where one is known.
    pub line: Option<usize>,
    pub api: Option<String>,
    pub path: Option<String>,
    pub message: String,
}

impl Error {
    /// An error in an input file.
    pub fn at(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Input,
            file: file.to_path_buf(),
            line,
            api: None,
            path: None,
            message: message.into(),
        }
    }

    pub fn io(file: &Path, e: std::io::Error) -> Self {
        Error::at(file, None, format!("cannot access: {e}")).with_kind(Kind::Io)
    }

    /// An error of `kind` about `api`, and below it `path` when given.
    pub fn about(
        kind: Kind,
        file: &Path,
        api: &str,
        path: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error {
            kind,
            api: Some(api.to_string()),
            path: path.map(str::to_string),
            ..Error::at(file, None, message)
        }
    }

    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_place(f, &self.file, self.line, &self.api, &self.path)?;
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

/// A doubtful reading that was resolved; reported, never fatal. Serialized
/// only to keep it with a cached result.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub kind: Kind,
    pub file: PathBuf,
    pub line: Option<usize>,
    pub api: Option<String>,
    pub path: Option<String>,
    pub message: String,
}

impl Warning {
    /// A doubtful reading of an input file.
    pub fn at(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Error::at(file, line, message).into()
    }

    /// A warning of `kind` about `api`, and below it `path` when given.
    pub fn about(
        kind: Kind,
        file: &Path,
        api: &str,
        path: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::about(kind, file, api, path, message).into()
    }

    /// The form stored in a spec's `notes`: line and message, no path.
    pub fn note(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// The same place and message, resolved rather than fatal.
impl From<Error> for Warning {
    fn from(e: Error) -> Self {
        let Error {
            kind,
            file,
            line,
            api,
            path,
            message,
        } = e;
        Warning {
            kind,
            file,
            line,
            api,
            path,
            message,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "warning: ")?;
        write_place(f, &self.file, self.line, &self.api, &self.path)?;
        write!(f, "{}", self.message)
    }
}

/// Byte offsets where each line of a text starts: offset → 1-based line
/// without rescanning the text for every lookup.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &[u8]) -> Self {
        let starts = std::iter::once(0)
            .chain(
                text.iter()
                    .enumerate()
                    .filter(|&(_, &b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Lines { starts }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let idx = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        (idx + 1, offset - self.starts[idx] + 1)
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.position(offset).0
    }
}

/// 1-based line of a byte offset, for a one-off lookup.
pub fn line_of(text: &[u8], offset: usize) -> usize {
    text[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// First 1-based line containing `needle`.
pub fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_file_line_api_and_path_where_known() {
        let e = Error::at(Path::new("p.txt"), Some(3), "bad");
        assert_eq!(e.to_string(), "p.txt:3: bad");
        assert_eq!(e.kind, Kind::Input);
        let e = Error::about(
            Kind::Codegen,
            Path::new("specs/a.b.yaml"),
            "a.b",
            Some("response.x"),
            "no",
        );
        assert_eq!(e.to_string(), "specs/a.b.yaml: a.b: response.x: no");
        let w = Warning::about(Kind::Codegen, Path::new("s.yaml"), "a.b", None, "hm");
        assert_eq!(w.to_string(), "warning: s.yaml: a.b: hm");
        let e = Error { line: Some(7), ..e };
        assert_eq!(e.to_string(), "specs/a.b.yaml:7: a.b: response.x: no");
        assert_eq!(w.note(), "hm");
    }

    #[test]
    fn offsets_become_lines() {
        let text = b"ab\ncd\n\nef";
        let lines = Lines::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(4), (2, 2));
        assert_eq!(lines.line(6), 3);
        assert_eq!(lines.line(9), 4);
        assert_eq!(line_of(text, 7), 4);
        assert_eq!(find_line("x\ny: 1\n", "y:"), Some(2));
    }
}

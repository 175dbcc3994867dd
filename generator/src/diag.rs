//! Errors and warnings that point at a file and line.
//!
//! Every failure a user can cause with their input (a page, a spec, a corpus
//! document) is an [`Error`] naming where it happened and what to do; warnings
//! are doubtful readings that were resolved and are worth a look.

use std::fmt;
use std::path::{Path, PathBuf};

/// A located, user-facing error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub file: PathBuf,
    /// 1-based line, where one is known.
    pub line: Option<usize>,
    pub message: String,
}

impl Error {
    pub fn at(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Error {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    pub fn io(file: &Path, e: std::io::Error) -> Self {
        Error::at(file, None, format!("cannot access: {e}"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for Error {}

/// A doubtful reading that was resolved; reported, never fatal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    pub fn at(file: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Warning {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }

    /// The form stored in a spec's `notes`: line and message, no path.
    pub fn note(&self) -> String {
        match self.line {
            Some(l) => format!("line {l}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "warning: {}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "warning: {}: {}", self.file.display(), self.message),
        }
    }
}

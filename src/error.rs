//! The crate's one error type.
//!
//! Every variant answers "where?": the source (a file name, or a label such as `bundle`), the
//! line and the field when they are known, and what was expected against what was found.
//! The wasm boundary converts this type to `JsError` in exactly one place (`wasm::to_js`).

use std::fmt;

/// Where in an input a problem was found. `line` is 1-based and counts physical lines, so a
/// quoted multi-line field moves the next record's line number on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// File name or a label for in-memory input (`<bundle>`, `<stdin>`).
    pub source: String,
    /// 1-based line of the record, when the input is line-oriented.
    pub line: Option<u64>,
    /// Column or field name, when one field is at fault.
    pub field: Option<String>,
}

impl Location {
    /// A location that names only its source.
    pub fn source(source: impl Into<String>) -> Self {
        Location {
            source: source.into(),
            line: None,
            field: None,
        }
    }

    /// The same location at `line`.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same location narrowed to `field`.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, " field `{field}`")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in influence-rec.
/// Variant fields are described by the variant's message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Error {
    /// A value could not be read as what its field holds.
    #[error("{at}: expected {expected}, found {found:?}")]
    Parse {
        at: Location,
        expected: String,
        found: String,
    },
    /// A record or table is malformed as a whole (wrong field count, missing column, ...).
    #[error("{at}: {message}")]
    Malformed { at: Location, message: String },
    /// A lookup by name failed.
    #[error("unknown {what}: {name:?}")]
    Unknown { what: &'static str, name: String },
    /// Parameters were rejected before any work started.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParam { name: &'static str, message: String },
    /// The bytes are not an influence-rec artifact at all.
    #[error("{source_name}: not an influence-rec bundle (bad magic bytes)")]
    BadMagic { source_name: String },
    /// The artifact is of a format version this build does not read.
    #[error("{source_name}: bundle format version {found} is not supported (this build reads {supported})")]
    UnsupportedVersion {
        source_name: String,
        found: u32,
        supported: u32,
    },
    /// The artifact is of another kind than the caller asked for.
    #[error("{source_name}: artifact kind {found} where kind {expected} was expected")]
    WrongKind {
        source_name: String,
        expected: u32,
        found: u32,
    },
    /// A detail shard of another bundle than the one loaded.
    #[error("{source_name}: details of bundle {found}, but the loaded bundle is {expected}")]
    StaleShard {
        source_name: String,
        expected: String,
        found: String,
    },
    /// The artifact ends early or its checksum does not match.
    #[error("{source_name}: bundle is truncated or corrupted: {message}")]
    Corrupted {
        source_name: String,
        message: String,
    },
    /// The artifact's payload passed its checksum but does not decode (a writer bug or a
    /// crafted file).
    #[error("{source_name}: bundle is truncated or corrupted: payload does not decode: {source}")]
    Decode {
        source_name: String,
        #[source]
        source: postcard::Error,
    },
    /// A value could not be encoded for `dest` (postcard or JSON).
    #[error("{dest}: cannot encode: {source}")]
    Encode {
        dest: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Arrays of inconsistent shapes were combined (a bug in the caller, not bad input).
    #[error("{what}: inconsistent shapes: {source}")]
    Shape {
        what: &'static str,
        #[source]
        source: ndarray::ShapeError,
    },
    /// Parts that must agree do not (a model trained on other tables, say).
    #[error("{what}: {message}")]
    Inconsistent { what: &'static str, message: String },
    /// The collector's database refused an operation; `source` is the driver's error when
    /// there is one.
    #[error("{path}: database: {message}")]
    Database {
        path: String,
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// An I/O failure, with the path it happened on.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Shorthand for a [`Error::Parse`].
    pub fn parse(at: Location, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Error::Parse {
            at,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Shorthand for a [`Error::Malformed`].
    pub fn malformed(at: Location, message: impl Into<String>) -> Self {
        Error::Malformed {
            at,
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::Encode`] towards `dest`.
    pub fn encode(
        dest: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Encode {
            dest: dest.into(),
            source: Box::new(source),
        }
    }

    /// Shorthand for an [`Error::Io`] on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

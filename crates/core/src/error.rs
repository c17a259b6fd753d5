use thiserror::Error;

/// Why a raw value could not become a typed [`crate::Value`] or identifier.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ValueError {
    #[error("`{field}` expects {expected}, got `{got}`")]
    Type {
        field: String,
        expected: &'static str,
        got: String,
    },
    #[error("`{field}` is required")]
    Missing { field: String },
    #[error("unknown property `{field}`")]
    UnknownProperty { field: String },
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
}

/// A storage failure, shared by every repository trait (the twin's, trust's, the audit
/// log's) so one store can implement them all. The message is for logs and operators;
/// the HTTP edge shows clients only a stable code.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("storage backend: {0}")]
    Backend(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A unique key is already taken (a user name, a token id).
    #[error("already exists: {0}")]
    Conflict(String),
}

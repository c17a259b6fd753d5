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

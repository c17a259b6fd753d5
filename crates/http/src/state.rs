use std::sync::Arc;

use citymirror_twin::TwinService;

use crate::security::Security;

/// What every handler shares: the twin's service (reads and the one write path), trust
/// (who is calling, the audit log) and the HTTP configuration.
#[derive(Debug, Clone)]
pub struct AppState {
    pub service: Arc<TwinService>,
    pub security: Security,
    pub config: HttpConfig,
}

/// How the HTTP edge presents itself.
#[derive(Debug, Clone, Default)]
pub struct HttpConfig {
    /// The absolute URL clients reach this server at (`https://twin.example.org`, or with a
    /// path prefix behind a proxy). Every link in every response starts with it. When
    /// `None`, links are built from the request's `Host` header with scheme `http`.
    pub public_url: Option<String>,
}

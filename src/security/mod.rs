//! Who may call: TLS (optionally mutual) on the gRPC port and bearer tokens
//! on the text service, both reloadable without a restart.
//!
//! - Plain text is the default. It is meant for loopback, or inside a mesh
//!   whose sidecars provide TLS; start-up warns when it is used elsewhere.
//! - With `--tls-cert`/`--tls-key` the port speaks TLS only; with
//!   `--tls-client-ca` a client must also present a certificate from that CA,
//!   or its handshake is refused.
//! - With `--auth-token-file` and/or `TEXTPIPE_AUTH_TOKENS`, calls to
//!   `textpipe.v1.TextPipeService` and to server reflection need
//!   `authorization: Bearer <token>`; the health service stays open so
//!   probes work without a secret.
//! - [`Reloader::reload`] re-reads every file (SIGHUP calls it), and
//!   [`Reloader::watch`] does so when a file changes.

pub mod auth;
pub mod tls;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tonic::{Request, Status};

use crate::config::Settings;
use crate::metrics::Metrics;
use auth::TokenSet;
use tls::TlsState;

/// TLS and token state of a server.
#[derive(Debug, Clone, Default)]
pub struct Security {
    /// TLS in force, when configured.
    pub tls: Option<Arc<TlsState>>,
    /// Tokens in force, when configured.
    pub tokens: Option<Arc<TokenSet>>,
}

impl Security {
    /// Loads what the settings name; errors name the flag or variable.
    ///
    /// # Errors
    /// When a file cannot be read or parsed, or a token is malformed.
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        let tls = match settings.tls_files() {
            Some(files) => Some(Arc::new(TlsState::load(files)?)),
            None => None,
        };
        let tokens = TokenSet::load(settings.auth_token_file.as_deref(), &settings.auth_tokens)?
            .map(Arc::new);
        Ok(Self { tls, tokens })
    }

    /// The handle that reloads this state.
    pub fn reloader(&self) -> Reloader {
        Reloader {
            security: self.clone(),
        }
    }

    /// Whether client certificates are required.
    pub fn mutual_tls(&self) -> bool {
        self.tls
            .as_ref()
            .is_some_and(|tls| tls.files().client_ca.is_some())
    }
}

/// Checks the bearer token of a call when tokens are configured; counts and
/// logs a refusal (the reason, never the token).
///
/// # Errors
/// `UNAUTHENTICATED` when tokens are configured and the call has none of them.
pub fn authorize(
    tokens: Option<&TokenSet>,
    metrics: &Metrics,
    request: Request<()>,
) -> Result<Request<()>, Status> {
    let Some(tokens) = tokens else {
        return Ok(request);
    };
    match tokens.check(&request) {
        Ok(()) => Ok(request),
        Err(refused) => {
            metrics.unauthenticated(refused.reason());
            tracing::info!(
                reason = refused.reason(),
                peer = ?request.remote_addr(),
                code = "UNAUTHENTICATED",
                "call refused"
            );
            Err(refused.status())
        }
    }
}

/// Re-reads the TLS files and the token file. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Reloader {
    security: Security,
}

impl Reloader {
    /// Reloads everything that comes from a file; what fails keeps its
    /// previous state, and each outcome is logged.
    ///
    /// # Errors
    /// The first failure, after every part was tried.
    pub fn reload(&self) -> anyhow::Result<()> {
        let tls = self.reload_tls(false);
        let tokens = self.reload_tokens(false);
        let token_file = self.security.tokens.as_ref().and_then(|t| t.file());
        if self.security.tls.is_none() && token_file.is_none() {
            tracing::info!("reload asked for, but no TLS or token file is configured");
        }
        tls.and(tokens)
    }

    /// `quiet`: log no failure (a retry of files already reported broken).
    fn reload_tls(&self, quiet: bool) -> anyhow::Result<()> {
        let Some(tls) = &self.security.tls else {
            return Ok(());
        };
        match tls.reload() {
            Ok(()) => {
                tracing::info!("TLS files reloaded; new connections use them");
                Ok(())
            }
            Err(e) => {
                if quiet {
                    return Err(e);
                }
                tracing::error!(
                    error.message = format!("{e:#}"),
                    "TLS reload failed; the previous certificate stays in force"
                );
                Err(e)
            }
        }
    }

    fn reload_tokens(&self, quiet: bool) -> anyhow::Result<()> {
        let Some(tokens) = &self.security.tokens else {
            return Ok(());
        };
        if tokens.file().is_none() {
            return Ok(());
        }
        match tokens.reload() {
            Ok(()) => {
                tracing::info!(tokens = tokens.len(), "token file reloaded");
                Ok(())
            }
            Err(e) => {
                if quiet {
                    return Err(e.into());
                }
                tracing::error!(
                    error.message = %e,
                    "token file reload failed; the previous tokens stay in force"
                );
                Err(e.into())
            }
        }
    }

    /// Polls the files every `every` and reloads a part whose files changed
    /// (modification time, size or inode). A reload that fails is retried
    /// on each poll but logged once per version of the files. Runs until
    /// dropped; returns at once when there is nothing to watch.
    pub async fn watch(self, every: Duration) {
        let tls_paths: Vec<PathBuf> = self
            .security
            .tls
            .as_ref()
            .map(|tls| {
                tls.files()
                    .paths()
                    .into_iter()
                    .map(Path::to_path_buf)
                    .collect()
            })
            .unwrap_or_default();
        let token_paths: Vec<PathBuf> = self
            .security
            .tokens
            .as_ref()
            .and_then(|t| t.file())
            .map(|p| vec![p.to_path_buf()])
            .unwrap_or_default();
        if tls_paths.is_empty() && token_paths.is_empty() {
            return;
        }
        let mut tls_seen = Watched::new(&tls_paths);
        let mut tokens_seen = Watched::new(&token_paths);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            tls_seen.check(&tls_paths, |quiet| self.reload_tls(quiet));
            tokens_seen.check(&token_paths, |quiet| self.reload_tokens(quiet));
        }
    }
}

/// What a set of files looked like when last applied, and at the last failed try.
struct Watched {
    applied: Vec<Option<Stamp>>,
    failed: Option<Vec<Option<Stamp>>>,
}

impl Watched {
    fn new(paths: &[PathBuf]) -> Self {
        Self {
            applied: stamps(paths),
            failed: None,
        }
    }

    /// Reloads when the files differ from those applied; `reload(quiet)`.
    fn check(&mut self, paths: &[PathBuf], reload: impl FnOnce(bool) -> anyhow::Result<()>) {
        if paths.is_empty() {
            return;
        }
        let now = stamps(paths);
        if now == self.applied {
            return;
        }
        // The same broken files as at the last try: try again, quietly.
        let retry = self.failed.as_ref() == Some(&now);
        if !retry {
            tracing::info!("a watched TLS or token file changed; reloading");
        }
        if reload(retry).is_ok() {
            self.applied = now;
            self.failed = None;
        } else {
            self.failed = Some(now);
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamps(paths: &[PathBuf]) -> Vec<Option<Stamp>> {
    paths
        .iter()
        .map(|path| {
            // metadata() follows symlinks, so a Kubernetes secret update (a
            // symlink swapped to a new directory) shows as a new inode.
            let meta = std::fs::metadata(path).ok()?;
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let inode = 0;
            Some(Stamp {
                modified: meta.modified().ok(),
                len: meta.len(),
                inode,
            })
        })
        .collect()
}

/// Calls [`Reloader::reload`] on every SIGHUP, until dropped. Installing the
/// handler replaces SIGHUP's default action (exit) for the whole process.
#[cfg(unix)]
pub async fn reload_on_sighup(reloader: Reloader) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(e) => {
            tracing::warn!(error.message = %e, "cannot install a SIGHUP handler; reload on change only");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        tracing::info!(signal = "SIGHUP", "reloading TLS and token files");
        let _ = reloader.reload();
    }
}

/// Without Unix signals there is nothing to wait for.
#[cfg(not(unix))]
pub async fn reload_on_sighup(_reloader: Reloader) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_reloaded_once_and_a_failure_retried_quietly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cert.pem");
        std::fs::write(&path, "one").unwrap();
        let paths = vec![path.clone()];
        let mut watched = Watched::new(&paths);
        watched.check(&paths, |_| panic!("unchanged files are not reloaded"));

        std::fs::write(&path, "two, longer").unwrap();
        let mut calls = Vec::new();
        watched.check(&paths, |quiet| {
            calls.push(quiet);
            Err(anyhow::anyhow!("half-written"))
        });
        watched.check(&paths, |quiet| {
            calls.push(quiet);
            Err(anyhow::anyhow!("still broken"))
        });
        watched.check(&paths, |quiet| {
            calls.push(quiet);
            Ok(())
        });
        watched.check(&paths, |_| panic!("applied files are not reloaded again"));
        // Loud the first time, quiet on the retries of the same files.
        assert_eq!(calls, [false, true, true]);

        std::fs::remove_file(&path).unwrap();
        let mut called = false;
        watched.check(&paths, |_| {
            called = true;
            Err(anyhow::anyhow!("gone"))
        });
        assert!(called, "a vanished file counts as a change");
    }
}

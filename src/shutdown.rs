//! The stop signal: SIGTERM (what container runtimes send) or SIGINT.

/// Resolves when the process receives SIGTERM or SIGINT. If a handler
/// cannot be installed, that signal is ignored and the other still works.
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!(signal = "SIGINT", "stop signal received"),
        () = term => tracing::info!(signal = "SIGTERM", "stop signal received"),
    }
}

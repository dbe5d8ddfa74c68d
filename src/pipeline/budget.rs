//! A cooperative bound on one call's work. The service runs each call
//! [`within`] its deadline; the long loops of the pipeline (HTML is
//! tokenized in 64 KiB pieces) and every stage boundary ask [`spent`], and
//! a call past its bound stops there with [`PipelineError::DeadlineExceeded`]
//! instead of running to the end after its caller has been answered.
//!
//! The bound lives in a thread-local because the pipeline is synchronous:
//! one call runs on one worker thread from start to end. Outside `within`
//! (the command line, benches) nothing is bounded.
//!
//! [`PipelineError::DeadlineExceeded`]: super::PipelineError::DeadlineExceeded

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with the pipeline work it does on this thread bounded by
/// `deadline`: work still running then gives up at its next check.
pub fn within<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    /// Puts the enclosing bound back, even if `f` unwinds.
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            DEADLINE.with(|d| d.set(self.0));
        }
    }
    let outer = DEADLINE.with(|d| d.replace(Some(deadline)));
    // A nested bound cannot outlive the one around it.
    if let Some(outer) = outer {
        DEADLINE.with(|d| d.set(Some(deadline.min(outer))));
    }
    let _restore = Restore(outer);
    f()
}

/// Whether the work on this thread is past its bound.
pub(crate) fn spent() -> bool {
    DEADLINE
        .with(Cell::get)
        .is_some_and(|deadline| Instant::now() >= deadline)
}

/// `Err(DeadlineExceeded)` once the work on this thread is past its bound.
pub(crate) fn check() -> Result<(), super::PipelineError> {
    if spent() {
        Err(super::PipelineError::DeadlineExceeded)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn unbounded_outside_within() {
        assert!(!spent());
        assert!(check().is_ok());
    }

    #[test]
    fn a_past_deadline_is_spent_and_restored_after() {
        within(Instant::now(), || assert!(spent()));
        assert!(!spent());
        let later = Instant::now() + Duration::from_secs(3600);
        within(later, || {
            assert!(!spent());
            // An inner bound cannot extend the outer one, and ends with it.
            within(later + Duration::from_secs(3600), || assert!(!spent()));
            within(Instant::now(), || assert!(spent()));
            assert!(!spent());
        });
    }

    #[test]
    fn restored_when_the_work_panics() {
        let caught = std::panic::catch_unwind(|| within(Instant::now(), || panic!("boom")));
        assert!(caught.is_err());
        assert!(!spent());
    }
}

//! A cooperative bound on one call's work. The service runs each call
//! [`within`] its deadline; the long loops of the pipeline (HTML is
//! tokenized in 64 KiB pieces) and every stage boundary ask `spent`, and
//! a call past its bound stops there with [`PipelineError::DeadlineExceeded`]
//! instead of running to the end after its caller has been answered. A call
//! whose caller went away ([`Cancel`]) stops the same way, with
//! [`PipelineError::Cancelled`].
//!
//! The bound lives in a thread-local because the pipeline is synchronous:
//! one call runs on one worker thread from start to end. Outside `within`
//! (the command line, benches) nothing is bounded.
//!
//! [`PipelineError::DeadlineExceeded`]: super::PipelineError::DeadlineExceeded
//! [`PipelineError::Cancelled`]: super::PipelineError::Cancelled

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A flag another thread raises when the caller of the work has gone (the
/// service raises it when the call's future is dropped): work that asks
/// `spent` then stops as it would at its deadline.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag; work under it stops at its next check.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag was raised.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The bound of the work on this thread.
#[derive(Debug, Clone, Default)]
struct Bound {
    deadline: Option<Instant>,
    cancel: Option<Cancel>,
}

thread_local! {
    static BOUND: RefCell<Bound> = RefCell::new(Bound::default());
}

/// Runs `f` with the pipeline work it does on this thread bounded by
/// `deadline`: work still running then gives up at its next check.
pub fn within<T>(deadline: Instant, f: impl FnOnce() -> T) -> T {
    bounded(Some(deadline), None, f)
}

/// [`within`], and also stopped early once `cancel` is raised.
pub fn within_or_cancelled<T>(
    deadline: Option<Instant>,
    cancel: &Cancel,
    f: impl FnOnce() -> T,
) -> T {
    bounded(deadline, Some(cancel.clone()), f)
}

fn bounded<T>(deadline: Option<Instant>, cancel: Option<Cancel>, f: impl FnOnce() -> T) -> T {
    /// Puts the enclosing bound back, even if `f` unwinds.
    struct Restore(Bound);
    impl Drop for Restore {
        fn drop(&mut self) {
            let outer = std::mem::take(&mut self.0);
            BOUND.with(|b| *b.borrow_mut() = outer);
        }
    }
    let outer = BOUND.with(|b| b.borrow().clone());
    // A nested bound cannot outlive the one around it, nor shed its flag.
    let inner = Bound {
        deadline: match (deadline, outer.deadline) {
            (Some(inner), Some(outer)) => Some(inner.min(outer)),
            (inner, outer) => inner.or(outer),
        },
        cancel: cancel.or_else(|| outer.cancel.clone()),
    };
    BOUND.with(|b| *b.borrow_mut() = inner);
    let _restore = Restore(outer);
    f()
}

/// Why the work on this thread must stop, if it must.
fn stop_reason() -> Option<super::PipelineError> {
    BOUND.with(|b| {
        let b = b.borrow();
        if b.cancel.as_ref().is_some_and(Cancel::is_cancelled) {
            Some(super::PipelineError::Cancelled)
        } else if b
            .deadline
            .is_some_and(|deadline| Instant::now() >= deadline)
        {
            Some(super::PipelineError::DeadlineExceeded)
        } else {
            None
        }
    })
}

/// Whether the work on this thread is past its bound or cancelled.
pub(crate) fn spent() -> bool {
    stop_reason().is_some()
}

/// `Err(DeadlineExceeded)` once the work on this thread is past its bound,
/// `Err(Cancelled)` once its caller has gone.
pub(crate) fn check() -> Result<(), super::PipelineError> {
    stop_reason().map_or(Ok(()), Err)
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
    fn a_raised_flag_stops_the_work_as_cancelled() {
        let cancel = Cancel::new();
        let later = Instant::now() + Duration::from_secs(3600);
        within_or_cancelled(Some(later), &cancel, || {
            assert_eq!(check(), Ok(()));
            cancel.cancel();
            assert_eq!(check(), Err(super::super::PipelineError::Cancelled));
            // A nested deadline keeps the flag of the bound around it.
            within(later, || assert!(spent()));
        });
        assert!(!spent());
        within_or_cancelled(None, &Cancel::new(), || assert!(!spent()));
    }

    #[test]
    fn restored_when_the_work_panics() {
        let caught = std::panic::catch_unwind(|| within(Instant::now(), || panic!("boom")));
        assert!(caught.is_err());
        assert!(!spent());
    }
}

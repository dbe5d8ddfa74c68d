//! The bound on the documents admitted calls hold at once
//! ([`Limits::max_in_flight_bytes`]), charged in KiB permits.
//!
//! A unary call is charged when the length prefix of its request message
//! arrives ([`super::codec::SizeLimited`]), before tonic buffers the
//! message: a call over the budget is refused without its body being held
//! in memory. The permit travels to the handler in a `Prepaid` request
//! extension and is held until the work ends.
//!
//! [`Limits::max_in_flight_bytes`]: super::Limits::max_in_flight_bytes

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::Status;

use super::status::CallError;

/// Input bytes of admitted calls, one permit per KiB.
#[derive(Debug, Clone)]
pub struct ByteBudget {
    kib: Arc<Semaphore>,
    limit_bytes: usize,
}

impl ByteBudget {
    /// A budget of `limit_bytes` (rounded up to whole KiB).
    pub fn new(limit_bytes: usize) -> Self {
        Self {
            kib: Arc::new(Semaphore::new(kib(limit_bytes))),
            limit_bytes,
        }
    }

    /// KiB permits a document of `bytes` takes: at least one, at most the
    /// whole budget, so a lone large document still runs.
    pub(crate) fn charge(&self, bytes: usize) -> u32 {
        let budget = kib(self.limit_bytes);
        u32::try_from(kib(bytes).clamp(1, budget)).unwrap_or(u32::MAX)
    }

    /// Takes the permits for `bytes` now, or refuses with RESOURCE_EXHAUSTED.
    pub(crate) fn try_take(&self, bytes: usize) -> Result<OwnedSemaphorePermit, Status> {
        self.try_permit(bytes).ok_or_else(|| {
            CallError::BusyBytes {
                mib: self.limit_bytes >> 20,
            }
            .into()
        })
    }

    /// The permits for `bytes` if they are free now; for callers that retry
    /// and need no refusal to send.
    pub(crate) fn try_permit(&self, bytes: usize) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.kib)
            .try_acquire_many_owned(self.charge(bytes))
            .ok()
    }

    /// KiB not held by any call.
    #[cfg(test)]
    pub(crate) fn available_kib(&self) -> usize {
        self.kib.available_permits()
    }
}

/// `bytes` in KiB, rounded up.
fn kib(bytes: usize) -> usize {
    bytes.div_ceil(1024)
}

/// The permit a request took when its length prefix arrived, handed from
/// the body (which fills it) to the handler (which takes it). Empty when
/// the call came in some other way (handler tests). It also records
/// whether the call's one log line and metrics are taken care of (the
/// handler reached it, or the prefix refusal wrote them), so a call refused
/// before its handler (a message that does not decode) is still counted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepaid(Arc<Mutex<Ticket>>);

#[derive(Debug, Default)]
struct Ticket {
    permit: Option<OwnedSemaphorePermit>,
    accounted: bool,
    cut_off: Option<String>,
}

impl Prepaid {
    fn ticket(&self) -> std::sync::MutexGuard<'_, Ticket> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps `permit` for the handler (a unary call has one message; the
    /// body refuses a second).
    pub(crate) fn put(&self, permit: OwnedSemaphorePermit) {
        self.ticket().permit = Some(permit);
    }

    /// The permit, if one was taken; the handler calls this, and from then
    /// on it accounts for the call.
    pub(crate) fn take(&self) -> Option<OwnedSemaphorePermit> {
        let mut ticket = self.ticket();
        ticket.accounted = true;
        ticket.permit.take()
    }

    /// Whoever refuses the call before its handler logs it and says so.
    pub(crate) fn mark_accounted(&self) {
        self.ticket().accounted = true;
    }

    /// Whether the handler or a refusal accounted for the call.
    pub(crate) fn accounted(&self) -> bool {
        self.ticket().accounted
    }

    /// The body was cut off (reset, connection lost) for reason `why`.
    /// tonic reads a cut body as a clean end, so the unary call's watcher
    /// and the stream's handler ask here.
    pub(crate) fn cut_off(&self, why: &str) {
        self.ticket().cut_off = Some(why.to_owned());
    }

    /// Why the body was cut off, if it was.
    pub(crate) fn cut_off_reason(&self) -> Option<String> {
        self.ticket().cut_off.clone()
    }
}

/// The permits of a `ProcessStream`'s items, in message order: the body
/// takes each when the item's length prefix arrives (waiting for the
/// budget, not refusing), before the item is read; the handler pops one per
/// item it decodes. Queued items so count against the budget too.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamPrepaid(Arc<Mutex<VecDeque<OwnedSemaphorePermit>>>);

impl StreamPrepaid {
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<OwnedSemaphorePermit>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps the permit of the next message.
    pub(crate) fn push(&self, permit: OwnedSemaphorePermit) {
        self.queue().push_back(permit);
    }

    /// The permit of the oldest message not yet handed out.
    pub(crate) fn pop(&self) -> Option<OwnedSemaphorePermit> {
        self.queue().pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_are_whole_kib_within_the_budget() {
        let budget = ByteBudget::new(64 << 20);
        assert_eq!(budget.charge(0), 1);
        assert_eq!(budget.charge(1025), 2);
        assert_eq!(budget.charge(usize::MAX / 2) as usize, 64 << 10);
    }

    #[test]
    fn refusals_name_the_budget_and_permits_come_back() {
        let budget = ByteBudget::new(4 << 20);
        let held = budget.try_take(3 << 20).expect("fits");
        let err = budget.try_take(2 << 20).expect_err("over");
        assert_eq!(err.code(), tonic::Code::ResourceExhausted);
        assert!(err.message().contains("4 MiB"), "{}", err.message());
        let prepaid = Prepaid::default();
        prepaid.put(budget.try_take(1 << 20).expect("the rest fits"));
        assert_eq!(budget.available_kib(), 0);
        drop((held, prepaid.take()));
        assert_eq!(budget.available_kib(), 4 << 10);
        assert!(prepaid.take().is_none());
    }
}

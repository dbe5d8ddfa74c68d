//! The protobuf codec of our service, differing from tonic-prost's in two
//! ways: a request that does not decode (a `string` field that is not UTF-8,
//! a truncated message) is the caller's mistake and gets INVALID_ARGUMENT,
//! where tonic-prost answers INTERNAL; and a request message over the size
//! limit gets RESOURCE_EXHAUSTED naming the limit ([`SizeLimited`]), where
//! tonic answers OUT_OF_RANGE. The same wrapper charges unary calls to the
//! input budget as their message's prefix arrives (see [`super::admission`]).

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use prost::Message;
use tonic::Status;
use tonic::body::Body;
use tonic::codec::{BufferSettings, DecodeBuf, Decoder};
use tonic::codegen::{Service, http};
use tonic::server::NamedService;
use tonic_prost::ProstEncoder;

use super::admission::{ByteBudget, Prepaid, StreamPrepaid};
use super::status::CallError;
use crate::metrics::Metrics;

/// Protobuf codec for `T` out, `U` in (named by `build.rs` as the codec of
/// the generated service and client).
#[derive(Debug, Clone)]
pub struct Codec<T, U>(PhantomData<(T, U)>);

impl<T, U> Default for Codec<T, U> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T, U> tonic::codec::Codec for Codec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = CallerDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        CallerDecoder(PhantomData)
    }
}

/// Decodes `U`; a malformed message is INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct CallerDecoder<U>(PhantomData<U>);

impl<U: Message + Default> Decoder for CallerDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        decode_request(buf).map(Some)
    }

    fn buffer_settings(&self) -> BufferSettings {
        BufferSettings::default()
    }
}

/// Decodes one request message; a malformed one is INVALID_ARGUMENT.
pub(crate) fn decode_request<U: Message + Default>(buf: impl bytes::Buf) -> Result<U, Status> {
    U::decode(buf).map_err(|e| CallError::NotProtobuf(e.to_string()).into())
}

/// Wraps a gRPC service so that a request message longer than `limit`
/// bytes is refused with RESOURCE_EXHAUSTED as soon as its 5-byte length
/// prefix arrives, before any of it is buffered. (tonic's own check, kept
/// behind this one at the same limit, answers OUT_OF_RANGE.) With a
/// [`ByteBudget`], a unary call's message is also charged to it then, and
/// refused with RESOURCE_EXHAUSTED when the budget is spent.
#[derive(Debug, Clone)]
pub struct SizeLimited<S> {
    inner: S,
    limit: usize,
    budget: Option<(ByteBudget, Arc<Metrics>)>,
    deadline: Duration,
}

impl<S> SizeLimited<S> {
    /// `inner` with request messages bounded by `limit` bytes.
    pub fn new(inner: S, limit: usize) -> Self {
        Self {
            inner,
            limit,
            budget: None,
            deadline: Duration::from_secs(30),
        }
    }

    /// The server's default call deadline (30 s unless set): tonic's own
    /// timer runs a second past it, and a stream's item has this long to
    /// arrive once it is charged.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Also charges unary calls' messages to `budget` as they arrive,
    /// counting refusals in `metrics`.
    #[must_use]
    pub fn charging(mut self, budget: ByteBudget, metrics: Arc<Metrics>) -> Self {
        self.budget = Some((budget, metrics));
        self
    }
}

/// The unary methods of `textpipe.v1.TextPipeService` by the last segment
/// of their path, as metrics name them. ProcessStream is left out: its
/// items wait for the budget instead of being refused.
fn unary_method(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next()?;
    ["DetectLanguage", "StripBoilerplate", "Summarize", "Process"]
        .into_iter()
        .find(|m| *m == name)
}

impl<S, B> Service<http::Request<Body>> for SizeLimited<S>
where
    S: Service<http::Request<Body>, Response = http::Response<B>>,
    S::Future: Send + 'static,
    B: Default + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        let limit = self.limit;
        let charge = match (&self.budget, unary_method(request.uri().path())) {
            (Some((budget, metrics)), Some(method)) => {
                let prepaid = Prepaid::default();
                request.extensions_mut().insert(prepaid.clone());
                Some(Charge {
                    budget: budget.clone(),
                    prepaid,
                    method,
                    metrics: Arc::clone(metrics),
                    arrived: Instant::now(),
                })
            }
            _ => None,
        };
        let mut unaccounted = charge.as_ref().map(Charge::watcher);
        let mut ticket = charge.as_ref().map(|c| c.prepaid.clone());
        let stream = match &self.budget {
            Some((budget, metrics)) if request.uri().path().ends_with("/ProcessStream") => {
                let paid = StreamPrepaid::default();
                request.extensions_mut().insert(paid.clone());
                // The handler marks the call as its own when it starts; an
                // answer before that (a deadline already gone) is ours to log.
                let prepaid = Prepaid::default();
                request.extensions_mut().insert(prepaid.clone());
                ticket = Some(prepaid.clone());
                unaccounted = Some(Unaccounted {
                    prepaid,
                    method: "ProcessStream",
                    metrics: Arc::clone(metrics),
                    arrived: Instant::now(),
                });
                Some(StreamCharge::new(budget.clone(), paid, self.deadline))
            }
            _ => None,
        };
        let server_timeout = self.deadline + super::deadline::TONIC_SLACK;
        let late = super::deadline::before_tonic(request.headers(), Instant::now(), server_timeout);
        let answer = self.inner.call(request.map(|body| {
            let mut body = LimitedBody::new(body, limit);
            body.charge = charge;
            body.ticket = ticket;
            body.stream = stream;
            Body::new(body)
        }));
        Box::pin(async move {
            // A request message still arriving at the call's deadline (the
            // caller's, or tonic's timer) has no handler to answer for it
            // yet; tonic would answer CANCELLED and nobody would log it.
            let (timeout, at) = late;
            // A deadline already gone (a caller's `0n`) must not race
            // tonic's timer at all.
            let answered = if at > Instant::now() {
                tokio::time::timeout_at(at.into(), answer).await.ok()
            } else {
                None
            };
            let response = match answered {
                Some(response) => response?,
                None => {
                    let ms = timeout.as_millis();
                    // A handler running this late (a starved CPU) overran
                    // its own deadline; it logs the call itself.
                    let running = unaccounted.as_ref().is_some_and(|w| w.prepaid.accounted());
                    let late = if running {
                        CallError::Deadline { ms }
                    } else {
                        CallError::RequestLate { ms }
                    };
                    Status::from(late).into_http()
                }
            };
            if let Some(watcher) = unaccounted {
                watcher.account_if_refused(response.headers());
            }
            Ok(response)
        })
    }
}

impl<S: NamedService> NamedService for SizeLimited<S> {
    const NAME: &'static str = S::NAME;
}

/// Length of gRPC's message prefix: a compression flag and a big-endian u32.
const PREFIX: usize = 5;

/// Where a unary call's message is charged, and who hears of it.
struct Charge {
    budget: ByteBudget,
    prepaid: Prepaid,
    method: &'static str,
    metrics: Arc<Metrics>,
    arrived: Instant,
}

impl Charge {
    /// Charges a message of `len` bytes; a refusal is counted and logged
    /// like a call the handler sheds (the handler never sees this one).
    fn take(&self, len: usize) -> Result<(), Status> {
        match self.budget.try_take(len) {
            Ok(permit) => {
                self.prepaid.put(permit);
                Ok(())
            }
            Err(status) => {
                self.metrics.shed(self.method);
                self.watcher().account(Some(len), &status);
                Err(status)
            }
        }
    }

    fn watcher(&self) -> Unaccounted {
        Unaccounted {
            prepaid: self.prepaid.clone(),
            method: self.method,
            metrics: Arc::clone(&self.metrics),
            arrived: self.arrived,
        }
    }
}

/// Longest pause between two tries of a stream item for its bytes, as the
/// handler's own tries for capacity pause (see `poll_until`).
const MAX_PAY_PAUSE: Duration = Duration::from_millis(16);

/// A message whose prefix arrived and that is not paid yet: where it
/// begins in the held bytes (0 if its prefix began in an earlier chunk),
/// and its length.
#[derive(Debug, Clone, Copy)]
struct Owed {
    start: usize,
    len: usize,
}

/// Where a stream's items are charged as their prefixes arrive. A chunk
/// passes on up to the first message not paid yet; the rest is held until
/// that one is paid, so the bytes of paid messages always reach the
/// handler (which frees their charge) and only unpaid ones wait.
struct StreamCharge {
    budget: ByteBudget,
    paid: StreamPrepaid,
    owed: std::collections::VecDeque<Owed>,
    /// Bytes held back until the messages they begin are paid.
    held: Bytes,
    /// The pause before the next try, while the budget is spent.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    backoff: Duration,
    /// How long a charged item may take to arrive, counting only the time
    /// the handler is reading and waits on the caller: an item whose
    /// prefix came but whose bytes stall would hold its charge for good.
    item_deadline: Duration,
    /// Time the current item has waited on the caller so far.
    waited: Duration,
    /// When the body last answered Pending waiting on the caller.
    waiting_since: Option<tokio::time::Instant>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl StreamCharge {
    fn new(budget: ByteBudget, paid: StreamPrepaid, item_deadline: Duration) -> Self {
        Self {
            budget,
            paid,
            owed: std::collections::VecDeque::new(),
            held: Bytes::new(),
            pause: None,
            backoff: Duration::from_millis(1),
            item_deadline,
            waited: Duration::ZERO,
            waiting_since: None,
            timer: None,
        }
    }

    /// The held bytes that may go on: up to the first message not paid
    /// yet, after paying every one that fits now. Waits only when the next
    /// byte held begins an unpaid message, trying again after a pause
    /// rather than queueing on the budget: queued waiters are served first
    /// on every release, which would refuse unary calls meanwhile.
    fn poll_release(&mut self, cx: &mut Context<'_>) -> Poll<Bytes> {
        loop {
            while let Some(owed) = self.owed.front() {
                let Some(permit) = self.budget.try_permit(owed.len) else {
                    break;
                };
                self.paid.push(permit);
                self.owed.pop_front();
                self.backoff = Duration::from_millis(1);
            }
            let upto = self.owed.front().map_or(self.held.len(), |o| o.start);
            if upto > 0 || self.owed.is_empty() {
                for owed in &mut self.owed {
                    owed.start -= upto;
                }
                return Poll::Ready(self.held.split_to(upto));
            }
            let backoff = self.backoff;
            let pause = self
                .pause
                .get_or_insert_with(|| Box::pin(tokio::time::sleep(backoff)));
            ready!(pause.as_mut().poll(cx));
            self.pause = None;
            self.backoff = (self.backoff * 2).min(MAX_PAY_PAUSE);
        }
    }

    /// Counts the wait since the last Pending, if there was one.
    fn resume(&mut self) {
        if let Some(since) = self.waiting_since.take() {
            self.waited += since.elapsed();
        }
    }

    /// The body waits on the caller for the rest of a charged item: past
    /// the item's deadline that is the caller's fault, and the stream ends.
    fn poll_stalled(
        &mut self,
        cx: &mut Context<'_>,
        arrived: usize,
        expected: usize,
    ) -> Poll<Status> {
        let now = tokio::time::Instant::now();
        let left = self.item_deadline.saturating_sub(self.waited);
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(left)));
        timer.as_mut().reset(now + left);
        if left.is_zero() || timer.as_mut().poll(cx).is_ready() {
            let ms = self.item_deadline.as_millis();
            return Poll::Ready(
                CallError::ItemStalled {
                    arrived,
                    expected,
                    ms,
                }
                .into(),
            );
        }
        self.waiting_since = Some(now);
        Poll::Pending
    }
}

/// A unary call that neither its handler nor a refusal has logged yet.
/// tonic answers some calls before their handler runs (a message that
/// does not decode, one over the size limit); this writes their one log
/// line and metrics, as the handler does for the others.
struct Unaccounted {
    prepaid: Prepaid,
    method: &'static str,
    metrics: Arc<Metrics>,
    arrived: Instant,
}

impl Unaccounted {
    /// Accounts for the call if its answer is an error nobody logged.
    fn account_if_refused(&self, headers: &http::HeaderMap) {
        if self.prepaid.accounted() {
            return;
        }
        // tonic took the cut for the body's end ("Missing request message").
        if let Some(why) = self.prepaid.cut_off_reason() {
            self.account(None, &CallError::BodyCutOff(why).into());
            return;
        }
        // Errors before the handler come back trailers-only: the status
        // is in the headers.
        if let Some(status) = Status::from_header_map(headers)
            && status.code() != tonic::Code::Ok
        {
            self.account(None, &status);
        }
    }

    fn account(&self, input_bytes: Option<usize>, status: &Status) {
        self.prepaid.mark_accounted();
        let code = super::code_name(status.code());
        let latency = self.arrived.elapsed();
        self.metrics.finished(self.method, code, latency);
        let span = tracing::info_span!("rpc", method = self.method, input_bytes);
        super::status::log_call_finished(&span, latency, Some(status));
    }
}

/// A request body that follows gRPC's message framing and fails with
/// RESOURCE_EXHAUSTED at the first prefix announcing more than `limit`
/// (or more than is left of the budget it charges).
struct LimitedBody {
    inner: Body,
    limit: usize,
    charge: Option<Charge>,
    /// A stream's budget and its items' permits.
    stream: Option<StreamCharge>,
    /// Where a cut-off body is noted for whoever accounts for the call.
    ticket: Option<Prepaid>,
    /// The prefix being read and how much of it has arrived.
    prefix: [u8; PREFIX],
    have: usize,
    /// Bytes of the current message still to pass.
    left: usize,
    /// Length the current message's prefix announced.
    announced: usize,
    /// Whether a message's prefix has arrived.
    saw_message: bool,
    /// Where in the chunk being scanned the last complete prefix began (0
    /// if it began in an earlier chunk): a message refused at its prefix
    /// does not take the messages before it down with it.
    prefix_at: usize,
    /// A failure found in a chunk whose earlier messages went on first.
    failed: Option<Status>,
}

impl LimitedBody {
    fn new(inner: Body, limit: usize) -> Self {
        Self {
            inner,
            limit,
            charge: None,
            stream: None,
            ticket: None,
            prefix: [0; PREFIX],
            have: 0,
            left: 0,
            announced: 0,
            saw_message: false,
            prefix_at: 0,
            failed: None,
        }
    }

    /// At the body's end: whether it ended inside a message (tonic would
    /// call that an internal error, "Unexpected EOF").
    fn ended(&self) -> Result<(), Status> {
        if self.have == 0 && self.left == 0 {
            return Ok(());
        }
        let (arrived, expected) = if self.have > 0 {
            (self.have, PREFIX)
        } else {
            self.progress()
        };
        Err(CallError::Truncated { arrived, expected }.into())
    }

    /// Follows the framing through one chunk of the body; a stream's
    /// messages are owed from where their prefix begins in it.
    fn scan(&mut self, chunk: &[u8]) -> Result<(), Status> {
        let mut data = chunk;
        while !data.is_empty() {
            if self.left > 0 {
                let n = self.left.min(data.len());
                self.left -= n;
                data = data.get(n..).unwrap_or_default();
                if self.left == 0 {
                    self.item_arrived();
                }
                continue;
            }
            let n = (PREFIX - self.have).min(data.len());
            if let (Some(slot), Some(bytes)) =
                (self.prefix.get_mut(self.have..self.have + n), data.get(..n))
            {
                slot.copy_from_slice(bytes);
            }
            self.have += n;
            data = data.get(n..).unwrap_or_default();
            if self.have == PREFIX {
                self.have = 0;
                self.prefix_at = (chunk.len() - data.len()).saturating_sub(PREFIX);
                // tonic would read the first and ignore the rest.
                if self.charge.is_some() && self.saw_message {
                    return Err(CallError::ExtraMessage.into());
                }
                self.saw_message = true;
                let [flag, a, b, c, d] = self.prefix;
                if flag > 1 {
                    return Err(CallError::BadFlag(flag).into());
                }
                let len = u32::from_be_bytes([a, b, c, d]) as usize;
                if len > self.limit {
                    return Err(too_large(len, self.limit));
                }
                if let Some(charge) = &self.charge {
                    charge.take(len)?;
                }
                if let Some(stream) = &mut self.stream {
                    stream.owed.push_back(Owed {
                        start: self.prefix_at,
                        len,
                    });
                }
                self.left = len;
                self.announced = len;
                if len == 0 {
                    self.item_arrived();
                }
            }
        }
        Ok(())
    }

    /// A message's last byte went by: the next one's wait starts afresh.
    fn item_arrived(&mut self) {
        if let Some(stream) = &mut self.stream {
            stream.waited = Duration::ZERO;
        }
    }

    /// The bytes of the current message that arrived, and all it needs.
    fn progress(&self) -> (usize, usize) {
        let expected = PREFIX + self.announced;
        (expected - self.left, expected)
    }
}

/// The status of a request message over the limit.
fn too_large(len: usize, limit: usize) -> Status {
    CallError::MessageTooLarge { len, limit }.into()
}

impl HttpBody for LimitedBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        let this = self.get_mut();
        // A stream's items are paid for as their prefixes arrive; bytes
        // from an unpaid item on wait (and nothing more is read) until it is.
        if let Some(stream) = &mut this.stream {
            stream.resume();
            if !stream.held.is_empty() {
                let bytes = ready!(stream.poll_release(cx));
                return Poll::Ready(Some(Ok(Frame::data(bytes))));
            }
        }
        if let Some(failed) = this.failed.take() {
            return Poll::Ready(Some(Err(failed)));
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => frame,
            Poll::Pending => {
                let (arrived, expected) = this.progress();
                if let Some(stream) = &mut this.stream
                    && this.left > 0
                {
                    let stalled = ready!(stream.poll_stalled(cx, arrived, expected));
                    return Poll::Ready(Some(Err(stalled)));
                }
                return Poll::Pending;
            }
        };
        // A body that cannot be read was reset by the caller or lost with
        // its connection. tonic reads a CANCELLED body error as the body's
        // clean end, so the call learns of the cut through its ticket.
        if let Some(Err(e)) = &frame {
            let cut = CallError::BodyCutOff(e.message().to_owned());
            if let Some(ticket) = &this.ticket {
                ticket.cut_off(e.message());
            }
            return Poll::Ready(Some(Err(cut.into())));
        }
        let mut frame = frame;
        if let Some(Ok(chunk)) = &frame
            && let Some(data) = chunk.data_ref()
            && let Err(status) = this.scan(data)
        {
            // The messages before the bad prefix go on (and are answered);
            // the failure comes at the next poll.
            if this.prefix_at == 0 {
                return Poll::Ready(Some(Err(status)));
            }
            this.failed = Some(status);
            frame = Some(Ok(Frame::data(data.slice(..this.prefix_at))));
        }
        if let Some(stream) = &mut this.stream
            && !stream.owed.is_empty()
            && let Some(Ok(frame)) = frame
        {
            stream.held = frame.into_data().unwrap_or_default();
            let bytes = ready!(stream.poll_release(cx));
            return Poll::Ready(Some(Ok(Frame::data(bytes))));
        }
        if frame.is_none() {
            this.ended()?;
        }
        // A unary call that ends without a message is the caller's mistake;
        // tonic would answer INTERNAL ("Missing request message").
        if frame.is_none() && this.charge.is_some() && !this.saw_message {
            this.saw_message = true;
            return Poll::Ready(Some(Err(CallError::NoMessage.into())));
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.stream.as_ref().is_none_or(|s| s.held.is_empty()) && self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(messages: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for &len in messages {
            out.push(0);
            out.extend_from_slice(&u32::try_from(len).unwrap().to_be_bytes());
            out.extend(std::iter::repeat_n(b'x', len));
        }
        out
    }

    #[test]
    fn messages_within_the_limit_pass_in_any_chunking() {
        let data = framed(&[0, 10, 100, 7]);
        for chunk in [1, 2, 3, 5, 6, 64, data.len()] {
            let mut body = LimitedBody::new(Body::empty(), 100);
            for piece in data.chunks(chunk) {
                body.scan(piece).expect("within the limit");
            }
            assert_eq!((body.have, body.left), (0, 0), "chunk {chunk}");
        }
    }

    #[test]
    fn a_message_over_the_limit_fails_at_its_prefix() {
        let data = framed(&[10, 101]);
        for chunk in [1, 4, 16, data.len()] {
            let mut body = LimitedBody::new(Body::empty(), 100);
            let err = data
                .chunks(chunk)
                .find_map(|piece| body.scan(piece).err())
                .expect("refused");
            assert_eq!(err.code(), tonic::Code::ResourceExhausted);
            assert!(err.message().contains("101 bytes"), "{}", err.message());
            assert!(
                err.message().contains("limit of 100 bytes"),
                "{}",
                err.message()
            );
        }
        // Only the prefix is needed to refuse it.
        let mut body = LimitedBody::new(Body::empty(), 100);
        assert!(body.scan(&framed(&[101])[..PREFIX]).is_err());
    }

    #[test]
    fn a_body_ending_inside_a_message_is_the_callers_mistake() {
        let data = framed(&[100]);
        let end = |bytes: &[u8]| {
            let mut body = LimitedBody::new(Body::empty(), 1 << 20);
            body.scan(bytes).expect("within the limit");
            body.ended()
        };
        assert!(end(&data).is_ok());
        assert!(end(&[]).is_ok());
        let cut = end(&data[..15]).expect_err("10 of 100 bytes");
        assert_eq!(cut.code(), tonic::Code::InvalidArgument);
        assert!(
            cut.message().contains("15 of its 105 bytes"),
            "{}",
            cut.message()
        );
        let in_prefix = end(&data[..3]).expect_err("inside the prefix");
        assert!(
            in_prefix.message().contains("3 of its 5 bytes"),
            "{}",
            in_prefix.message()
        );
        // A unary call carries one message; the stream's body has no charge.
        let mut unary = LimitedBody::new(Body::empty(), 1 << 20);
        unary.charge = Some(Charge {
            budget: ByteBudget::new(1 << 20),
            prepaid: Prepaid::default(),
            method: "Process",
            metrics: Arc::new(Metrics::new()),
            arrived: Instant::now(),
        });
        let two = unary.scan(&framed(&[10, 10])).expect_err("two messages");
        assert_eq!(two.code(), tonic::Code::InvalidArgument);
        let mut flagged = framed(&[4]);
        flagged[0] = 2;
        let mut body = LimitedBody::new(Body::empty(), 1 << 20);
        let err = body.scan(&flagged).expect_err("flag 2");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }

    /// A stream's body over `inner`, charging `budget`, with items
    /// allowed `deadline` to arrive; its permits go to the returned queue.
    fn stream_body(
        inner: Body,
        budget: &ByteBudget,
        deadline: Duration,
    ) -> (LimitedBody, StreamPrepaid) {
        let paid = StreamPrepaid::default();
        let mut body = LimitedBody::new(inner, 1 << 20);
        body.stream = Some(StreamCharge::new(budget.clone(), paid.clone(), deadline));
        (body, paid)
    }

    #[tokio::test]
    async fn a_streams_paid_items_pass_and_the_first_unpaid_one_waits() {
        use http_body_util::BodyExt;
        let budget = ByteBudget::new(8 << 10);
        // Three items of 2 KiB in one chunk, with room for one of them.
        let data = Bytes::from(framed(&[2 << 10, 2 << 10, 2 << 10]));
        let item = PREFIX + (2 << 10);
        let inner = Body::new(http_body_util::Full::new(data));
        let (body, paid) = stream_body(inner, &budget, Duration::from_secs(30));
        let held = budget.try_permit(6 << 10).expect("free");
        let mut body = std::pin::pin!(body);
        // The paid item goes on at once, up to where the next one begins:
        // its handler must get it to free its charge.
        let first = body.as_mut().frame().await.expect("a frame").expect("data");
        assert_eq!(first.data_ref().map(Bytes::len), Some(item));
        assert_eq!(budget.available_kib(), 0, "the first item is paid");
        let early = tokio::time::timeout(Duration::from_millis(100), body.as_mut().frame()).await;
        assert!(
            early.is_err(),
            "the second item's bytes wait for its charge"
        );
        // Its handler is done with the first item: its permit comes back,
        // and the second item (only) is paid and goes on.
        drop(paid.pop().expect("the first item's permit"));
        let second = body.as_mut().frame().await.expect("a frame").expect("data");
        assert_eq!(second.data_ref().map(Bytes::len), Some(item));
        drop(paid.pop().expect("the second item's permit"));
        drop(held);
        let third = body.as_mut().frame().await.expect("a frame").expect("data");
        assert_eq!(third.data_ref().map(Bytes::len), Some(item));
        assert!(body.as_mut().frame().await.is_none(), "the end");
        // One permit per item, in order, for the handler.
        assert_eq!(budget.available_kib(), 6);
        assert!(paid.pop().is_some() && paid.pop().is_none());
        assert_eq!(budget.available_kib(), 8);
    }

    #[tokio::test]
    async fn messages_before_a_bad_prefix_in_the_same_chunk_go_on() {
        use http_body_util::BodyExt;
        let mut data = framed(&[10, 20]);
        let good = data.len();
        data.extend_from_slice(&[2, 0, 0, 0, 1, b'x']);
        let inner = Body::new(http_body_util::Full::new(Bytes::from(data)));
        let budget = ByteBudget::new(8 << 10);
        let (body, _) = stream_body(inner, &budget, Duration::from_secs(30));
        let mut body = std::pin::pin!(body);
        let first = body.as_mut().frame().await.expect("a frame").expect("data");
        assert_eq!(first.data_ref().map(Bytes::len), Some(good));
        let err = body
            .as_mut()
            .frame()
            .await
            .expect("an end")
            .expect_err("flag 2");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_item_that_stops_arriving_ends_the_stream_at_its_deadline() {
        use http_body_util::BodyExt;
        // An item's prefix and 10 of its 100 bytes, then nothing.
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Frame<Bytes>, Status>>(1);
        let inner = Body::new(http_body_util::StreamBody::new(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        ));
        let budget = ByteBudget::new(8 << 10);
        let deadline = Duration::from_secs(5);
        let (body, _) = stream_body(inner, &budget, deadline);
        let mut body = std::pin::pin!(body);
        tx.send(Ok(Frame::data(Bytes::from(framed(&[100])[..15].to_vec()))))
            .await
            .expect("open");
        body.as_mut().frame().await.expect("a frame").expect("data");
        let started = tokio::time::Instant::now();
        let err = body
            .as_mut()
            .frame()
            .await
            .expect("an end")
            .expect_err("stalled");
        assert_eq!(err.code(), tonic::Code::DeadlineExceeded);
        assert!(
            err.message().contains("15 of its 105 bytes"),
            "{}",
            err.message()
        );
        let waited = started.elapsed();
        assert!(waited >= deadline && waited < deadline * 2, "{waited:?}");
        drop(tx);
    }

    #[test]
    fn a_unary_message_is_charged_at_its_prefix() {
        let budget = ByteBudget::new(8 << 10);
        let prepaid = Prepaid::default();
        let charged = |prepaid: &Prepaid| {
            let mut body = LimitedBody::new(Body::empty(), 1 << 20);
            body.charge = Some(Charge {
                budget: budget.clone(),
                prepaid: prepaid.clone(),
                method: "Process",
                metrics: Arc::new(Metrics::new()),
                arrived: Instant::now(),
            });
            body
        };
        let data = framed(&[6 << 10]);
        charged(&prepaid)
            .scan(&data[..PREFIX])
            .expect("6 KiB fits in 8");
        assert_eq!(budget.available_kib(), 2);
        // A second call's 6 KiB does not fit while the first holds its charge.
        let err = charged(&Prepaid::default())
            .scan(&data[..PREFIX])
            .expect_err("over the budget");
        assert_eq!(err.code(), tonic::Code::ResourceExhausted);
        drop(prepaid.take());
        assert_eq!(budget.available_kib(), 8);
        assert_eq!(
            unary_method("/textpipe.v1.TextPipeService/Process"),
            Some("Process")
        );
        assert_eq!(
            unary_method("/textpipe.v1.TextPipeService/ProcessStream"),
            None
        );
    }
}

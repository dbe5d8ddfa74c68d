//! The `textpipe.v1.TextPipeService` implementation: validate → run the
//! pipeline on a worker thread under admission control and a deadline →
//! convert.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};
use tracing::{Instrument, Span};

use super::admission::{ByteBudget, Prepaid, StreamPrepaid};
use super::calls::{DetectCall, ProcessCall, StripCall, SummarizeCall, Weighed};
use super::proto::{self, text_pipe_service_server::TextPipeService};
use super::status::{CallError, code_name, log_call_finished};
use super::{convert, deadline};
use crate::metrics::Metrics;
use crate::pipeline::{Pipeline, PipelineError, StageTimings, budget};

/// Bounds the service enforces per call.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Calls admitted at once over all connections; past it, RESOURCE_EXHAUSTED.
    pub max_concurrent_requests: usize,
    /// Deadline of calls that bring none (and the ceiling on those that do).
    pub default_deadline: Duration,
    /// Items of one ProcessStream call in progress at once.
    pub stream_in_flight: usize,
    /// Input bytes of admitted calls held at once (each call counts its
    /// document; one larger than this counts as this). Calls past it get
    /// RESOURCE_EXHAUSTED, stream items wait: the bound on the memory that
    /// queued documents hold.
    pub max_in_flight_bytes: usize,
    /// Largest response message: a larger answer is RESOURCE_EXHAUSTED
    /// (tonic's encoder would answer OUT_OF_RANGE after the work).
    pub max_message_bytes: usize,
}

/// What an admitted call holds until its work ends.
#[derive(Debug)]
struct Admitted {
    _call: OwnedSemaphorePermit,
    _bytes: OwnedSemaphorePermit,
}

/// The service: a shared pipeline plus admission control.
#[derive(Debug, Clone)]
pub struct TextPipe {
    pipeline: Arc<Pipeline>,
    /// One permit per admitted call; `try_acquire` so overload is refused
    /// at once instead of queueing behind work that may never catch up.
    admission: Arc<Semaphore>,
    /// [`Limits::max_in_flight_bytes`]; unary calls are charged from their
    /// message's length prefix, before the message is buffered.
    input: ByteBudget,
    limits: Limits,
    /// Turns true when the server is stopping: streams stop taking items.
    stopping: watch::Receiver<bool>,
    /// Turns true when the shutdown grace is over: calls still running
    /// answer UNAVAILABLE and their work stops.
    closing: watch::Receiver<bool>,
    metrics: Arc<Metrics>,
}

impl TextPipe {
    /// A service over `pipeline` with the given bounds.
    pub fn new(
        pipeline: Arc<Pipeline>,
        limits: Limits,
        stopping: watch::Receiver<bool>,
        closing: watch::Receiver<bool>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            pipeline,
            admission: Arc::new(Semaphore::new(limits.max_concurrent_requests)),
            input: ByteBudget::new(limits.max_in_flight_bytes),
            limits,
            stopping,
            closing,
            metrics,
        }
    }

    fn admit(&self, method: &'static str) -> Result<OwnedSemaphorePermit, Status> {
        self.admission.clone().try_acquire_owned().map_err(|_| {
            self.metrics.shed(method);
            CallError::BusyCalls {
                calls: self.limits.max_concurrent_requests,
            }
            .into()
        })
    }

    /// The input budget, for the request wrapper that charges calls
    /// before their message is buffered.
    pub fn byte_budget(&self) -> ByteBudget {
        self.input.clone()
    }

    /// The bytes permit of a call: the one its message prefix already took,
    /// or taken now from its document's size.
    fn admit_bytes(
        &self,
        method: &'static str,
        prepaid: Option<OwnedSemaphorePermit>,
        bytes: usize,
    ) -> Result<OwnedSemaphorePermit, Status> {
        match prepaid {
            Some(permit) => Ok(permit),
            None => self.input.try_take(bytes).inspect_err(|_| {
                self.metrics.shed(method);
            }),
        }
    }

    fn deadline<T>(&self, request: &Request<T>) -> Duration {
        deadline::remaining(request, self.limits.default_deadline)
    }

    /// Runs `work` on the blocking pool, holding `permit` until the work
    /// really ends (even past the deadline, so overload stays bounded), and
    /// records its stage timings. `light` work runs in place instead (see
    /// [`Weighed::light`]).
    async fn run<T, F>(
        &self,
        permit: Admitted,
        limit: Duration,
        light: bool,
        work: F,
    ) -> Result<T, Status>
    where
        F: FnOnce(&Pipeline) -> Result<(T, StageTimings), PipelineError> + Send + 'static,
        T: prost::Message + Send + 'static,
    {
        let pipeline = Arc::clone(&self.pipeline);
        let max_bytes = self.limits.max_message_bytes;
        let metrics = Arc::clone(&self.metrics);
        let span = Span::current();
        // The same deadline bounds the work itself: past it the pipeline
        // stops at its next check and the slot is freed.
        // (A deadline past what `Instant` can hold is no bound.)
        let deadline = Instant::now().checked_add(limit);
        // When the caller goes (hyper drops this future on RST_STREAM or a
        // closed connection), the flag stops the work at its next check
        // instead of letting it run on to the deadline.
        let cancel = budget::Cancel::new();
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let job = move || {
            let _permit = permit;
            let (out, timings) = budget::within_or_cancelled(deadline, &cancel, || {
                span.in_scope(|| work(&pipeline))
            })?;
            for (stage, took) in [
                ("strip", timings.strip),
                ("detect", timings.detect),
                ("summarize", timings.summarize),
            ] {
                if !took.is_zero() {
                    metrics.stage(stage, took);
                }
            }
            // An answer can outgrow the request (Process holds the text
            // and its summary); one that cannot be sent is refused here.
            let size = out.encoded_len();
            if size > max_bytes {
                return Err(PipelineError::TooLarge {
                    field: "response",
                    actual: size,
                    limit: max_bytes,
                });
            }
            Ok::<T, PipelineError>(out)
        };
        // The pipeline's own deadline check and the timer below report the
        // same deadline in the same words.
        let failed = |err: PipelineError| -> Status {
            match err {
                PipelineError::DeadlineExceeded => CallError::Deadline {
                    ms: limit.as_millis(),
                },
                err => CallError::Pipeline(err),
            }
            .into()
        };
        if light {
            // Tens of microseconds of work: handing it to a pool thread and
            // back would cost a third as much again in wake-ups. A panic is
            // caught here as the pool's JoinError catches it there: unwinding
            // on would reset the connection with every call on it.
            return match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
                Ok(result) => result.map_err(failed),
                Err(_) => Err(pipeline_panicked()),
            };
        }
        let task = tokio::task::spawn_blocking(job);
        let mut closing = self.closing.clone();
        let finished = tokio::select! {
            finished = tokio::time::timeout(limit, task) => finished,
            // Returning drops the cancel guard: the work stops too.
            Ok(_) = closing.wait_for(|c| *c) => {
                return Err(CallError::ShutDown.into());
            }
        };
        match finished {
            Err(_) => Err(CallError::Deadline {
                ms: limit.as_millis(),
            }
            .into()),
            Ok(Err(_)) => Err(pipeline_panicked()),
            Ok(Ok(result)) => result.map_err(failed),
        }
    }

    /// The shape every unary call has: admit, validate, run, log one line.
    async fn unary<Req, Call, Resp, F>(
        &self,
        method: &'static str,
        request: Request<Req>,
        prepare: impl FnOnce(Req) -> Result<Call, Status>,
        work: F,
    ) -> Result<Response<Resp>, Status>
    where
        F: FnOnce(Call, &Pipeline) -> Result<(Resp, StageTimings), PipelineError> + Send + 'static,
        Call: Weighed + Send + 'static,
        Resp: prost::Message + Send + 'static,
    {
        let span = tracing::info_span!("rpc", method, input_bytes = tracing::field::Empty);
        let started = Instant::now();
        let _in_flight = self.metrics.in_flight();
        // hyper drops this future when the caller resets the call or its
        // connection closes; the call still gets its line, as CANCELLED.
        let mut unanswered = Unanswered {
            service: self,
            method,
            span: &span,
            started,
            armed: true,
        };
        let limit = self.deadline(&request);
        let prepaid = request
            .extensions()
            .get::<Prepaid>()
            .and_then(Prepaid::take);
        let result = async {
            let permit = self.admit(method)?;
            let call = prepare(request.into_inner())?;
            let bytes = call.input_bytes();
            self.metrics.input_bytes(method, bytes);
            Span::current().record("input_bytes", bytes);
            let permit = Admitted {
                _call: permit,
                _bytes: self.admit_bytes(method, prepaid, bytes)?,
            };
            let light = call.light();
            self.run(permit, limit, light, move |p| work(call, p)).await
        }
        .instrument(span.clone())
        .await;
        unanswered.armed = false;
        self.finished(method, &span, started, result.as_ref().err());
        result.map(Response::new)
    }

    /// The one log line and the metrics of a finished call.
    fn finished(
        &self,
        method: &'static str,
        span: &Span,
        started: Instant,
        error: Option<&Status>,
    ) {
        let code = error.map_or("OK", |status| code_name(status.code()));
        self.metrics.finished(method, code, started.elapsed());
        log_call_finished(span, started.elapsed(), error);
    }
}

/// Accounts for a unary call whose future is dropped before it answers.
struct Unanswered<'a> {
    service: &'a TextPipe,
    method: &'static str,
    span: &'a Span,
    started: Instant,
    armed: bool,
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if self.armed {
            let gone = Status::from(CallError::CallerGone);
            self.service
                .finished(self.method, self.span, self.started, Some(&gone));
        }
    }
}

/// Times a single-stage call as that stage.
fn single_stage<T>(
    stage: fn(Duration) -> StageTimings,
    work: impl FnOnce() -> Result<T, PipelineError>,
) -> Result<(T, StageTimings), PipelineError> {
    let started = Instant::now();
    let out = work()?;
    Ok((out, stage(started.elapsed())))
}

#[tonic::async_trait]
impl TextPipeService for TextPipe {
    async fn detect_language(
        &self,
        request: Request<proto::DetectLanguageRequest>,
    ) -> Result<Response<proto::DetectLanguageResponse>, Status> {
        self.unary("DetectLanguage", request, DetectCall::try_from, |c, p| {
            single_stage(
                |detect| StageTimings {
                    detect,
                    ..StageTimings::default()
                },
                || c.run(p),
            )
        })
        .await
    }

    async fn strip_boilerplate(
        &self,
        request: Request<proto::StripBoilerplateRequest>,
    ) -> Result<Response<proto::StripBoilerplateResponse>, Status> {
        self.unary("StripBoilerplate", request, StripCall::try_from, |c, p| {
            single_stage(
                |strip| StageTimings {
                    strip,
                    ..StageTimings::default()
                },
                || c.run(p),
            )
        })
        .await
    }

    async fn summarize(
        &self,
        request: Request<proto::SummarizeRequest>,
    ) -> Result<Response<proto::SummarizeResponse>, Status> {
        self.unary("Summarize", request, SummarizeCall::try_from, |c, p| {
            c.run_timed(p)
        })
        .await
    }

    async fn process(
        &self,
        request: Request<proto::ProcessRequest>,
    ) -> Result<Response<proto::ProcessResponse>, Status> {
        self.unary("Process", request, ProcessCall::try_from, |c, p| {
            c.run_timed(p)
        })
        .await
    }

    type ProcessStreamStream = ReceiverStream<Result<proto::ProcessStreamResponse, Status>>;

    async fn process_stream(
        &self,
        request: Request<Streaming<proto::ProcessStreamRequest>>,
    ) -> Result<Response<Self::ProcessStreamStream>, Status> {
        let span = tracing::info_span!(
            "rpc",
            method = "ProcessStream",
            items = tracing::field::Empty
        );
        // A saturated server refuses new streams at once. The stream holds no
        // slot itself (that could starve its own items); each item waits for one.
        let started = Instant::now();
        // From here this handler logs the call (see `SizeLimited`).
        let ticket = request.extensions().get::<Prepaid>().cloned();
        if let Some(ticket) = &ticket {
            ticket.mark_accounted();
        }
        if let Err(refused) = self.admit("ProcessStream") {
            self.finished("ProcessStream", &span, started, Some(&refused));
            return Err(refused);
        }
        // A caller's `grpc-timeout` bounds the whole stream (tonic's own
        // timer stops once the answer stream is returned): every item's work
        // ends by then, answering DEADLINE_EXCEEDED past it. Each item also
        // keeps the server's default deadline of its own.
        let caller_deadline = deadline::caller_deadline(&request);
        let paid = request.extensions().get::<StreamPrepaid>().cloned();
        let (tx, rx) = mpsc::channel(self.limits.stream_in_flight);
        let service = self.clone();
        let inbound = request.into_inner();
        tokio::spawn(
            async move {
                let _in_flight = service.metrics.in_flight();
                let error = service
                    .drive_stream(inbound, tx, caller_deadline, paid, ticket)
                    .await
                    .err();
                service.finished("ProcessStream", &Span::current(), started, error.as_ref());
            }
            .instrument(span),
        );
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

/// Longest pause between two tries of a stream item for capacity.
const MAX_ITEM_POLL: Duration = Duration::from_millis(16);

/// What `attempt` gives once it gives something, trying again after a
/// pause that doubles up to [`MAX_ITEM_POLL`]. Stream items wait for
/// capacity this way rather than queueing on the semaphores: every release
/// serves queued waiters first (a large one even takes permits a bit at a
/// time), so unary calls, which never wait, would be refused for as long
/// as any item waited. Polling lets bulk work yield to them; the item's
/// deadline starts once it has its capacity.
async fn poll_until<T>(mut attempt: impl FnMut() -> Option<T>) -> T {
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(got) = attempt() {
            return got;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_ITEM_POLL);
    }
}

/// The answer, and the log line, when the pipeline panicked (a bug). The
/// panic's message stays out of the log: it may quote the document (a
/// string slice's panic does); the panic hook logs where it happened.
fn pipeline_panicked() -> Status {
    tracing::error!("pipeline work panicked");
    CallError::Panicked.into()
}

/// Raises its flag when dropped: with the future of a call that ends
/// before its work does.
struct CancelOnDrop(budget::Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

type StreamSender = mpsc::Sender<Result<proto::ProcessStreamResponse, Status>>;

/// A stream item's task ended by a panic outside the pipeline (whose own
/// panics already answer INTERNAL): its answer is lost, so say so.
fn log_item_panic(joined: Result<(), tokio::task::JoinError>) {
    if joined.is_err_and(|e| e.is_panic()) {
        tracing::error!("stream item task panicked; its answer was not sent");
    }
}

impl TextPipe {
    /// Reads items while fewer than `stream_in_flight` are in progress, so a
    /// fast sender is held back by HTTP/2 flow control rather than buffered;
    /// results go out through a channel of the same bound, so a slow reader
    /// holds the workers back in turn.
    async fn drive_stream(
        &self,
        mut inbound: Streaming<proto::ProcessStreamRequest>,
        tx: StreamSender,
        caller_deadline: Option<Instant>,
        paid: Option<StreamPrepaid>,
        ticket: Option<Prepaid>,
    ) -> Result<(), Status> {
        let in_flight = Arc::new(Semaphore::new(self.limits.stream_in_flight));
        let mut tasks = JoinSet::new();
        let mut stopping = self.stopping.clone();
        let mut items = 0u64;
        let outcome = loop {
            let next = tokio::select! {
                next = async {
                    let slot = Arc::clone(&in_flight).acquire_owned().await;
                    (slot, inbound.message().await)
                } => next,
                // Stop taking items when the server stops; those in flight
                // finish, then the status tells the client whether it lost
                // any: not if it had finished sending (its end already came).
                () = super::stopped(&mut stopping) => {
                    let peek = tokio::time::timeout(Duration::ZERO, inbound.message()).await;
                    break match peek {
                        Ok(Ok(None)) => Ok(()),
                        _ => Err(CallError::StreamCut.into()),
                    };
                }
                // The client is gone (reset or closed): noticed here even
                // while every slot is taken and no item has finished.
                () = tx.closed() => break Err(CallError::CallerGone.into()),
            };
            let (Ok(slot), next) = next else {
                break Ok(());
            };
            let item = match next {
                Ok(Some(item)) => item,
                // tonic ends the stream cleanly on a cut body; the body
                // noted the cut for us.
                Ok(None) => match ticket.as_ref().and_then(Prepaid::cut_off_reason) {
                    Some(why) => break Err(CallError::BodyCutOff(why).into()),
                    None => break Ok(()),
                },
                Err(status) => break Err(status),
            };
            items += 1;
            // The bytes the body charged for this item as its prefix came.
            let prepaid = paid.as_ref().and_then(StreamPrepaid::pop);
            let service = self.clone();
            let tx = tx.clone();
            tasks.spawn(
                async move {
                    let response = service.stream_item(item, caller_deadline, prepaid).await;
                    // A gone client is not an error of ours; the send just fails.
                    let _ = tx.send(Ok(response)).await;
                    drop(slot);
                }
                .in_current_span(),
            );
            // Reap finished tasks so the set does not grow with the stream.
            while let Some(joined) = tasks.try_join_next() {
                log_item_panic(joined);
            }
        };
        loop {
            tokio::select! {
                joined = tasks.join_next() => match joined {
                    Some(joined) => log_item_panic(joined),
                    None => break,
                },
                // Nobody reads the answers any more (also when the client
                // goes while these finish): stop the work of the items in
                // flight (their futures raise the cancel flag when dropped).
                () = tx.closed() => {
                    tasks.abort_all();
                    while tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        Span::current().record("items", items);
        if let Err(status) = &outcome {
            let _ = tx.send(Err(status.clone())).await;
        }
        outcome
    }

    async fn stream_item(
        &self,
        item: proto::ProcessStreamRequest,
        caller_deadline: Option<Instant>,
        prepaid: Option<OwnedSemaphorePermit>,
    ) -> proto::ProcessStreamResponse {
        let id = item.id.clone();
        let result = async {
            let call = ProcessCall::try_from(proto::ProcessRequest::from(item))?;
            // Stream items wait for a global slot instead of failing: the
            // stream was admitted, and its own bound already limits it.
            let bytes = match prepaid {
                Some(permit) => permit,
                None => poll_until(|| self.input.try_permit(call.input_bytes())).await,
            };
            let permit = Admitted {
                _call: poll_until(|| Arc::clone(&self.admission).try_acquire_owned().ok()).await,
                _bytes: bytes,
            };
            self.metrics
                .input_bytes("ProcessStream", call.input_bytes());
            let light = call.light();
            // Measured after the wait for a slot, which spends the stream's time too.
            let limit = caller_deadline.map_or(self.limits.default_deadline, |at| {
                at.saturating_duration_since(Instant::now())
                    .min(self.limits.default_deadline)
            });
            self.run(permit, limit, light, move |p| call.run_timed(p))
                .await
        }
        .await;
        match result {
            Ok(response) => response.into(),
            Err(status) => convert::stream_error(id, &status),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Handler tests: the service trait called directly, no socket.
    use super::*;

    fn service(max_concurrent_requests: usize, default_deadline: Duration) -> TextPipe {
        let (_tx, rx) = watch::channel(false);
        TextPipe::new(
            Arc::new(Pipeline::new()),
            Limits {
                max_concurrent_requests,
                default_deadline,
                stream_in_flight: 2,
                max_in_flight_bytes: 64 << 20,
                max_message_bytes: 4 << 20,
            },
            rx.clone(),
            rx,
            Arc::new(Metrics::new()),
        )
    }

    fn detect_request(text: &str) -> Request<proto::DetectLanguageRequest> {
        Request::new(proto::DetectLanguageRequest {
            text: text.into(),
            allowed_languages: vec![],
            segments: false,
        })
    }

    #[tokio::test]
    async fn detect_answers_through_the_trait() {
        let svc = service(4, Duration::from_secs(10));
        let resp = svc
            .detect_language(detect_request(
                "Una frase en español sobre el tiempo que hace hoy.",
            ))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(resp.language.unwrap().code, "es");
    }

    #[tokio::test]
    async fn a_panicking_pipeline_answers_internal_inline_and_on_the_pool() {
        let svc = service(4, Duration::from_secs(10));
        // Once as light work, in the call's task, once on the pool: both
        // must answer, not unwind.
        for light in [true, false] {
            let permit = Admitted {
                _call: svc.admit("test").unwrap(),
                _bytes: svc.admit_bytes("test", None, 10).unwrap(),
            };
            let planted_bug = |_: &Pipeline| -> Result<
                (proto::DetectLanguageResponse, StageTimings),
                PipelineError,
            > { panic!("a planted bug") };
            let answer = svc
                .run(permit, Duration::from_secs(10), light, planted_bug)
                .await;
            let status = answer.expect_err("a panic is no answer");
            assert_eq!(status.code(), tonic::Code::Internal, "{status:?}");
            assert!(!status.message().contains("planted"), "{status:?}");
            // The slot came back.
            assert_eq!(svc.admission.available_permits(), 4);
        }
        let resp = svc
            .detect_language(detect_request("Una frase en español sobre el tiempo."))
            .await
            .unwrap();
        assert_eq!(resp.into_inner().language.unwrap().code, "es");
    }

    #[tokio::test]
    async fn a_stream_item_waiting_for_capacity_does_not_block_unary_calls() {
        let (_tx, rx) = watch::channel(false);
        let svc = TextPipe::new(
            Arc::new(Pipeline::new()),
            Limits {
                max_concurrent_requests: 8,
                default_deadline: Duration::from_secs(30),
                stream_in_flight: 2,
                max_in_flight_bytes: 2 << 20,
                max_message_bytes: 4 << 20,
            },
            rx.clone(),
            rx,
            Arc::new(Metrics::new()),
        );
        // Some large call holds 1.5 of the 2 MiB; an item of 1 MiB waits.
        let held = svc.input.try_take(3 << 19).unwrap();
        let waiting = tokio::spawn({
            let svc = svc.clone();
            let item = proto::ProcessStreamRequest {
                id: "bulk".into(),
                content: Some(proto::process_stream_request::Content::Text(
                    "Words of a long bulk document. ".repeat(1 << 15),
                )),
                ..Default::default()
            };
            async move { svc.stream_item(item, None, None).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!waiting.is_finished(), "the item waits for its share");
        // The free half MiB still serves a small call at once (a queued
        // waiter would have been handed it, and the call refused).
        let resp = svc
            .detect_language(detect_request(&"Una frase en español. ".repeat(1000)))
            .await
            .expect("a small call is admitted while the item waits");
        assert_eq!(resp.into_inner().language.unwrap().code, "es");
        drop(held);
        let item = tokio::time::timeout(Duration::from_secs(60), waiting)
            .await
            .expect("the item runs once the capacity is back")
            .unwrap();
        assert_eq!(item.id, "bulk");
        assert!(item.error.is_none(), "{:?}", item.error);
    }

    #[tokio::test]
    async fn no_free_slot_means_resource_exhausted() {
        let svc = service(0, Duration::from_secs(10));
        let err = svc
            .detect_language(detect_request("hello"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::ResourceExhausted);
    }

    #[tokio::test]
    async fn validation_errors_come_back_as_invalid_argument() {
        let svc = service(4, Duration::from_secs(10));
        let err = svc
            .summarize(Request::new(proto::SummarizeRequest::default()))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
    }

    /// A page whose Process takes a while, and how long it takes unbounded.
    fn long_page() -> (String, Duration) {
        use crate::pipeline::{Document, ProcessOptions};
        let page = format!(
            "<html><body>{}</body></html>",
            "<p>The council met again to discuss the budget for roads and schools.</p>"
                .repeat(40_000)
        );
        let started = Instant::now();
        Pipeline::new()
            .process(Document::Html(&page), &ProcessOptions::default())
            .expect("runs unbounded");
        (page, started.elapsed())
    }

    #[tokio::test]
    async fn work_past_the_deadline_stops_and_frees_its_slot() {
        let (page, unbounded) = long_page();

        // A tenth of what the work takes, in a debug or a release build.
        let svc = service(1, unbounded / 10);
        let started = Instant::now();
        let err = svc
            .process(Request::new(proto::ProcessRequest {
                content: Some(proto::process_request::Content::Html(page)),
                ..Default::default()
            }))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::DeadlineExceeded);
        // The work itself stops at its next check and gives the slot back.
        while svc.admission.available_permits() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let freed = started.elapsed();
        assert!(
            freed < unbounded / 3,
            "slot freed after {freed:?}; the whole work takes {unbounded:?}"
        );
    }

    #[tokio::test]
    async fn a_call_dropped_by_its_caller_stops_its_work() {
        let (page, unbounded) = long_page();

        // A deadline far away: only the caller's going can stop the work.
        let svc = service(1, Duration::from_secs(3600));
        let call = {
            let svc = svc.clone();
            tokio::spawn(async move {
                svc.process(Request::new(proto::ProcessRequest {
                    content: Some(proto::process_request::Content::Html(page)),
                    ..Default::default()
                }))
                .await
            })
        };
        while svc.admission.available_permits() == 1 {
            tokio::task::yield_now().await;
        }
        let started = Instant::now();
        // What hyper does when the client resets the stream: drop the future.
        call.abort();
        while svc.admission.available_permits() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let freed = started.elapsed();
        assert!(
            freed < unbounded / 3,
            "slot freed {freed:?} after the drop; the whole work takes {unbounded:?}"
        );
        // The call that was never answered is still counted, as cancelled.
        let metrics = svc.metrics.render();
        assert!(
            metrics.contains(r#"textpipe_calls_total{method="Process",code="CANCELLED"} 1"#),
            "{metrics}"
        );
    }

    #[tokio::test]
    async fn a_slot_is_released_after_each_call() {
        let svc = service(1, Duration::from_secs(10));
        for _ in 0..3 {
            svc.detect_language(detect_request("one at a time, please"))
                .await
                .unwrap();
        }
        assert_eq!(svc.admission.available_permits(), 1);
    }

    #[tokio::test]
    async fn the_input_byte_budget_sheds_and_is_returned() {
        let svc = service(4, Duration::from_secs(10));
        let budget = svc.input.available_kib();
        // Another call's 63.5 MiB document holds all but half a MiB of 64.
        let held = svc.input.try_take(127 << 19).unwrap();
        let err = svc
            .detect_language(detect_request(&"word ".repeat(200_000)))
            .await
            .unwrap_err();
        assert_eq!(err.code(), tonic::Code::ResourceExhausted);
        assert!(err.message().contains("64 MiB"), "{}", err.message());
        // A small document still fits beside it.
        svc.detect_language(detect_request("a short sentence in English"))
            .await
            .unwrap();
        drop(held);
        svc.detect_language(detect_request(&"word ".repeat(200_000)))
            .await
            .unwrap();
        assert_eq!(svc.input.available_kib(), budget);
    }
}

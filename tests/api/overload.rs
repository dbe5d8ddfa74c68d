//! Overload: offered twice the rate the server sustains, it sheds the
//! excess at once with RESOURCE_EXHAUSTED, answers what it admits exactly
//! and as fast as without the overload, loses no call and holds its memory.

use std::time::{Duration, Instant};

use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
use textpipe::grpc::proto::{ProcessRequest, ProcessResponse, process_request};
use tokio::task::JoinSet;
use tonic::Code;
use tonic::transport::Channel;

use crate::binary::Served;
use crate::helpers::channel;

const SLOTS: usize = 4;

/// Self-written sentences; documents differ in which come first and how
/// many there are, so every one has its own answer.
const SENTENCES: [&str; 8] = [
    "The harbour master counted forty fishing boats returning before the storm.",
    "A new bakery on the corner sells rye bread every morning from six o'clock.",
    "Students of the evening class built a small weather station on the school roof.",
    "The museum will show old maps of the river delta until the end of spring.",
    "Volunteers planted two hundred oak trees along the northern edge of the park.",
    "The night train to the mountains now stops at the village twice a week.",
    "Local farmers reported an early harvest of apples after a warm summer.",
    "The library extended its opening hours for the weeks before the exams.",
];

fn document(i: usize) -> String {
    let mut text = format!("Report number {i}.\n\n");
    for n in 0..1_200 + 160 * i {
        text.push_str(SENTENCES[(n * (i + 1) + i) % SENTENCES.len()]);
        text.push_str(if n % 4 == 3 { "\n\n" } else { " " });
    }
    text
}

fn request(text: &str) -> ProcessRequest {
    ProcessRequest {
        content: Some(process_request::Content::Text(text.to_owned())),
        ..Default::default()
    }
}

/// One call's outcome: the document it sent, what came back, how long it took.
type Outcome = (usize, Result<ProcessResponse, tonic::Status>, Duration);

async fn call(
    mut client: TextPipeServiceClient<Channel>,
    doc: usize,
    request: ProcessRequest,
) -> Outcome {
    let started = Instant::now();
    let result = client
        .process(request)
        .await
        .map(tonic::Response::into_inner);
    (doc, result, started.elapsed())
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

#[tokio::test]
#[cfg_attr(
    not(debug_assertions),
    ignore = "sized to debug-build speed; run the tests in the default profile (see README)"
)]
async fn twice_the_sustainable_rate_is_shed_fast_and_admitted_calls_stay_exact_and_fast() {
    let server = Served::start(&[
        "--max-concurrent-requests",
        &SLOTS.to_string(),
        "--workers",
        "2",
    ])
    .await;
    let channels = [channel(server.addr).await, channel(server.addr).await];
    let client = |n: usize| TextPipeServiceClient::new(channels[n % channels.len()].clone());
    let before = server.peak_rss_kib();

    // The right answers, one sequential call each.
    let docs: Vec<String> = (0..12).map(document).collect();
    let requests: Vec<ProcessRequest> = docs.iter().map(|d| request(d)).collect();
    let mut expected = Vec::new();
    for request in &requests {
        expected.push(
            client(0)
                .process(request.clone())
                .await
                .expect("answers")
                .into_inner(),
        );
    }

    // The sustainable rate: as many callers as slots, each calling in turn.
    const PER_CALLER: usize = 12;
    let started = Instant::now();
    let mut callers = JoinSet::new();
    for c in 0..SLOTS {
        let client = client(c);
        let requests = requests.clone();
        callers.spawn(async move {
            let mut outcomes = Vec::new();
            for n in 0..PER_CALLER {
                let doc = (c * PER_CALLER + n) % requests.len();
                outcomes.push(call(client.clone(), doc, requests[doc].clone()).await);
            }
            outcomes
        });
    }
    let mut at_limit = Vec::new();
    while let Some(outcomes) = callers.join_next().await {
        for (doc, result, took) in outcomes.expect("caller joins") {
            let answer = result.expect("at the limit every call is admitted");
            assert!(
                answer == expected[doc],
                "document {doc} answered differently"
            );
            at_limit.push(took);
        }
    }
    let rate = (SLOTS * PER_CALLER) as f64 / started.elapsed().as_secs_f64();
    let latency_at_limit = median(at_limit);

    // Twice that rate, offered whatever the answers: a call every tick.
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / (2.0 * rate)));
    let overload_for = Duration::from_secs(3);
    let started = Instant::now();
    let mut calls = JoinSet::new();
    let mut sent = 0;
    while started.elapsed() < overload_for {
        ticks.tick().await;
        let doc = sent % requests.len();
        calls.spawn(call(client(sent), doc, requests[doc].clone()));
        sent += 1;
    }
    let (mut admitted, mut shed, mut answered) = (Vec::new(), Vec::new(), 0);
    let all_back = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(outcome) = calls.join_next().await {
            let (doc, result, took) = outcome.expect("call task joins");
            answered += 1;
            match result {
                Ok(answer) => {
                    assert!(
                        answer == expected[doc],
                        "document {doc} answered differently"
                    );
                    admitted.push(took);
                }
                Err(status) => {
                    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
                    shed.push(took);
                }
            }
        }
    })
    .await;
    assert!(all_back.is_ok(), "calls still unanswered");
    assert_eq!(answered, sent, "no call lost");
    assert!(
        !shed.is_empty(),
        "twice the sustainable rate was all admitted"
    );
    assert!(!admitted.is_empty(), "nothing admitted under overload");

    let latency_admitted = median(admitted);
    let latency_shed = median(shed);
    assert!(
        latency_shed * 2 < latency_admitted,
        "shedding took {latency_shed:?} (median); an admitted call {latency_admitted:?}"
    );
    assert!(
        latency_admitted < latency_at_limit * 3,
        "admitted calls took {latency_admitted:?} (median) under overload, \
         {latency_at_limit:?} at the limit"
    );
    // Memory: what the admitted calls hold (four documents of up to 250 KB
    // and their answers) plus the shed calls' request bodies, read before
    // they are refused; about 7 MiB here, the bound generous for allocator
    // and thread overhead.
    let grown_kib = server.peak_rss_kib().saturating_sub(before);
    assert!(
        grown_kib < 64 * 1024,
        "memory grew by {grown_kib} KiB under overload"
    );
}

//! The real binary: start-up validation, SIGTERM, and the command line.

use std::io::Write;

use std::process::{Command, Stdio};
use tokio::io::AsyncBufReadExt;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::helpers::{ARTICLE, PAGE, channel};

const BIN: &str = env!("CARGO_BIN_EXE_textpipe");

#[test]
fn a_bad_setting_stops_start_up_and_names_the_setting() {
    let out = Command::new(BIN)
        .args(["serve", "--max-concurrent-requests", "0"])
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--max-concurrent-requests"), "{stderr}");

    let out = Command::new(BIN)
        .arg("serve")
        .env("TEXTPIPE_LISTEN", "not-an-address")
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
}

/// The real server binary, started on a free loopback port.
pub(crate) struct Served {
    pub(crate) child: tokio::process::Child,
    pub(crate) addr: std::net::SocketAddr,
    /// Where metrics are served, when `args` turned them on.
    pub(crate) metrics_addr: Option<std::net::SocketAddr>,
    /// Every log line after the one naming the address, once the child exits.
    pub(crate) logs: tokio::task::JoinHandle<Vec<String>>,
}

impl Served {
    /// Starts `textpipe serve` on 127.0.0.1:0 with JSON logs and `args` added
    /// (metrics off unless `args` set `--metrics-listen`).
    pub(crate) async fn start(args: &[&str]) -> Self {
        let metrics_off: &[&str] = if args.contains(&"--metrics-listen") {
            &[]
        } else {
            &["--metrics-listen", "off"]
        };
        let mut child = tokio::process::Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .args(metrics_off)
            .args(args)
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("server starts");
        // A log line names the bound address.
        let stderr = child.stderr.take().expect("piped");
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        let mut metrics_addr = None;
        let addr: std::net::SocketAddr = loop {
            let line = lines
                .next_line()
                .await
                .expect("stderr readable")
                .expect("server logged its address before exiting");
            let v: serde_json::Value = serde_json::from_str(&line).expect("logs are JSON");
            if let Some(addr) = v["metrics_address"].as_str() {
                metrics_addr = Some(addr.parse().expect("an address"));
            }
            if let Some(addr) = v["address"].as_str() {
                break addr.parse().expect("an address");
            }
        };
        // Keep draining stderr so the child never blocks on a full pipe.
        let logs = tokio::spawn(async move {
            let mut rest = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                rest.push(line);
            }
            rest
        });
        Self {
            child,
            addr,
            metrics_addr,
            logs,
        }
    }

    /// Sends SIGTERM, what a container runtime does to stop it.
    pub(crate) fn terminate(&self) {
        let pid = self.child.id().expect("running").to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(killed.success());
    }

    /// The most memory the server process has held resident so far (VmHWM), in KiB.
    pub(crate) fn peak_rss_kib(&self) -> u64 {
        let pid = self.child.id().expect("running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in kB")
    }

    /// CPU time the server process has used so far, user and system, in clock ticks.
    pub(crate) fn cpu_ticks(&self) -> u64 {
        let pid = self.child.id().expect("running");
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("proc readable");
        // Fields after the command name, which may hold spaces, ends with ')'.
        let after = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = after.split(' ').collect();
        // utime and stime are fields 14 and 15 of the whole line.
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
    }
}

#[tokio::test]
async fn sigterm_turns_health_off_and_exits_zero() {
    let served = Served::start(&[]).await;
    let addr = served.addr;
    let mut health = HealthClient::new(channel(addr).await);
    let status = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("health answers")
        .into_inner()
        .status;
    assert_eq!(status, ServingStatus::Serving as i32);
    // The probe subcommand a container health check runs agrees.
    let (ok, out) = health_check(addr);
    assert!(ok, "health-check exits 0 on a serving server");
    assert_eq!(out.trim(), "SERVING");

    served.terminate();
    let Served {
        mut child,
        logs: drain,
        ..
    } = served;
    let exit = child.wait().await.expect("server exits");
    assert!(exit.success(), "exit status {exit:?}");
    let logs = drain.await.expect("drain joins").join("\n");
    assert!(logs.contains("SIGTERM"), "{logs}");
    // Nobody listens any more: the probe fails.
    let (ok, _) = health_check(addr);
    assert!(!ok, "health-check exits non-zero when the server is gone");
}

#[tokio::test]
async fn logs_tell_of_every_call_but_never_quote_its_document() {
    use textpipe::grpc::proto::text_pipe_service_client::TextPipeServiceClient;
    use textpipe::grpc::proto::{
        DetectLanguageRequest, ProcessRequest, StripBoilerplateRequest, SummarizeRequest,
        process_request, strip_boilerplate_request, summarize_request,
    };
    // A word no log template holds, in every document and in a bad option.
    const MARK: &str = "Quuxwobbleton";
    let served = Served::start(&[
        "--log",
        "info,textpipe=debug",
        "--max-message-bytes",
        "65536",
    ])
    .await;
    let mut client = TextPipeServiceClient::new(channel(served.addr).await);
    let text = format!("{MARK} {ARTICLE}");
    let html = PAGE.replace("<p>", &format!("<p>{MARK} "));
    assert_ne!(html, PAGE, "the page has paragraphs to mark");
    client
        .detect_language(DetectLanguageRequest {
            text: text.clone(),
            ..Default::default()
        })
        .await
        .expect("detect");
    client
        .strip_boilerplate(StripBoilerplateRequest {
            content: Some(strip_boilerplate_request::Content::Html(html.clone())),
            ..Default::default()
        })
        .await
        .expect("strip");
    client
        .process(ProcessRequest {
            content: Some(process_request::Content::Html(html)),
            ..Default::default()
        })
        .await
        .expect("process");
    let refused = client
        .summarize(SummarizeRequest {
            content: Some(summarize_request::Content::Text(text)),
            max_sentences: 1_000_000,
            ..Default::default()
        })
        .await
        .expect_err("out of range");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    // Refused at the length prefix, before any handler runs.
    let too_big = client
        .detect_language(DetectLanguageRequest {
            text: MARK.repeat(10_000),
            ..Default::default()
        })
        .await
        .expect_err("over max-message-bytes");
    assert_eq!(too_big.code(), tonic::Code::ResourceExhausted);
    served.terminate();
    let Served {
        mut child, logs, ..
    } = served;
    child.wait().await.expect("server exits");
    let logs = logs.await.expect("drain joins");
    let finished: Vec<_> = logs
        .iter()
        .filter(|l| l.contains("call finished"))
        .collect();
    assert_eq!(finished.len(), 5, "one line per call: {logs:#?}");
    // Served and refused calls log one shape: the method in the rpc span.
    for line in &finished {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        assert_eq!(v["span"]["name"], "rpc", "{line}");
        assert!(v["span"]["method"].is_string(), "{line}");
        assert!(v["code"].is_string() && v["latency_us"].is_u64(), "{line}");
    }
    assert!(
        finished
            .iter()
            .any(|l| l.contains("RESOURCE_EXHAUSTED") && l.contains("DetectLanguage")),
        "the refusal at the length prefix has its line: {finished:#?}"
    );
    assert!(
        logs.iter()
            .any(|l| l.contains("INVALID_ARGUMENT") && l.contains("max_sentences")),
        "a refusal is logged with its reason: {logs:#?}"
    );
    let quoting: Vec<_> = logs.iter().filter(|l| l.contains(MARK)).collect();
    assert!(quoting.is_empty(), "logs quote a document: {quoting:#?}");
}

fn health_check(addr: std::net::SocketAddr) -> (bool, String) {
    let out = Command::new(BIN)
        .args([
            "health-check",
            "--addr",
            &addr.to_string(),
            "--timeout-ms",
            "5000",
        ])
        .output()
        .expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn run_cli(args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cli runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    let out = child.wait_with_output().expect("cli exits");
    (
        out.status.success(),
        String::from_utf8(out.stdout).expect("utf-8 output"),
    )
}

#[test]
fn cli_jsonl_answers_every_line_with_its_id_and_flags_failures() {
    let input = [
        serde_json::json!({"id": "1", "text": "Ceci est une phrase française tout à fait ordinaire."}).to_string(),
        serde_json::json!({"id": "2", "text": ""}).to_string(),
        "{not json".to_owned(),
        serde_json::json!({"id": "4", "text": "Questa è una frase italiana del tutto normale."}).to_string(),
    ]
    .join("\n");
    let (ok, out) = run_cli(&["detect", "--jsonl"], &input);
    assert!(!ok, "a failed line makes the exit code non-zero");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "1");
    assert_eq!(lines[0]["language"]["code"], "fr");
    assert_eq!(lines[1]["id"], "2");
    assert_eq!(lines[1]["error"]["code"], "INVALID_ARGUMENT");
    assert_eq!(lines[2]["error"]["code"], "INVALID_ARGUMENT");
    assert_eq!(lines[3]["language"]["code"], "it");

    let input = serde_json::json!({"id": "s", "text": ARTICLE, "maxSentences": 2}).to_string();
    let (ok, out) = run_cli(&["summarize", "--jsonl"], &input);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON");
    assert_eq!(v["sentences"].as_array().expect("array").len(), 2);
}

#[test]
fn cli_single_document_prints_indented_json_and_sniffs_html() {
    let (ok, out) = run_cli(&["strip", "-"], PAGE);
    assert!(ok);
    assert!(out.contains("\n  \""), "indented");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert!(v["text"].as_str().expect("text").contains("flood gates"));
    assert!(!v["text"].as_str().expect("text").contains("<p>"));
}

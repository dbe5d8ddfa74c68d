//! The command line: `textpipe serve` and the one-shot commands that run the
//! same validated calls as the server on a file, stdin, or JSON lines.

use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tonic::Status;

use crate::config::Settings;
use crate::grpc::proto;
use crate::grpc::{DetectCall, ProcessCall, StripCall, SummarizeCall};
use crate::pipeline::Pipeline;

/// JSON lines handled per batch; each batch is spread over the cores and
/// written in input order, so memory stays bounded on endless input (64
/// pages of 100 KB hold about 6 MB).
const JSONL_BATCH: usize = 64;
/// Bytes of lines a batch holds before it is handled even if short of
/// `JSONL_BATCH` lines: with `MAX_LINE`, what bounds a run's memory.
const JSONL_BATCH_BYTES: usize = 64 << 20;
/// Longest JSON line read (a 4 MiB page escaped as JSON is far shorter);
/// a longer one is skipped to its end and answered with an error.
const MAX_LINE: usize = 16 << 20;

/// textpipe: language detection, boilerplate stripping and summarization.
#[derive(Debug, Parser)]
#[command(name = "textpipe", version, about)]
pub struct Cli {
    /// What to do; without a command, `serve`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server (the default).
    Serve(Settings),
    /// Detect the language of a text; prints a DetectLanguageResponse.
    Detect(DetectArgs),
    /// Strip boilerplate from a page or text; prints a StripBoilerplateResponse.
    Strip(StripArgs),
    /// Summarize a document; prints a SummarizeResponse.
    Summarize(SummarizeArgs),
    /// Strip, detect and summarize; prints a ProcessResponse.
    Process(ProcessArgs),
    /// Ask a running server's gRPC health service; exit 0 when SERVING.
    /// Made for container health checks and probes.
    HealthCheck(crate::probe::HealthCheckArgs),
}

impl Command {
    /// `serve` with settings from the environment and defaults, as if typed.
    pub fn default_serve() -> Result<Self, clap::Error> {
        #[derive(Parser)]
        struct ServeOnly {
            #[command(flatten)]
            settings: Settings,
        }
        ServeOnly::try_parse_from(["textpipe"]).map(|s| Command::Serve(s.settings))
    }
}

/// Where the input comes from and how it is framed.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input file; `-` or nothing reads stdin.
    pub file: Option<PathBuf>,
    /// Each input line is a request message in proto3 JSON plus an "id";
    /// each output line is the response plus the same "id".
    #[arg(long)]
    pub jsonl: bool,
}

/// Arguments of `detect`.
#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Allowed languages, comma-separated ISO 639-1/639-3 codes.
    #[arg(long, value_delimiter = ',')]
    allow: Vec<String>,
    /// Also split the text into spans by language.
    #[arg(long)]
    segments: bool,
}

/// Whether the document is HTML.
#[derive(Debug, Args)]
pub struct HtmlArg {
    /// Treat the input as HTML (by default: HTML when it looks like markup).
    #[arg(long)]
    html: bool,
}

impl HtmlArg {
    /// Wraps `doc` in the HTML or the text variant of a request's oneof.
    fn content<C>(&self, doc: String, html: fn(String) -> C, text: fn(String) -> C) -> C {
        if self.html || looks_like_html(&doc) {
            html(doc)
        } else {
            text(doc)
        }
    }
}

/// Arguments of `strip`.
#[derive(Debug, Args)]
pub struct StripArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    html: HtmlArg,
}

/// Arguments of `summarize`.
#[derive(Debug, Args)]
pub struct SummarizeArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    html: HtmlArg,
    /// Most sentences to return (0 means the default, 3).
    #[arg(long, default_value_t = 0)]
    max_sentences: u32,
    /// Language code to use instead of detecting it.
    #[arg(long)]
    language: Option<String>,
}

/// Arguments of `process`.
#[derive(Debug, Args)]
pub struct ProcessArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    html: HtmlArg,
    /// Most summary sentences (0 means the default, 3).
    #[arg(long, default_value_t = 0)]
    max_sentences: u32,
    /// Allowed languages, comma-separated codes.
    #[arg(long, value_delimiter = ',')]
    allow: Vec<String>,
}

/// Runs a one-shot command. Exit code 0 when every document succeeded,
/// 1 when any failed, 2 when the input could not be read.
pub fn run(command: Command) -> ExitCode {
    let command = match command {
        Command::Serve(_) => {
            eprintln!("textpipe: serve is not a one-shot command");
            return ExitCode::from(2);
        }
        // Before the pipeline is built: a probe must stay cheap.
        Command::HealthCheck(args) => return crate::probe::run(&args),
        other => other,
    };
    let pipeline = Pipeline::lazy();
    let result = match command {
        // Answered above.
        Command::Serve(_) | Command::HealthCheck(_) => return ExitCode::from(2),
        Command::Detect(a) => one_or_lines(
            &pipeline,
            &a.input,
            |text| proto::DetectLanguageRequest {
                text,
                allowed_languages: a.allow.clone(),
                segments: a.segments,
            },
            detect,
        ),
        Command::Strip(a) => one_or_lines(
            &pipeline,
            &a.input,
            |doc| {
                use proto::strip_boilerplate_request::Content;
                proto::StripBoilerplateRequest {
                    content: Some(a.html.content(doc, Content::Html, Content::Text)),
                    options: None,
                }
            },
            strip,
        ),
        Command::Summarize(a) => one_or_lines(
            &pipeline,
            &a.input,
            |doc| {
                use proto::summarize_request::Content;
                proto::SummarizeRequest {
                    content: Some(a.html.content(doc, Content::Html, Content::Text)),
                    max_sentences: a.max_sentences,
                    language: a.language.clone().unwrap_or_default(),
                    ..Default::default()
                }
            },
            summarize,
        ),
        Command::Process(a) => one_or_lines(
            &pipeline,
            &a.input,
            |doc| {
                use proto::process_request::Content;
                proto::ProcessRequest {
                    content: Some(a.html.content(doc, Content::Html, Content::Text)),
                    detect: Some(proto::DetectOptions {
                        allowed_languages: a.allow.clone(),
                    }),
                    summarize: Some(proto::SummarizeOptions {
                        max_sentences: a.max_sentences,
                        ..Default::default()
                    }),
                    ..Default::default()
                }
            },
            process,
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("textpipe: {e}");
            ExitCode::from(2)
        }
    }
}

fn detect(
    p: &Pipeline,
    r: proto::DetectLanguageRequest,
) -> Result<proto::DetectLanguageResponse, Status> {
    Ok(DetectCall::try_from(r)?.run(p)?)
}

fn strip(
    p: &Pipeline,
    r: proto::StripBoilerplateRequest,
) -> Result<proto::StripBoilerplateResponse, Status> {
    Ok(StripCall::try_from(r)?.run(p)?)
}

fn summarize(p: &Pipeline, r: proto::SummarizeRequest) -> Result<proto::SummarizeResponse, Status> {
    Ok(SummarizeCall::try_from(r)?.run(p)?)
}

fn process(p: &Pipeline, r: proto::ProcessRequest) -> Result<proto::ProcessResponse, Status> {
    Ok(ProcessCall::try_from(r)?.run(p)?)
}

/// A page starts with markup: a doctype, a comment or a tag, after any BOM
/// and whitespace.
fn looks_like_html(doc: &str) -> bool {
    let head = doc.trim_start_matches('\u{feff}').trim_start();
    let lower: String = head.chars().take(16).flat_map(char::to_lowercase).collect();
    [
        "<!doctype",
        "<html",
        "<head",
        "<body",
        "<!--",
        "<div",
        "<meta",
        "<p>",
        "<article",
        "<title",
    ]
    .iter()
    .any(|tag| lower.starts_with(tag))
}

fn one_or_lines<Req, Resp>(
    pipeline: &Pipeline,
    input: &InputArgs,
    single: impl FnOnce(String) -> Req,
    call: fn(&Pipeline, Req) -> Result<Resp, Status>,
) -> io::Result<bool>
where
    Req: DeserializeOwned + Send,
    Resp: Serialize + Send,
{
    let reader = open(input.file.as_ref())?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let ok = if input.jsonl {
        run_lines(pipeline, reader, &mut out, call)?
    } else {
        let mut bytes = Vec::new();
        let mut reader = reader;
        reader.read_to_end(&mut bytes)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("input is not UTF-8: {e}"),
            )
        })?;
        match call(pipeline, single(text)) {
            Ok(resp) => {
                serde_json::to_writer_pretty(&mut out, &resp)?;
                writeln!(out)?;
                true
            }
            Err(status) => {
                serde_json::to_writer_pretty(&mut out, &error_object(None, &status))?;
                writeln!(out)?;
                false
            }
        }
    };
    out.flush()?;
    Ok(ok)
}

fn open(file: Option<&PathBuf>) -> io::Result<Box<dyn BufRead>> {
    match file {
        Some(path) if path.as_os_str() != "-" => {
            let f = std::fs::File::open(path).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
            })?;
            Ok(Box::new(io::BufReader::new(f)))
        }
        _ => Ok(Box::new(io::BufReader::new(io::stdin()))),
    }
}

fn run_lines<Req, Resp>(
    pipeline: &Pipeline,
    reader: Box<dyn BufRead>,
    out: &mut impl Write,
    call: fn(&Pipeline, Req) -> Result<Resp, Status>,
) -> io::Result<bool>
where
    Req: DeserializeOwned + Send,
    Resp: Serialize + Send,
{
    run_lines_capped(pipeline, reader, out, call, MAX_LINE)
}

/// `run_lines` with lines of at most `max_line` bytes.
fn run_lines_capped<Req, Resp>(
    pipeline: &Pipeline,
    reader: Box<dyn BufRead>,
    out: &mut impl Write,
    call: fn(&Pipeline, Req) -> Result<Resp, Status>,
    max_line: usize,
) -> io::Result<bool>
where
    Req: DeserializeOwned + Send,
    Resp: Serialize + Send,
{
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut all_ok = true;
    let mut batch: Vec<Result<String, Status>> = Vec::with_capacity(JSONL_BATCH);
    let mut reader = reader;
    loop {
        batch.clear();
        let mut bytes = 0;
        while batch.len() < JSONL_BATCH && bytes < JSONL_BATCH_BYTES {
            let Some(line) = read_line(&mut reader, max_line)? else {
                break;
            };
            if let Ok(text) = &line {
                if text.trim().is_empty() {
                    continue;
                }
                bytes += text.len();
            }
            batch.push(line);
        }
        if batch.is_empty() {
            break;
        }
        let results = parallel_map(&batch, threads, |line| {
            let line = match line {
                Ok(line) => line,
                Err(status) => return (error_object(None, status), false),
            };
            // A bug that panics on one document costs that line, not the
            // rest of the batch: it answers INTERNAL in its place.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                answer_line(pipeline, line, call)
            }))
            .unwrap_or_else(|_| {
                let id = serde_json::from_str::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").cloned());
                let status =
                    Status::internal("internal error on this line; the panic went to stderr");
                (error_object(id, &status), false)
            })
        });
        for (value, ok) in results {
            all_ok &= ok;
            serde_json::to_writer(&mut *out, &value)?;
            writeln!(out)?;
        }
    }
    Ok(all_ok)
}

/// Reads one line (without its `\n` or `\r\n`); `None` at the end of
/// input. A line over `max` bytes is skipped to its end, and one that is
/// not UTF-8 is kept out: either is that line's error, and reading goes on.
fn read_line(reader: &mut dyn BufRead, max: usize) -> io::Result<Option<Result<String, Status>>> {
    let mut buf = Vec::new();
    let mut over = false;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (chunk.get(..at).unwrap_or_default(), Some(at + 1)),
            None => (chunk, None),
        };
        if !over && buf.len() + part.len() <= max {
            buf.extend_from_slice(part);
        } else {
            over = true;
            buf = Vec::new();
        }
        let used = done.unwrap_or(chunk.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if over {
        let status = Status::invalid_argument(format!("line is longer than {max} bytes"));
        return Ok(Some(Err(status)));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8(buf).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Status::invalid_argument(format!("line is not UTF-8 (byte {at})"))
    })))
}

/// Maps `items` on up to `threads` scoped threads, keeping input order.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let chunk = items.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            // The work catches its own panics; anything else is re-raised
            // rather than silently dropping a chunk of lines.
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// One JSON line in, one out: the response plus "id", or an error object.
fn answer_line<Req, Resp>(
    pipeline: &Pipeline,
    line: &str,
    call: fn(&Pipeline, Req) -> Result<Resp, Status>,
) -> (Value, bool)
where
    Req: DeserializeOwned,
    Resp: Serialize,
{
    let value: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(e) => {
            return (
                error_object(
                    None,
                    &Status::invalid_argument(format!("line is not JSON: {e}")),
                ),
                false,
            );
        }
    };
    let Value::Object(fields) = value else {
        return (
            error_object(None, &Status::invalid_argument("line is not a JSON object")),
            false,
        );
    };
    let id = fields.get("id").cloned();
    let result = serde_json::from_value::<Req>(Value::Object(fields))
        .map_err(|e| Status::invalid_argument(format!("line is not a valid request: {e}")))
        .and_then(|req| call(pipeline, req));
    match result.and_then(|resp| {
        serde_json::to_value(resp)
            .map_err(|e| Status::internal(format!("cannot encode the response: {e}")))
    }) {
        Ok(Value::Object(mut map)) => {
            if let Some(id) = id {
                map.insert("id".to_owned(), id);
            }
            (Value::Object(map), true)
        }
        Ok(other) => (other, true),
        Err(status) => (error_object(id, &status), false),
    }
}

fn error_object(id: Option<Value>, status: &Status) -> Value {
    let mut error = Map::new();
    error.insert(
        "code".to_owned(),
        Value::from(crate::grpc::code_name(status.code())),
    );
    error.insert("message".to_owned(), Value::from(status.message()));
    let mut map = Map::new();
    if let Some(id) = id {
        map.insert("id".to_owned(), id);
    }
    map.insert("error".to_owned(), Value::Object(error));
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_sniffing() {
        assert!(looks_like_html("  <!DOCTYPE html><html>"));
        assert!(looks_like_html("\u{feff}<html lang=en>"));
        assert!(!looks_like_html("Plain words < and > signs."));
    }

    #[test]
    fn a_json_line_gets_its_id_back() {
        let p = Pipeline::new();
        let (v, ok) = answer_line(
            &p,
            r#"{"id":"a1","text":"Bonjour tout le monde, comment allez-vous aujourd'hui ?"}"#,
            detect,
        );
        assert!(ok);
        assert_eq!(v["id"], "a1");
        assert_eq!(v["language"]["code"], "fr");
    }

    #[test]
    fn a_bad_line_gets_an_error_object_with_its_id() {
        let p = Pipeline::new();
        let (v, ok) = answer_line(&p, r#"{"id":"b2","text":"   "}"#, detect);
        assert!(!ok);
        assert_eq!(v["id"], "b2");
        assert_eq!(v["error"]["code"], "INVALID_ARGUMENT");
        let (v, ok) = answer_line(&p, "not json", detect);
        assert!(!ok);
        assert_eq!(v["error"]["code"], "INVALID_ARGUMENT");
        let (v, ok) = answer_line(&p, r#"{"id":"c3","text":"a","html":"<p>b</p>"}"#, strip);
        assert!(!ok, "both text and html must be refused: {v}");
        assert_eq!(v["id"], "c3");
    }

    #[test]
    fn a_line_that_is_not_utf8_or_too_long_costs_that_line() {
        let p = Pipeline::new();
        let mut input =
            b"{\"id\":\"a\",\"text\":\"Guten Morgen, wie geht es Ihnen heute?\"}\r\n".to_vec();
        input.extend_from_slice(b"{\"id\":\"b\",\"text\":\"caf\xe9\"}\n");
        input.extend_from_slice(
            format!("{{\"id\":\"c\",\"text\":\"{}\"}}\n", "x".repeat(300)).as_bytes(),
        );
        input.extend_from_slice(
            b"\n{\"id\":\"d\",\"text\":\"Bonjour tout le monde, comment allez-vous?\"}",
        );
        // A small reader buffer, so that lines span many reads.
        let reader = Box::new(io::BufReader::with_capacity(16, io::Cursor::new(input)));
        let mut out = Vec::new();
        let ok = run_lines_capped(&p, reader, &mut out, detect, 200).expect("runs");
        assert!(!ok, "two lines failed");
        let lines: Vec<Value> = String::from_utf8(out)
            .expect("utf-8 out")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[0]["id"], "a");
        assert_eq!(lines[0]["language"]["code"], "de");
        assert_eq!(lines[1]["error"]["code"], "INVALID_ARGUMENT");
        assert!(
            lines[1]["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("UTF-8")
        );
        assert!(
            lines[2]["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains("longer than 200")
        );
        assert_eq!(lines[3]["id"], "d");
        assert_eq!(lines[3]["language"]["code"], "fr");
    }

    /// `detect`, except that it panics on the text "boom".
    fn detect_or_panic(
        p: &Pipeline,
        r: proto::DetectLanguageRequest,
    ) -> Result<proto::DetectLanguageResponse, Status> {
        assert_ne!(r.text, "boom", "a planted bug");
        detect(p, r)
    }

    #[test]
    fn a_panic_on_one_line_costs_that_line_only() {
        let p = Pipeline::new();
        let mut input = String::new();
        for i in 0..40 {
            let text = if i == 17 {
                "boom"
            } else {
                "Guten Morgen, wie geht es euch heute?"
            };
            input.push_str(&format!("{{\"id\":\"n{i}\",\"text\":\"{text}\"}}\n"));
        }
        let mut out = Vec::new();
        let all_ok = run_lines(
            &p,
            Box::new(io::Cursor::new(input.into_bytes())),
            &mut out,
            detect_or_panic,
        )
        .unwrap();
        assert!(!all_ok);
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 40);
        for (i, v) in lines.iter().enumerate() {
            assert_eq!(v["id"], format!("n{i}"));
            if i == 17 {
                assert_eq!(v["error"]["code"], "INTERNAL", "{v}");
            } else {
                assert_eq!(v["language"]["code"], "de", "{v}");
            }
        }
    }

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            parallel_map(&items, 3, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }
}

//! The `grpc-timeout` header: how long the caller is willing to wait.

use std::time::{Duration, Instant};

use tonic::metadata::MetadataMap;
use tonic::{Request, Status};

/// When the call's headers arrived, stamped before the body is read. The
/// caller's deadline counts from here, as tonic's own timer does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrival(Instant);

/// Interceptor that stamps `Arrival` on every call.
pub fn stamp_arrival(mut request: Request<()>) -> Result<Request<()>, Status> {
    request.extensions_mut().insert(Arrival(Instant::now()));
    Ok(request)
}

/// Time left for the call: its effective deadline counted from arrival (or
/// from now if it was not stamped).
pub(crate) fn remaining<T>(request: &Request<T>, default: Duration) -> Duration {
    let limit = effective(caller_timeout(request.metadata()), default);
    match request.extensions().get::<Arrival>() {
        Some(Arrival(at)) => limit.saturating_sub(at.elapsed()),
        None => limit,
    }
}

/// The instant the caller's `grpc-timeout` runs out, counted from arrival,
/// if it sent one (with the same margin as [`effective`]).
pub(crate) fn caller_deadline<T>(request: &Request<T>) -> Option<Instant> {
    let timeout = effective(Some(caller_timeout(request.metadata())?), Duration::MAX);
    let from = request
        .extensions()
        .get::<Arrival>()
        .map_or_else(Instant::now, |a| a.0);
    from.checked_add(timeout)
}

/// How long past the server's default deadline tonic's own timer runs
/// (`Server::timeout`): the handler answers a call's deadline itself; the
/// timer also bounds the time before a handler runs, such as a request
/// body that stalls after its length prefix was charged.
pub(crate) const TONIC_SLACK: Duration = Duration::from_secs(1);

/// For the layer in front of tonic's decoding: the call's timeout (the
/// caller's `grpc-timeout`, or `server` when it sends none or a longer
/// one), and the instant to answer DEADLINE_EXCEEDED if nothing answered
/// yet (the request message has not arrived). That is after the handler's
/// own deadline ([`effective`]) and just before tonic's timer on the same
/// timeout, which would answer CANCELLED.
pub(crate) fn before_tonic(
    headers: &tonic::codegen::http::HeaderMap,
    from: Instant,
    server: Duration,
) -> (Duration, Instant) {
    let caller = headers
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(parse);
    let timeout = caller.map_or(server, |t| t.min(server));
    // At least 2 ms: tonic's timer started a moment before ours, and both
    // fire on millisecond ticks. Less than [`effective`]'s margin, so a
    // running handler answers first.
    let early = (timeout / 40).clamp(Duration::from_millis(2), Duration::from_millis(10));
    let at = from
        .checked_add(timeout.saturating_sub(early))
        .unwrap_or(from);
    (timeout, at)
}

/// The caller's timeout, if it sent a well-formed `grpc-timeout` header
/// (1 to 8 digits and a unit: H, M, S, m, u or n).
fn caller_timeout(metadata: &MetadataMap) -> Option<Duration> {
    let value = metadata.get("grpc-timeout")?.to_str().ok()?;
    parse(value)
}

fn parse(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = value.get(..value.len() - unit.len_utf8())?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        'H' => Duration::from_secs(n.saturating_mul(3600)),
        'M' => Duration::from_secs(n.saturating_mul(60)),
        'S' => Duration::from_secs(n),
        'm' => Duration::from_millis(n),
        'u' => Duration::from_micros(n),
        'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The deadline a call runs under: the caller's timeout when it is shorter
/// than the server default, cut slightly short so that this answer
/// (DEADLINE_EXCEEDED) wins the race against tonic's own timer on the same
/// header, which would answer CANCELLED.
pub(crate) fn effective(caller: Option<Duration>, default: Duration) -> Duration {
    match caller {
        Some(t) if t < default => {
            t.saturating_sub((t / 20).clamp(Duration::from_millis(4), Duration::from_millis(20)))
        }
        _ => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("3M"), Some(Duration::from_secs(180)));
        assert_eq!(parse("5S"), Some(Duration::from_secs(5)));
        assert_eq!(parse("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse("7u"), Some(Duration::from_micros(7)));
        assert_eq!(parse("9n"), Some(Duration::from_nanos(9)));
    }

    #[test]
    fn rejects_malformed_values() {
        for bad in ["", "m", "10", "123456789m", "1.5S", "-1S", "10x", "1é"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_callers_deadline_counts_from_arrival() {
        let mut request = Request::new(());
        assert_eq!(caller_deadline(&request), None);
        request.metadata_mut().insert(
            "grpc-timeout",
            tonic::metadata::MetadataValue::from_static("2S"),
        );
        let arrived = Instant::now() - Duration::from_millis(500);
        request.extensions_mut().insert(Arrival(arrived));
        let at = caller_deadline(&request).expect("a deadline");
        // Two seconds after arrival, less the 20 ms margin.
        assert_eq!(at, arrived + Duration::from_millis(1980));
    }

    #[test]
    fn the_layer_answers_just_before_tonics_timer() {
        let now = Instant::now();
        let server = Duration::from_secs(31);
        let mut headers = tonic::codegen::http::HeaderMap::new();
        // No caller timeout: tonic's timer, less 10 ms.
        let (t, at) = before_tonic(&headers, now, server);
        assert_eq!((t, at), (server, now + server - Duration::from_millis(10)));
        // A shorter caller timeout wins, a longer one does not.
        headers.insert("grpc-timeout", "200m".parse().expect("header"));
        let (t, at) = before_tonic(&headers, now, server);
        assert_eq!(
            (t, at),
            (Duration::from_millis(200), now + Duration::from_millis(195))
        );
        headers.insert("grpc-timeout", "2M".parse().expect("header"));
        assert_eq!(before_tonic(&headers, now, server).0, server);
    }

    #[test]
    fn shorter_caller_deadline_wins_with_a_margin() {
        let default = Duration::from_secs(10);
        assert_eq!(effective(None, default), default);
        assert_eq!(effective(Some(Duration::from_secs(60)), default), default);
        let d = effective(Some(Duration::from_millis(100)), default);
        assert!(d < Duration::from_millis(100) && d >= Duration::from_millis(90));
    }
}

//! HTTP/2 abuse, spoken frame by frame: a well-behaved client library (h2,
//! hyper) obeys the server's limits and cannot break them, so these tests
//! write the frames themselves. Each checks the server bounds the abuse and
//! still answers another client.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::OwnedReadHalf;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::helpers::{channel, spawn_app_with};

const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;

const ACK: u8 = 0x1;
const END_HEADERS: u8 = 0x4;

const CANCEL: u32 = 0x8;
const REFUSED_STREAM: u32 = 0x7;
const ENHANCE_YOUR_CALM: u32 = 0xb;

/// Long enough for any answer on a loaded machine; only reached on failure.
const PATIENCE: Duration = Duration::from_secs(20);

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("small payload");
    let mut out = len.to_be_bytes()[1..].to_vec();
    out.extend([kind, flags]);
    out.extend(stream.to_be_bytes());
    out.extend(payload);
    out
}

/// A header block opening a health Check call: every field a literal with
/// a new name, not Huffman-coded (no HPACK state needed).
fn health_check_headers(stream: u32) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", "/grpc.health.v1.Health/Check"),
        (":authority", "test"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ] {
        block.push(0);
        for part in [name, value] {
            block.push(u8::try_from(part.len()).expect("short"));
            block.extend(part.as_bytes());
        }
    }
    frame(HEADERS, END_HEADERS, stream, &block)
}

/// A frame as read: type, flags, stream, payload.
type Frame = (u8, u8, u32, Vec<u8>);

/// The next frame, or None once the server has closed the connection.
async fn read_frame(r: &mut OwnedReadHalf) -> Option<Frame> {
    let mut head = [0u8; 9];
    r.read_exact(&mut head).await.ok()?;
    let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
    let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
    let mut payload = vec![0; len];
    r.read_exact(&mut payload).await.ok()?;
    Some((head[3], head[4], stream, payload))
}

fn error_code(payload: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(payload[at..at + 4].try_into().expect("4 bytes"))
}

/// A connection past the handshake: preface and our SETTINGS sent, the
/// server's SETTINGS read and acknowledged.
async fn handshake(addr: SocketAddr) -> (OwnedReadHalf, tokio::net::tcp::OwnedWriteHalf) {
    let (mut r, mut w) = TcpStream::connect(addr)
        .await
        .expect("server accepts")
        .into_split();
    let mut hello = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    hello.extend(frame(SETTINGS, 0, 0, &[]));
    w.write_all(&hello).await.expect("preface sent");
    loop {
        let (kind, flags, _, _) = read_frame(&mut r).await.expect("server settings");
        if kind == SETTINGS && flags & ACK == 0 {
            break;
        }
    }
    w.write_all(&frame(SETTINGS, ACK, 0, &[]))
        .await
        .expect("settings acknowledged");
    (r, w)
}

async fn assert_serving(addr: SocketAddr) {
    let mut health = HealthClient::new(channel(addr).await);
    let answer = tokio::time::timeout(
        PATIENCE,
        health.check(HealthCheckRequest {
            service: String::new(),
        }),
    )
    .await
    .expect("health answers in time")
    .expect("health answers OK");
    assert_eq!(answer.into_inner().status, ServingStatus::Serving as i32);
}

#[tokio::test]
async fn streams_past_the_concurrent_stream_limit_are_refused() {
    let mut app = spawn_app_with(|s| s.max_concurrent_streams = 4).await;
    let (mut r, mut w) = handshake(app.addr).await;
    // Ten calls opened and left waiting for their request bodies.
    let ids: Vec<u32> = (0..10).map(|i| 2 * i + 1).collect();
    let opening: Vec<u8> = ids
        .iter()
        .flat_map(|&id| health_check_headers(id))
        .collect();
    w.write_all(&opening).await.expect("headers sent");

    let mut refused = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        while refused.len() < 6 {
            let (kind, _, stream, payload) = read_frame(&mut r).await.expect("connection open");
            if kind == RST_STREAM {
                assert_eq!(error_code(&payload, 0), REFUSED_STREAM, "stream {stream}");
                refused.push(stream);
            }
        }
    })
    .await
    .expect("the streams past the limit are refused");
    // The first four are the ones admitted; only the later ones were refused.
    assert_eq!(refused, ids[4..]);
    assert_serving(app.addr).await;
    app.stop();
}

#[tokio::test]
async fn a_rapid_reset_flood_gets_goaway_and_others_are_still_served() {
    let mut app = spawn_app_with(|_| {}).await;
    let (mut r, mut w) = handshake(app.addr).await;
    // CVE-2023-44487: open a stream and cancel it at once, thousands of
    // times, so the server keeps starting work nobody waits for.
    let flood: Vec<u8> = (0..5_000u32)
        .map(|i| 2 * i + 1)
        .flat_map(|id| {
            let mut pair = health_check_headers(id);
            pair.extend(frame(RST_STREAM, 0, id, &CANCEL.to_be_bytes()));
            pair
        })
        .collect();
    // The server may close while this is still being written.
    let writer = tokio::spawn(async move { w.write_all(&flood).await });

    let goaway = tokio::time::timeout(PATIENCE, async {
        loop {
            match read_frame(&mut r).await {
                Some((GOAWAY, _, _, payload)) => break Some(error_code(&payload, 4)),
                Some(_) => {}
                None => break None,
            }
        }
    })
    .await
    .expect("the flood is cut short in time");
    assert_eq!(
        goaway,
        Some(ENHANCE_YOUR_CALM),
        "the flooding connection gets GOAWAY"
    );
    let _ = writer.await;
    assert_serving(app.addr).await;
    app.stop();
}

#[tokio::test]
async fn a_ping_flood_does_not_starve_other_clients() {
    let mut app = spawn_app_with(|_| {}).await;
    let (mut r, mut w) = handshake(app.addr).await;
    const PINGS: usize = 100_000;
    let flood = tokio::spawn(async move {
        let ping = frame(PING, 0, 0, &[7; 8]);
        let batch: Vec<u8> = ping.repeat(1_000);
        for _ in 0..PINGS / 1_000 {
            if w.write_all(&batch).await.is_err() {
                break;
            }
        }
        w
    });
    let acks = tokio::spawn(async move {
        let mut acks = 0;
        while acks < PINGS {
            match read_frame(&mut r).await {
                Some((PING, flags, _, _)) if flags & ACK != 0 => acks += 1,
                Some(_) => {}
                None => break,
            }
        }
        acks
    });
    // Another client is answered while the flood goes on.
    for _ in 0..5 {
        assert_serving(app.addr).await;
    }
    let _w = flood.await.expect("flood task joins");
    let acks = tokio::time::timeout(PATIENCE * 3, acks)
        .await
        .expect("the server works through the flood")
        .expect("reader joins");
    // Each ping was answered (none dropped, the connection not broken).
    assert_eq!(acks, PINGS);
    assert_serving(app.addr).await;
    app.stop();
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_dropped() {
    let mut app = spawn_app_with(|s| {
        s.http2_keepalive_interval_ms = 200;
        s.http2_keepalive_timeout_ms = 300;
    })
    .await;
    // A peer that went silent: it reads, but never acknowledges a PING.
    let (mut r, _w) = handshake(app.addr).await;
    let mut pings = 0;
    let closed = tokio::time::timeout(PATIENCE, async {
        while let Some((kind, flags, _, _)) = read_frame(&mut r).await {
            if kind == PING && flags & ACK == 0 {
                pings += 1;
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server closes a connection whose peer is gone"
    );
    assert!(pings >= 1, "it asked first");
    // A client that answers (hyper does) keeps its connection through many pings.
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("a live client's connection stays up");
    app.stop();
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let mut app = spawn_app_with(|s| s.max_connections = 2).await;
    // The app's own client holds one connection; a raw one takes the other.
    let (r, w) = handshake(app.addr).await;
    let check = || HealthCheckRequest {
        service: String::new(),
    };
    // A third connection opens at the TCP level (the kernel's backlog) but
    // is not served while both slots are held.
    let waiting = tokio::spawn({
        let addr = app.addr;
        async move {
            let mut health = HealthClient::new(channel(addr).await);
            health.check(check()).await.map(|a| a.into_inner().status)
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a third connection was served");
    // Held connections keep working meanwhile.
    let answer = app.health.check(check()).await.expect("health answers");
    assert_eq!(answer.into_inner().status, ServingStatus::Serving as i32);
    // Once the raw connection closes, the waiting one is served.
    drop((r, w));
    let status = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("served once a slot is free")
        .expect("joins")
        .expect("health answers");
    assert_eq!(status, ServingStatus::Serving as i32);
    app.stop();
}

//! The fault proxy does what each fault says, against the real server: what reaches the
//! server (counted in the database) and what reaches the client (read off the wire).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use inflow::blocking::Client;
use inflow::{ErrorKind, RetryPolicy};
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Database};

/// A client of `db` through `proxy`, trying each request once.
fn client(proxy: &FaultProxy, db: &Database, timeout: Duration) -> Client {
    Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
        .timeout(timeout)
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

/// Sends `request` as it is and reads the answer until the proxy closes the connection;
/// returns the answer's bytes and how many reads brought some.
fn raw(proxy: &FaultProxy, request: &str) -> (Vec<u8>, usize) {
    let mut socket = TcpStream::connect(proxy.base_url().trim_start_matches("http://")).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    socket.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let mut reads = 0;
    let mut buf = [0_u8; 4096];
    loop {
        match socket.read(&mut buf).unwrap() {
            0 => return (answer, reads),
            read => {
                reads += 1;
                answer.extend_from_slice(&buf[..read]);
            }
        }
    }
}

/// The head and the body (chunks decoded) of an answer read by [`raw`].
fn split(answer: &[u8]) -> (String, String) {
    let text = String::from_utf8(answer.to_vec()).unwrap();
    let (head, mut rest) = text.split_once("\r\n\r\n").unwrap();
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return (head.to_owned(), rest.to_owned());
    }
    let mut body = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").expect("a chunk size");
        let size = usize::from_str_radix(size, 16).unwrap();
        if size == 0 {
            assert_eq!(after, "\r\n", "the answer ends with its last chunk");
            return (head.to_owned(), body);
        }
        body.push_str(&after[..size]);
        assert_eq!(&after[size..size + 2], "\r\n");
        rest = &after[size + 2..];
    }
}

fn chunked_query(db: &Database) -> String {
    format!(
        "GET /query?db={}&q=SELECT+*+FROM+m&chunked=true&chunk_size=1&epoch=ns HTTP/1.1\r\nHost: proxy\r\n\r\n",
        db.name()
    )
}

/// A database holding five points of `m`, written through a passing proxy.
fn five_points(label: &str) -> (Database, FaultProxy) {
    let server = server::server();
    let db = server.database(label);
    let proxy = FaultProxy::start(server.base_url());
    client(&proxy, &db, Duration::from_secs(5))
        .write_line_protocol("m value=1 1\nm value=2 2\nm value=3 3\nm value=4 4\nm value=5 5\n")
        .unwrap();
    assert_eq!(db.count("m", "value"), 5);
    (db, proxy)
}

#[test]
fn chunked_query_answers_pass_whole_and_can_be_cut_or_trickled() {
    let (db, proxy) = five_points("proxy_chunked");
    let (answer, _) = raw(&proxy, &chunked_query(&db));
    let (head, body) = split(&answer);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body.lines().count(), 5, "one JSON document per row: {body}");
    for line in body.lines() {
        let _: serde_json::Value = serde_json::from_str(line).unwrap();
    }

    proxy.inject(Fault::CutAnswerAfterLines(2), 1);
    let (cut, _) = raw(&proxy, &chunked_query(&db));
    let (cut_head, cut_body) = split(&cut);
    assert!(cut_head.starts_with("HTTP/1.1 200"), "{cut_head}");
    let kept: Vec<&str> = body.lines().take(2).collect();
    assert_eq!(cut_body.lines().collect::<Vec<_>>(), kept);
    assert!(cut_body.contains("\"partial\":true"), "{cut_body}");

    proxy.inject(Fault::Trickle(Duration::from_millis(1)), 1);
    let (trickled, reads) = raw(&proxy, &chunked_query(&db));
    assert_eq!(split(&trickled).1, body);
    // One byte per write, a pause between writes: the reader sees many small reads.
    assert!(
        reads > answer.len() / 4,
        "{reads} reads of {} bytes",
        answer.len()
    );

    let counts = proxy.fault_counts();
    assert_eq!(counts.get("CutAnswerAfterLines"), Some(&1));
    assert_eq!(counts.get("Trickle"), Some(&1));
}

#[test]
fn a_plan_chooses_each_fault_by_number_and_head_and_the_record_says_what_happened() {
    let server = server::server();
    let db = server.database("proxy_plan");
    let proxy = FaultProxy::start(server.base_url());
    proxy.plan(|number, head| match number {
        _ if head.starts_with("GET /ping") => Fault::Pass,
        1 => Fault::Refuse,
        2 => Fault::ResetAfterForward,
        3 => Fault::HoldAnswer(Duration::from_millis(800)),
        4 => {
            Fault::forward_then_answer(200, &[("Content-Type", "text/html")], "<html>login</html>")
        }
        5 => Fault::answer(
            503,
            &[("Retry-After", "18446744073709551615")],
            "{\"error\":\"canned\"}",
        ),
        _ => Fault::Pass,
    });
    let client = client(&proxy, &db, Duration::from_millis(300));
    let write = |value: i64| client.write_line_protocol(&format!("m value={value} {value}\n"));

    assert_eq!(write(1).unwrap_err().kind(), ErrorKind::Transport);
    assert_eq!(write(2).unwrap_err().kind(), ErrorKind::Transport);
    assert_eq!(write(3).unwrap_err().kind(), ErrorKind::Timeout);
    let _ = write(4); // the client's judgement of a 200 is not the proxy's business
    let canned = write(5).unwrap_err();
    assert_eq!(canned.status(), Some(503));
    client.ping().unwrap();
    write(6).unwrap();

    proxy.wait_until_finished();
    let exchanges = proxy.exchanges();
    let seen: Vec<(&str, Option<u16>, Option<u16>)> = exchanges
        .iter()
        .map(|e| (e.fault.name(), e.server_status, e.answered))
        .collect();
    assert_eq!(
        seen,
        [
            ("Refuse", None, None),
            ("ResetAfterForward", Some(204), None),
            ("HoldAnswer", Some(204), Some(204)),
            ("ForwardThenAnswer", Some(204), Some(200)),
            ("Answer", None, Some(503)),
            ("Pass", Some(204), Some(204)), // the ping
            ("Pass", Some(204), Some(204)),
        ]
    );
    assert!(exchanges[5].request_line.starts_with("GET /ping"));
    // The server acted on 2, 3, 4 and 6 only.
    let values: Vec<i64> = db
        .rows(None, "m")
        .iter()
        .map(|row| row["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [2, 3, 4, 6]);
    assert_eq!(proxy.injected(), 5);
}

#[test]
fn canned_answers_carry_their_headers_and_reach_no_server() {
    let server = server::server();
    let db = server.database("proxy_canned");
    let proxy = FaultProxy::start(server.base_url());
    proxy.inject(
        Fault::answer(
            302,
            &[("Location", "http://user:secret@elsewhere/write")],
            "",
        ),
        1,
    );
    let request = format!(
        "POST /write?db={} HTTP/1.1\r\nHost: proxy\r\nContent-Length: 10\r\n\r\nm value=1\n",
        db.name()
    );
    let (answer, _) = raw(&proxy, &request);
    let (head, body) = split(&answer);
    let head = format!("{head}\r\n");
    assert!(head.starts_with("HTTP/1.1 302 "), "{head}");
    assert!(
        head.contains("\r\nLocation: http://user:secret@elsewhere/write\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nContent-Length: 0\r\n"), "{head}");
    assert!(body.is_empty());
    assert_eq!(db.count("m", "value"), 0);
    assert_eq!(proxy.exchanges()[0].server_status, None);
}

#[test]
fn refused_connections_fail_at_connect_until_accepted_again() {
    let (db, proxy) = five_points("proxy_refused");
    proxy.refuse_connections();
    let refused = TcpStream::connect(proxy.base_url().trim_start_matches("http://")).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let err = client(&proxy, &db, Duration::from_secs(5))
        .write_line_protocol("m value=6 6\n")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    proxy.accept_connections();
    client(&proxy, &db, Duration::from_secs(5))
        .write_line_protocol("m value=6 6\n")
        .unwrap();
    assert_eq!(db.count("m", "value"), 6);
    // One write before, one after; the refused attempts never reached the proxy.
    assert_eq!(proxy.requests(), 2);
}

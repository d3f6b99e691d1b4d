use std::pin::pin;
use std::task::{Context, Poll, Waker};

use super::*;
use crate::v1::write_outcome;

/// A sender that answers each part by its content, as a server would, and records the parts.
struct Server<F> {
    answer: F,
    sent: Vec<String>,
}

impl<F: FnMut(&str) -> Result<()> + Send> Sender for Server<F> {
    fn send(&mut self, part: Bytes, lines: usize) -> impl Future<Output = Result<()>> + Send {
        let text = String::from_utf8(part.to_vec()).unwrap();
        assert_eq!(text.matches('\n').count(), lines, "{text:?}");
        let answer = (self.answer)(&text);
        self.sent.push(text);
        std::future::ready(answer)
    }
}

fn run<F: FnMut(&str) -> Result<()> + Send>(
    body: &str,
    max_part: usize,
    answer: F,
) -> (Delivered, Vec<String>) {
    let mut server = Server {
        answer,
        sent: Vec::new(),
    };
    let body = Bytes::copy_from_slice(body.as_bytes());
    let lines = body.iter().filter(|&&byte| byte == b'\n').count();
    let delivered = {
        let mut future = pin!(deliver(&mut server, &body, lines, max_part));
        let Poll::Ready(delivered) = future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        else {
            panic!("a delivery with a sender that is always ready never waits");
        };
        delivered
    };
    (delivered, server.sent)
}

fn partial(dropped: u32) -> Error {
    write_outcome(
        400,
        format!(
            r#"{{"error":"partial write: field type conflict: input field \"f\" on measurement \"m\" is type string, already exists as type float dropped={dropped}"}}"#
        )
        .as_bytes(),
    )
    .unwrap_err()
}

fn too_large() -> Error {
    write_outcome(413, br#"{"error":"Request Entity Too Large"}"#).unwrap_err()
}

fn report(delivered: &Delivered) -> &CommitReport {
    delivered
        .result
        .as_ref()
        .unwrap_err()
        .commit_report()
        .expect("a failed delivery reports")
}

fn counts(delivered: &Delivered) -> (usize, usize, usize) {
    let report = report(delivered);
    (report.stored(), report.refused(), report.held())
}

const FOUR: &str = "m f=1 1\nm f=2 2\nm f=3 3\nm f=4 4\n";

#[test]
fn a_body_that_fits_goes_whole_and_is_stored() {
    let (delivered, sent) = run(FOUR, 1000, |_| Ok(()));
    assert!(delivered.result.is_ok());
    assert_eq!(sent, [FOUR]);
    assert_eq!(
        (delivered.settled_bytes, delivered.settled_lines),
        (FOUR.len(), 4)
    );
}

#[test]
fn a_large_body_goes_in_parts_at_line_boundaries() {
    let (delivered, sent) = run(FOUR, 16, |_| Ok(()));
    assert!(delivered.result.is_ok());
    assert_eq!(sent, ["m f=1 1\nm f=2 2\n", "m f=3 3\nm f=4 4\n"]);
    assert_eq!(delivered.settled_lines, 4);
}

#[test]
fn a_partial_write_does_not_stop_the_parts_after_it() {
    let (delivered, sent) = run(FOUR, 16, |part| {
        if part.contains("f=2") {
            Err(partial(1))
        } else {
            Ok(())
        }
    });
    assert_eq!(sent.len(), 2);
    let err = delivered.result.as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PartialWrite);
    assert_eq!(err.dropped(), Some(1));
    assert_eq!(counts(&delivered), (3, 1, 0));
    assert_eq!(delivered.settled_lines, 4);
    assert!(report(&delivered).reasons()[0].starts_with("field type conflict"));
    assert_eq!(err.partial_write_reasons().len(), 1);
}

#[test]
fn partial_writes_of_several_parts_add_up() {
    let (delivered, _) = run(FOUR, 8, |part| {
        if part.contains("f=2") || part.contains("f=4") {
            Err(partial(1))
        } else {
            Ok(())
        }
    });
    let err = delivered.result.as_ref().unwrap_err();
    assert_eq!(err.dropped(), Some(2));
    assert_eq!(counts(&delivered), (2, 2, 0));
    assert_eq!(err.partial_write_reasons().len(), 2);
}

// Finding: a 413 split whose first half came back as a partial write never sent the second.
#[test]
fn after_a_partial_write_of_a_half_the_other_half_is_still_sent() {
    let (delivered, sent) = run(FOUR, 1000, |part| {
        if part == FOUR {
            Err(too_large())
        } else if part.contains("f=1") {
            Err(partial(1))
        } else {
            Ok(())
        }
    });
    assert_eq!(sent, [FOUR, "m f=1 1\nm f=2 2\n", "m f=3 3\nm f=4 4\n"]);
    assert_eq!(counts(&delivered), (3, 1, 0));
    assert_eq!(delivered.settled_lines, 4);
}

// Finding: a partial write followed by a failure of a later request was never reported.
#[test]
fn a_partial_write_is_reported_when_a_later_part_fails() {
    let (delivered, sent) = run(FOUR, 16, |part| {
        if part.contains("f=1") {
            Err(partial(1))
        } else {
            Err(Error::new(ErrorKind::Transport, "connection reset"))
        }
    });
    assert_eq!(sent.len(), 2);
    let err = delivered.result.as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(counts(&delivered), (1, 1, 2));
    assert_eq!(
        (delivered.settled_bytes, delivered.settled_lines),
        (16, 2),
        "the first part left the buffer, the second is held"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("1 stored, 1 refused by the server, 2 still held"),
        "{shown}"
    );
    assert!(shown.contains("field type conflict"), "{shown}");
}

// Finding: one point the server can never accept wedged a session.
#[test]
fn a_single_line_too_large_is_handed_back_and_the_rest_is_stored() {
    let big = format!("m s=\"{}\" 5\n", "x".repeat(40));
    let body = format!("m f=1 1\n{big}m f=3 3\n");
    let (delivered, sent) = run(&body, 1000, |part| {
        if part.contains("xxx") {
            Err(too_large())
        } else {
            Ok(())
        }
    });
    assert!(sent.len() >= 3, "{sent:?}");
    let err = delivered.result.as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WriteFailed);
    assert_eq!(err.status(), Some(413));
    assert_eq!(counts(&delivered), (2, 1, 0));
    let refused = &report(&delivered).refused_lines()[0];
    assert_eq!((refused.line(), refused.status()), (big.as_str(), 413));
    assert_eq!(refused.reason(), "Request Entity Too Large");
    assert_eq!(delivered.settled_lines, 3);
}

#[test]
fn lines_the_server_cannot_parse_are_handed_back_with_their_reasons() {
    let body = "m f=1 1\nbad line\nm f=3 3\n";
    let (delivered, _) = run(body, 8, |part| {
        if part.starts_with("bad") {
            Err(write_outcome(
                400,
                br#"{"error":"unable to parse 'bad line': invalid field format"}"#,
            )
            .unwrap_err())
        } else {
            Ok(())
        }
    });
    assert_eq!(counts(&delivered), (2, 1, 0));
    let refused = &report(&delivered).refused_lines()[0];
    assert_eq!(refused.line(), "bad line\n");
    assert_eq!(
        refused.reason(),
        "unable to parse 'bad line': invalid field format"
    );
}

#[test]
fn every_unparsable_line_of_a_part_gets_its_own_reason() {
    let body = "a b\nc d\n";
    let (delivered, _) = run(body, 1000, |_| {
        Err(write_outcome(
            400,
            br#"{"error":"unable to parse 'a b': invalid field format\nunable to parse 'c d': invalid field format"}"#,
        )
        .unwrap_err())
    });
    let lines: Vec<_> = report(&delivered)
        .refused_lines()
        .iter()
        .map(|line| (line.line(), line.reason()))
        .collect();
    assert_eq!(
        lines,
        [
            ("a b\n", "unable to parse 'a b': invalid field format"),
            ("c d\n", "unable to parse 'c d': invalid field format")
        ]
    );
}

#[test]
fn a_failure_holds_its_part_and_every_part_after_it() {
    let (delivered, sent) = run(FOUR, 8, |part| {
        if part.contains("f=2") {
            Err(write_outcome(401, br#"{"error":"authorization failed"}"#).unwrap_err())
        } else {
            Ok(())
        }
    });
    assert_eq!(sent.len(), 2, "nothing is sent after the failure");
    assert_eq!(
        delivered.result.as_ref().unwrap_err().kind(),
        ErrorKind::Unauthorized
    );
    assert_eq!(counts(&delivered), (1, 0, 3));
    assert_eq!((delivered.settled_bytes, delivered.settled_lines), (8, 1));
}

#[test]
fn a_failure_of_the_first_part_holds_everything() {
    let (delivered, _) = run(FOUR, 1000, |_| Err(write_outcome(503, b"").unwrap_err()));
    assert_eq!(counts(&delivered), (0, 0, 4));
    assert_eq!((delivered.settled_bytes, delivered.settled_lines), (0, 0));
    assert!(!report(&delivered).is_complete());
}

#[test]
fn a_failure_inside_a_halved_part_holds_from_that_half_on() {
    let (delivered, _) = run(FOUR, 1000, |part| {
        if part == FOUR {
            Err(too_large())
        } else if part.contains("f=3") {
            Err(Error::timeout(std::time::Duration::from_secs(1)))
        } else {
            Ok(())
        }
    });
    assert_eq!(
        delivered.result.as_ref().unwrap_err().kind(),
        ErrorKind::Timeout
    );
    assert_eq!(counts(&delivered), (2, 0, 2));
    assert_eq!(delivered.settled_bytes, 16);
}

#[test]
fn a_refused_line_before_a_failure_is_still_handed_back() {
    let body = "big\nm f=2 2\n";
    let (delivered, _) = run(body, 4, |part| match part {
        "big\n" => Err(too_large()),
        _ => Err(Error::new(ErrorKind::Transport, "refused")),
    });
    assert_eq!(counts(&delivered), (0, 1, 1));
    assert_eq!(report(&delivered).refused_lines()[0].line(), "big\n");
    assert_eq!(delivered.settled_lines, 1);
}

#[test]
fn the_reason_for_a_line_is_found_only_when_the_server_named_it() {
    let message = "unable to parse 'a': x\nunable to parse 'b c': y";
    assert_eq!(
        reason_for_line(message, "b c").as_deref(),
        Some("unable to parse 'b c': y")
    );
    assert_eq!(
        reason_for_line(message, "a").as_deref(),
        Some("unable to parse 'a': x")
    );
    assert_eq!(reason_for_line(message, "b"), None);
}

#[test]
fn a_report_says_what_is_where() {
    let report = CommitReport {
        stored: 3,
        refused: 1,
        held: 2,
        reasons: vec!["r".to_owned()],
        ..CommitReport::default()
    };
    assert_eq!(
        report.to_string(),
        "3 stored, 1 refused by the server, 2 still held"
    );
    assert!(!report.is_complete());
    assert!(CommitReport::default().is_complete());
    let held_only = CommitReport {
        held: 1,
        ..CommitReport::default()
    };
    assert!(!held_only.is_complete());
    let refused_only = CommitReport {
        refused: 1,
        ..CommitReport::default()
    };
    assert!(!refused_only.is_complete());
}

#[test]
fn raw_lines_have_a_time_only_when_digits_follow_their_last_space() {
    for timed in [
        "m f=1 1\n",
        "m f=1 -5",
        "m,t=a\\ b f=1,g=\"x y\" 1234567890123456789\n",
        "m s=\"a 5\" 7\n",
        "\n# a comment\nm f=1 1\n\n",
        "",
    ] {
        assert!(every_line_has_a_time(timed.as_bytes()), "{timed:?}");
    }
    for untimed in [
        "m f=1\n",
        "m f=1 1\nm f=2\n",
        "m s=\"a 5\"\n",
        "m,t=a f=12\n",
        "m f=1 -\n",
        "m f=1 1x\n",
        "m s=\"x\ny 5\"\n",
    ] {
        assert!(!every_line_has_a_time(untimed.as_bytes()), "{untimed:?}");
    }
}

#[test]
fn a_later_part_too_large_is_halved_on_its_own() {
    let (delivered, sent) = run(FOUR, 16, |part| {
        if part == "m f=3 3\nm f=4 4\n" {
            Err(too_large())
        } else {
            Ok(())
        }
    });
    assert!(delivered.result.is_ok());
    assert_eq!(
        sent,
        [
            "m f=1 1\nm f=2 2\n",
            "m f=3 3\nm f=4 4\n",
            "m f=3 3\n",
            "m f=4 4\n"
        ]
    );
}

#[test]
fn a_400_that_is_not_about_the_lines_holds_them() {
    for body in [
        &br#"{"error":"database is required"}"#[..],
        br#"{"error":"invalid consistency level"}"#,
    ] {
        let (delivered, _) = run(FOUR, 1000, |_| Err(write_outcome(400, body).unwrap_err()));
        assert_eq!(counts(&delivered), (0, 0, 4));
        assert!(report(&delivered).refused_lines().is_empty());
    }
}

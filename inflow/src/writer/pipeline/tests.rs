use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;

use super::*;
use crate::delivery::{Sender, deliver};
use crate::line_protocol::to_line;
use crate::v1::write_outcome;
use crate::{ErrorKind, Point, Precision};

const MS: Duration = Duration::from_millis(1);

/// The default policy without jitter: 5 attempts, 200 ms doubling up to 10 s, within 60 s.
fn policy() -> RetryPolicy {
    RetryPolicy::default().jitter(false)
}

fn line(series: &str, value: i64) -> String {
    format!("{series} f={value}i {value}\n")
}

fn body(lines: &[String]) -> Vec<u8> {
    lines.concat().into_bytes()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

/// A series name whose lines go to `lane` of `lanes`.
fn series_in_lane(lane: usize, lanes: usize) -> String {
    (0..)
        .map(|n| format!("m,s={n}"))
        .find(|series| series_hash(series.as_bytes()) % lanes as u64 == lane as u64)
        .unwrap()
}

/// A sender that answers each part of a request by its text, as a server would.
struct Answers<F>(F);

impl<F: FnMut(&str) -> Result<()> + std::marker::Send> Sender for Answers<F> {
    fn send(
        &mut self,
        part: Bytes,
        _: usize,
    ) -> impl Future<Output = Result<()>> + std::marker::Send {
        std::future::ready((self.0)(text(&part)))
    }
}

/// The outcome of the request `send`, its parts (one line each) answered by `answer`.
fn deliver_lines(
    send: &Send,
    answer: impl FnMut(&str) -> Result<()> + std::marker::Send,
) -> Delivered {
    let mut sender = Answers(answer);
    let mut future = pin!(deliver(&mut sender, &send.body, send.lines, 1));
    let Poll::Ready(delivered) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("a delivery with a sender that is always ready never waits");
    };
    delivered
}

/// Answers the request `send` with `answer`, the request's own copy of the body dropped first.
fn answer(
    pipeline: &mut Pipeline,
    send: Send,
    now: Instant,
    answer: impl FnMut(&str) -> Result<()> + std::marker::Send,
) -> Settled {
    let delivered = deliver_lines(&send, answer);
    let lane = send.lane;
    drop(send);
    pipeline.delivered(lane, delivered, now)
}

fn stored(_: &str) -> Result<()> {
    Ok(())
}

fn server_error() -> Error {
    Error::new(ErrorKind::Server, "the server failed").with_status(503)
}

fn failing(_: &str) -> Result<()> {
    Err(server_error())
}

/// The server's answer to a line holding `refused`: a partial write that dropped it.
fn refusing(refused: &str) -> impl FnMut(&str) -> Result<()> + std::marker::Send {
    let refused = refused.to_owned();
    move |part| {
        if part.contains(&refused) {
            write_outcome(
                400,
                br#"{"error":"partial write: field type conflict: input field \"f\" on measurement \"m\" is type integer, already exists as type string dropped=1"}"#,
            )
        } else {
            Ok(())
        }
    }
}

/// The only request due at `now`.
fn only_send(pipeline: &mut Pipeline, now: Instant) -> Send {
    let mut sends = pipeline.due(now);
    assert_eq!(sends.len(), 1, "{sends:?}");
    sends.pop().unwrap()
}

fn finished(pipeline: &mut Pipeline) -> HashMap<u64, Result<CommitReport>> {
    pipeline.finished_waiters().into_iter().collect()
}

#[test]
fn the_series_hash_is_fnv_1a_the_same_in_every_process() {
    assert_eq!(series_hash(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(series_hash(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(series_hash(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn one_lane_takes_the_cut_body_whole() {
    let mut pipeline = Pipeline::new(1, policy());
    let lines = [line("a", 1), line("b", 2), line("a", 3)];
    let cut = body(&lines);
    let at = cut.as_ptr();
    pipeline.push_cut(cut, 3);
    let send = only_send(&mut pipeline, Instant::now());
    assert_eq!(send.lane, 0);
    assert_eq!(send.lines, 3);
    assert_eq!(text(&send.body), lines.concat());
    assert_eq!(
        send.body.as_ptr(),
        at,
        "the body is sent as it was cut, not copied"
    );
}

#[test]
fn zero_lanes_are_one() {
    let mut pipeline = Pipeline::new(0, policy());
    pipeline.push_cut(body(&[line("a", 1), line("b", 2)]), 2);
    assert_eq!(only_send(&mut pipeline, Instant::now()).lines, 2);
}

#[test]
fn an_empty_cut_enqueues_nothing() {
    let mut pipeline = Pipeline::new(3, policy());
    pipeline.push_cut(Vec::with_capacity(64), 0);
    assert!(pipeline.is_empty());
    assert!(pipeline.due(Instant::now()).is_empty());
    assert_eq!(pipeline.next_due(), None);
    assert!(
        pipeline.spare_buffer().capacity() >= 64,
        "its buffer is kept"
    );
}

#[test]
fn many_series_spread_over_every_lane() {
    let mut pipeline = Pipeline::new(4, policy());
    let lines: Vec<String> = (0..64).map(|n| line(&format!("m,host=h{n}"), n)).collect();
    pipeline.push_cut(body(&lines), lines.len());
    let sends = pipeline.due(Instant::now());
    let mut lanes: Vec<usize> = sends.iter().map(|send| send.lane).collect();
    lanes.sort_unstable();
    assert_eq!(lanes, [0, 1, 2, 3]);
    assert_eq!(sends.iter().map(|send| send.lines).sum::<usize>(), 64);
    for send in &sends {
        assert!(
            send.lines < 40,
            "64 series are spread, not piled: {}",
            send.lines
        );
        assert_eq!(text(&send.body).matches('\n').count(), send.lines);
    }
}

/// A point of one of a few series, whose keys and string field need escaping, with a time that
/// makes its line unique.
fn points() -> impl Strategy<Value = Vec<((usize, String, String), String)>> {
    let series = (0..3_usize, "[ab ,=\"]{0,3}", "[ab ,=]{0,2}");
    let string = "[ab \"\\\\\n,=]{0,6}";
    prop::collection::vec((series, string), 1..60)
}

/// Sends every batch of `pipeline`, all stored, and returns each lane's bytes in the order sent.
fn send_everything(pipeline: &mut Pipeline, lanes: usize) -> Vec<Vec<u8>> {
    let mut sent = vec![Vec::new(); lanes];
    let now = Instant::now();
    loop {
        let sends = pipeline.due(now);
        if sends.is_empty() {
            break;
        }
        for send in sends {
            sent[send.lane].extend_from_slice(&send.body);
            let settled = answer(pipeline, send, now, stored);
            assert!(settled.stall.is_none() && settled.refusal.is_none());
        }
    }
    assert!(pipeline.is_empty());
    sent
}

proptest! {
    #[test]
    fn splitting_keeps_every_line_once_in_order_and_each_series_in_one_lane(
        points in points(),
        lanes in 1..6_usize,
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    ) {
        const MEASUREMENTS: [&str; 3] = ["m", "cpu load", "a,b=c"];
        let lines: Vec<Vec<u8>> = points
            .iter()
            .enumerate()
            .map(|(time, ((measurement, host, region), string))| {
                let point = Point::new(MEASUREMENTS[*measurement])
                    .tag("host", host.as_str())
                    .tag("re gion", region.as_str())
                    .field("s", string.as_str())
                    .timestamp_nanos(i64::try_from(time).unwrap());
                to_line(&point, Precision::Nanoseconds).unwrap().into_bytes()
            })
            .collect();
        let mut pipeline = Pipeline::new(lanes, policy());
        let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut.index(lines.len() + 1)).collect();
        bounds.extend([0, lines.len()]);
        bounds.sort_unstable();
        for cut in bounds.windows(2) {
            pipeline.push_cut(lines[cut[0]..cut[1]].concat(), cut[1] - cut[0]);
        }
        let sent = send_everything(&mut pipeline, lanes);

        // Each input line, in input order, is next in exactly one lane's bytes.
        let mut read = vec![0; lanes];
        let mut lane_of_series = HashMap::new();
        for (index, line) in lines.iter().enumerate() {
            let next: Vec<usize> = (0..lanes)
                .filter(|&lane| sent[lane][read[lane]..].starts_with(line))
                .collect();
            prop_assert_eq!(next.len(), 1, "line {} {:?} in lanes {:?}", index, text(line), next);
            let lane = next[0];
            read[lane] += line.len();
            let series = &points[index].0;
            let first = *lane_of_series.entry(series).or_insert(lane);
            prop_assert_eq!(first, lane, "series {:?} in two lanes", series);
        }
        for lane in 0..lanes {
            prop_assert_eq!(read[lane], sent[lane].len(), "lane {} sent more", lane);
        }
    }
}

#[test]
fn due_sends_one_request_per_lane_and_none_while_one_is_out() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, policy());
    let now = Instant::now();
    pipeline.push_cut(
        body(&[line(&lane0, 1), line(&lane1, 2), line(&lane0, 3)]),
        3,
    );
    pipeline.push_cut(body(&[line(&lane0, 4)]), 1);
    assert_eq!(pipeline.sending_lines(), 0);
    let mut sends = pipeline.due(now);
    sends.sort_by_key(|send| send.lane);
    assert_eq!(sends.len(), 2);
    assert_eq!(text(&sends[0].body), line(&lane0, 1) + &line(&lane0, 3));
    assert_eq!(text(&sends[1].body), line(&lane1, 2));
    assert_eq!(pipeline.sending_lines(), 3);
    assert!(
        pipeline.due(now).is_empty(),
        "both lanes have a request out"
    );
    assert_eq!(pipeline.next_due(), None, "no lane waits for a timer");

    let lane1_send = sends.pop().unwrap();
    let settled = answer(&mut pipeline, lane1_send, now, stored);
    assert_eq!((settled.lines, settled.stored), (1, 1));
    assert!(
        pipeline.due(now).is_empty(),
        "lane 1 is empty, lane 0 still sending"
    );
    assert_eq!(pipeline.sending_lines(), 2);

    let lane0_send = sends.pop().unwrap();
    answer(&mut pipeline, lane0_send, now, stored);
    assert!(!pipeline.is_empty());
    let next = only_send(&mut pipeline, now);
    assert_eq!((next.lane, text(&next.body)), (0, line(&lane0, 4).as_str()));
    answer(&mut pipeline, next, now, stored);
    assert!(pipeline.is_empty());
    assert!(pipeline.due(now).is_empty());
}

#[test]
fn a_delivered_prefix_advances_the_head_and_a_settled_head_lets_the_next_batch_go() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    let first = [line("m", 1), line("m", 2), line("m", 3)];
    pipeline.push_cut(body(&first), 3);
    pipeline.push_cut(body(&[line("m", 4)]), 1);

    let send = only_send(&mut pipeline, now);
    let mut answers = 0;
    let settled = answer(&mut pipeline, send, now, |_| {
        answers += 1;
        if answers <= 2 {
            Ok(())
        } else {
            Err(server_error())
        }
    });
    assert_eq!(settled.lines, 2);
    assert_eq!(settled.bytes, first[0].len() + first[1].len());
    assert_eq!((settled.stored, settled.refused), (2, 0));
    assert!(settled.retry);
    assert!(settled.stall.is_none() && settled.refusal.is_none());

    let retry = only_send(&mut pipeline, now + 200 * MS);
    assert_eq!((text(&retry.body), retry.lines), (first[2].as_str(), 1));
    let settled = answer(&mut pipeline, retry, now + 200 * MS, stored);
    assert_eq!(
        (settled.lines, settled.bytes, settled.stored),
        (1, first[2].len(), 1)
    );
    assert!(!settled.retry);
    assert_eq!(
        pipeline.next_due(),
        None,
        "the next batch waits for no timer"
    );

    let next = only_send(&mut pipeline, now + 200 * MS);
    assert_eq!((text(&next.body), next.lines), (line("m", 4).as_str(), 1));
}

#[test]
fn a_refusal_is_counted_and_reported_and_not_sent_again() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1), line("m", 2), line("m", 3)]), 3);
    pipeline.push_cut(body(&[line("m", 4)]), 1);
    let send = only_send(&mut pipeline, now);
    let settled = answer(&mut pipeline, send, now, refusing("f=2i"));
    assert_eq!((settled.lines, settled.stored, settled.refused), (3, 2, 1));
    let refusal = settled.refusal.expect("a refusal is reported");
    assert_eq!(refusal.kind(), ErrorKind::PartialWrite);
    assert_eq!(refusal.commit_report().unwrap().refused(), 1);
    assert!(!settled.retry && settled.stall.is_none());
    assert_eq!(pipeline.next_due(), None);
    let next = only_send(&mut pipeline, now);
    assert_eq!(
        text(&next.body),
        line("m", 4),
        "the next batch, not the refused one"
    );
}

#[test]
fn a_failure_that_may_pass_is_retried_after_the_policys_backoff() {
    let mut pipeline = Pipeline::new(1, policy());
    let t0 = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let mut now = t0;
    for backoff in [200, 400, 800, 1600] {
        let send = only_send(&mut pipeline, now);
        let settled = answer(&mut pipeline, send, now, failing);
        assert!(settled.retry, "retried after {backoff} ms");
        assert_eq!((settled.lines, settled.stored), (0, 0));
        assert!(settled.stall.is_none());
        let due_at = now + backoff * MS;
        assert_eq!(pipeline.next_due(), Some(due_at));
        assert!(
            pipeline.due(due_at - MS).is_empty(),
            "not before its backoff"
        );
        now = due_at;
    }
    assert_eq!(
        only_send(&mut pipeline, now).lines,
        1,
        "due when its backoff ends"
    );
}

#[test]
fn a_throttled_lane_waits_for_the_servers_retry_after() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, now);
    let settled = answer(&mut pipeline, send, now, |_| {
        Err(Error::new(ErrorKind::Throttled, "slow down")
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(3))))
    });
    assert!(settled.retry);
    assert_eq!(pipeline.next_due(), Some(now + Duration::from_secs(3)));
}

#[test]
fn the_retry_budget_counts_from_the_rounds_first_attempt() {
    let policy = policy()
        .initial_backoff(400 * MS)
        .max_backoff(2_000 * MS)
        .max_elapsed(1_000 * MS);
    let mut pipeline = Pipeline::new(1, policy);
    let t0 = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, t0);
    assert!(answer(&mut pipeline, send, t0, failing).retry);
    let t1 = t0 + 400 * MS;
    let send = only_send(&mut pipeline, t1);
    let settled = answer(&mut pipeline, send, t1, failing);
    assert!(
        !settled.retry,
        "400 ms in, 800 ms more would end past the 1 s budget"
    );
    assert!(settled.stall.is_some());

    // A new round has its own budget and starts over from the first backoff.
    pipeline.resume_stalled();
    let t2 = t1 + Duration::from_secs(30);
    let send = only_send(&mut pipeline, t2);
    assert!(answer(&mut pipeline, send, t2, failing).retry);
    assert_eq!(pipeline.next_due(), Some(t2 + 400 * MS));
}

#[test]
fn when_the_policy_gives_up_the_lane_stalls_with_its_pending_lines() {
    let mut pipeline = Pipeline::new(1, policy().max_attempts(2));
    let t0 = Instant::now();
    pipeline.push_cut(body(&[line("m", 1), line("m", 2), line("m", 3)]), 3);
    pipeline.push_cut(body(&[line("m", 4), line("m", 5)]), 2);
    let send = only_send(&mut pipeline, t0);
    let mut answers = 0;
    let settled = answer(&mut pipeline, send, t0, |_| {
        answers += 1;
        if answers == 1 {
            Ok(())
        } else {
            Err(server_error())
        }
    });
    assert!(settled.retry);
    let t1 = t0 + 200 * MS;
    let send = only_send(&mut pipeline, t1);
    let settled = answer(&mut pipeline, send, t1, failing);
    assert!(!settled.retry);
    let (points, error) = settled.stall.expect("the lane stalls");
    assert_eq!(
        points, 4,
        "the head's 2 unsettled lines and the next batch's 2"
    );
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(
        pipeline.next_due(),
        Some(t1 + Duration::from_secs(10)),
        "max backoff"
    );
    assert!(pipeline.due(t1 + Duration::from_secs(10) - MS).is_empty());
    let send = only_send(&mut pipeline, t1 + Duration::from_secs(10));
    assert_eq!(text(&send.body), line("m", 2) + &line("m", 3));
}

#[test]
fn a_final_error_stalls_the_lane_at_once() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, now);
    let settled = answer(&mut pipeline, send, now, |_| {
        Err(Error::new(ErrorKind::Unauthorized, "authorization failed").with_status(401))
    });
    assert!(!settled.retry);
    let (points, error) = settled.stall.unwrap();
    assert_eq!((points, error.kind()), (1, ErrorKind::Unauthorized));
}

#[test]
fn a_stalled_lane_waits_for_the_longer_of_the_longest_backoff_and_retry_after() {
    for (retry_after, pause) in [(None, 10), (Some(4), 10), (Some(30), 30)] {
        let mut pipeline = Pipeline::new(1, RetryPolicy::never().jitter(false));
        let now = Instant::now();
        pipeline.push_cut(body(&[line("m", 1)]), 1);
        let send = only_send(&mut pipeline, now);
        let settled = answer(&mut pipeline, send, now, |_| {
            Err(Error::new(ErrorKind::Throttled, "slow down")
                .with_status(429)
                .with_retry_after(retry_after.map(Duration::from_secs)))
        });
        assert!(settled.stall.is_some());
        assert_eq!(
            pipeline.next_due(),
            Some(now + Duration::from_secs(pause)),
            "Retry-After {retry_after:?}"
        );
    }
}

#[test]
fn resume_stalled_makes_only_the_stalled_lanes_due_at_once() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, policy().max_attempts(2));
    let now = Instant::now();
    pipeline.push_cut(body(&[line(&lane0, 1)]), 1);
    let send = only_send(&mut pipeline, now);
    assert!(answer(&mut pipeline, send, now, failing).retry);
    pipeline.push_cut(body(&[line(&lane1, 2)]), 1);
    // Lane 0 stalls on its second failure; lane 1 waits for its first backoff.
    let later = now + 200 * MS;
    let sends = pipeline.due(later);
    assert_eq!(sends.len(), 2);
    for send in sends {
        let lane = send.lane;
        let settled = answer(&mut pipeline, send, later, failing);
        assert_eq!(
            (settled.stall.is_some(), settled.retry),
            (lane == 0, lane == 1)
        );
    }
    assert_eq!(
        pipeline.next_due(),
        Some(later + 200 * MS),
        "lane 1's backoff"
    );
    pipeline.resume_stalled();
    let send = only_send(&mut pipeline, later);
    assert_eq!(send.lane, 0);
    assert_eq!(
        pipeline.next_due(),
        Some(later + 200 * MS),
        "lane 1 still waits"
    );
    pipeline.resume_stalled();
    assert!(pipeline.due(later).is_empty(), "lane 1 was not stalled");
}

#[test]
fn a_stalled_lane_that_starts_its_next_round_by_its_timer_is_no_longer_stalled() {
    let mut pipeline = Pipeline::new(1, policy().max_attempts(2));
    let t0 = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, t0);
    assert!(answer(&mut pipeline, send, t0, failing).retry);
    let t1 = t0 + 200 * MS;
    let send = only_send(&mut pipeline, t1);
    assert!(answer(&mut pipeline, send, t1, failing).stall.is_some());
    let t2 = t1 + Duration::from_secs(10);
    let send = only_send(&mut pipeline, t2);
    assert!(answer(&mut pipeline, send, t2, failing).retry);
    pipeline.resume_stalled();
    assert!(
        pipeline.due(t2).is_empty(),
        "a lane waiting for a retry's backoff is not hurried"
    );
    assert_eq!(pipeline.next_due(), Some(t2 + 200 * MS));
}

#[test]
fn a_flush_with_nothing_pending_is_done_at_once() {
    let mut pipeline = Pipeline::new(2, policy());
    let id = pipeline.wait();
    let mut done = finished(&mut pipeline);
    let report = done.remove(&id).unwrap().unwrap();
    assert_eq!(report, CommitReport::default());
    assert!(finished(&mut pipeline).is_empty(), "answered once");
}

#[test]
fn a_flush_waits_for_the_batches_cut_before_it_and_counts_only_them() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1), line("m", 2)]), 2);
    pipeline.push_cut(body(&[line("m", 3)]), 1);
    let flush = pipeline.wait();
    pipeline.push_cut(body(&[line("m", 4), line("m", 5)]), 2);
    let later_flush = pipeline.wait();

    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    assert!(
        finished(&mut pipeline).is_empty(),
        "the second batch is not settled"
    );
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let mut done = finished(&mut pipeline);
    assert_eq!(done.len(), 1);
    let report = done.remove(&flush).unwrap().unwrap();
    assert_eq!((report.stored(), report.held()), (3, 0));

    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let report = finished(&mut pipeline)
        .remove(&later_flush)
        .unwrap()
        .unwrap();
    assert_eq!(report.stored(), 5);
}

#[test]
fn a_flush_counts_a_batch_already_out_when_it_began() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, now);
    let flush = pipeline.wait();
    answer(&mut pipeline, send, now, stored);
    let report = finished(&mut pipeline).remove(&flush).unwrap().unwrap();
    assert_eq!(report.stored(), 1);
}

#[test]
fn a_flush_waits_for_every_lane() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, policy());
    let now = Instant::now();
    pipeline.push_cut(
        body(&[line(&lane0, 1), line(&lane1, 2), line(&lane1, 3)]),
        3,
    );
    let flush = pipeline.wait();
    let mut sends = pipeline.due(now);
    sends.sort_by_key(|send| send.lane);
    let lane1_send = sends.pop().unwrap();
    answer(&mut pipeline, sends.pop().unwrap(), now, stored);
    assert!(finished(&mut pipeline).is_empty(), "lane 1 is still out");
    answer(&mut pipeline, lane1_send, now, stored);
    let report = finished(&mut pipeline).remove(&flush).unwrap().unwrap();
    assert_eq!(report.stored(), 3);
}

#[test]
fn a_flush_is_done_when_its_batch_stalls_and_reports_it_held() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, RetryPolicy::never());
    let now = Instant::now();
    pipeline.push_cut(body(&[line(&lane0, 1), line(&lane1, 2)]), 2);
    pipeline.push_cut(body(&[line(&lane0, 3), line(&lane0, 4)]), 2);
    let flush = pipeline.wait();
    pipeline.push_cut(body(&[line(&lane0, 5)]), 1);
    for send in pipeline.due(now) {
        if send.lane == 0 {
            answer(&mut pipeline, send, now, failing);
        } else {
            answer(&mut pipeline, send, now, stored);
        }
    }
    let error = finished(&mut pipeline).remove(&flush).unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    let report = error.commit_report().unwrap();
    assert_eq!(report.stored(), 1);
    assert_eq!(report.refused(), 0);
    assert_eq!(
        report.held(),
        3,
        "lane 0's two batches cut before the flush, not the third"
    );
    assert!(!pipeline.is_empty(), "held points stay in their lane");
}

#[test]
fn a_flush_begun_after_a_stall_waits_for_the_next_round() {
    let mut pipeline = Pipeline::new(1, RetryPolicy::never());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let send = only_send(&mut pipeline, now);
    assert!(answer(&mut pipeline, send, now, failing).stall.is_some());
    pipeline.resume_stalled();
    let flush = pipeline.wait();
    assert!(
        finished(&mut pipeline).is_empty(),
        "the stall came before this flush"
    );
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let report = finished(&mut pipeline).remove(&flush).unwrap().unwrap();
    assert_eq!((report.stored(), report.held()), (1, 0));
}

#[test]
fn a_flush_reports_the_first_error_and_counts_every_point() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, RetryPolicy::never());
    let now = Instant::now();
    pipeline.push_cut(
        body(&[
            line(&lane0, 1),
            line(&lane0, 2),
            line(&lane1, 3),
            line(&lane1, 4),
        ]),
        4,
    );
    let flush = pipeline.wait();
    let mut sends = pipeline.due(now);
    sends.sort_by_key(|send| send.lane);
    let lane1_send = sends.pop().unwrap();
    let settled = answer(&mut pipeline, sends.pop().unwrap(), now, refusing("f=2i"));
    assert_eq!(settled.refused, 1);
    let mut answers = 0;
    let settled = answer(&mut pipeline, lane1_send, now, |_| {
        answers += 1;
        if answers == 1 {
            Ok(())
        } else {
            Err(server_error())
        }
    });
    assert!(settled.stall.is_some());
    let error = finished(&mut pipeline).remove(&flush).unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PartialWrite, "the first error met");
    let report = error.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (2, 1, 1)
    );
    assert_eq!(report.reasons().len(), 1);
}

#[test]
fn a_refusal_alone_fails_the_flush_with_nothing_held() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1), line("m", 2)]), 2);
    let flush = pipeline.wait();
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, refusing("f=1i"));
    let error = finished(&mut pipeline).remove(&flush).unwrap().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::PartialWrite);
    let report = error.commit_report().unwrap();
    assert_eq!(
        (report.stored(), report.refused(), report.held()),
        (1, 1, 0)
    );
    assert!(pipeline.is_empty());
}

#[test]
fn a_retry_does_not_end_a_flush() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let flush = pipeline.wait();
    let send = only_send(&mut pipeline, now);
    assert!(answer(&mut pipeline, send, now, failing).retry);
    assert!(finished(&mut pipeline).is_empty());
    let send = only_send(&mut pipeline, now + 200 * MS);
    answer(&mut pipeline, send, now + 200 * MS, stored);
    let report = finished(&mut pipeline).remove(&flush).unwrap().unwrap();
    assert_eq!(report.stored(), 1, "the retried point, once");
}

#[test]
fn several_flushes_are_done_together() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let flushes = [pipeline.wait(), pipeline.wait(), pipeline.wait()];
    pipeline.push_cut(body(&[line("m", 2)]), 1);
    let last = pipeline.wait();
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let done = finished(&mut pipeline);
    assert_eq!(done.len(), 3);
    for flush in flushes {
        assert_eq!(done[&flush].as_ref().unwrap().stored(), 1);
    }
    assert!(!done.contains_key(&last));
}

fn timed_out() -> Error {
    Error::new(ErrorKind::Timeout, "the deadline passed")
}

#[test]
fn finish_now_counts_the_unsettled_lines_as_held() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    pipeline.push_cut(body(&[line("m", 2), line("m", 3)]), 2);
    let flush = pipeline.wait();
    pipeline.push_cut(body(&[line("m", 4)]), 1);
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let error = pipeline.finish_now(flush, timed_out).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    let report = error.commit_report().unwrap();
    assert_eq!((report.stored(), report.held()), (1, 2));
    assert!(finished(&mut pipeline).is_empty(), "the waiter is gone");
    assert_eq!(
        pipeline.finish_now(flush, timed_out).unwrap_err().kind(),
        ErrorKind::Timeout,
        "an unknown waiter ends with the error given"
    );
}

#[test]
fn finish_now_keeps_the_first_error_and_succeeds_when_all_is_stored() {
    let mut pipeline = Pipeline::new(1, RetryPolicy::never());
    let now = Instant::now();
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let flush = pipeline.wait();
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, failing);
    let error = pipeline.finish_now(flush, timed_out).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.commit_report().unwrap().held(), 1);

    let mut pipeline = Pipeline::new(1, policy());
    pipeline.push_cut(body(&[line("m", 1)]), 1);
    let flush = pipeline.wait();
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    assert_eq!(pipeline.finish_now(flush, timed_out).unwrap().stored(), 1);
}

#[test]
fn take_unsent_hands_back_every_lane_in_order_and_empties_everything() {
    let (lane0, lane1) = (series_in_lane(0, 2), series_in_lane(1, 2));
    let mut pipeline = Pipeline::new(2, RetryPolicy::never());
    let now = Instant::now();
    pipeline.push_cut(
        body(&[line(&lane1, 1), line(&lane0, 2), line(&lane0, 3)]),
        3,
    );
    pipeline.push_cut(body(&[line(&lane0, 4), line(&lane1, 5)]), 2);
    for send in pipeline.due(now) {
        if send.lane == 0 {
            // The first line stored, then a stall.
            let mut answers = 0;
            answer(&mut pipeline, send, now, |_| {
                answers += 1;
                if answers == 1 {
                    Ok(())
                } else {
                    Err(server_error())
                }
            });
        }
        // Lane 1's request is still out.
    }
    assert_eq!(pipeline.sending_lines(), 1);
    let (unsent, lines) = pipeline.take_unsent();
    assert_eq!(
        text(&unsent),
        [
            line(&lane0, 3),
            line(&lane0, 4),
            line(&lane1, 1),
            line(&lane1, 5)
        ]
        .concat()
    );
    assert_eq!(lines, 4);
    assert!(pipeline.is_empty());
    assert_eq!(pipeline.sending_lines(), 0);
    assert_eq!(pipeline.next_due(), None);
    assert!(pipeline.due(now).is_empty());
    pipeline.push_cut(body(&[line(&lane0, 6), line(&lane1, 7)]), 2);
    assert_eq!(
        pipeline.due(now).len(),
        2,
        "neither lane is left sending or waiting"
    );
}

#[test]
fn a_batch_still_held_elsewhere_is_not_reused() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    let mut cut = Vec::with_capacity(4096);
    cut.extend_from_slice(line("m", 1).as_bytes());
    pipeline.push_cut(cut, 1);
    let send = only_send(&mut pipeline, now);
    let kept = send.body.clone();
    answer(&mut pipeline, send, now, stored);
    assert_eq!(pipeline.spare_buffer().capacity(), 0);
    assert_eq!(
        text(&kept),
        line("m", 1),
        "the bytes someone holds are untouched"
    );
}

#[test]
fn a_split_cut_gives_its_buffer_back() {
    let mut pipeline = Pipeline::new(2, policy());
    let mut cut = Vec::with_capacity(4096);
    cut.extend_from_slice(line("m", 1).as_bytes());
    pipeline.push_cut(cut, 1);
    assert!((0..4).any(|_| pipeline.spare_buffer().capacity() == 4096));
}
#[test]
fn a_settled_batch_gives_its_buffer_back_when_nothing_else_holds_it() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    let mut cut = Vec::with_capacity(4096);
    cut.extend_from_slice(line("m", 1).as_bytes());
    pipeline.push_cut(cut, 1);
    let send = only_send(&mut pipeline, now);
    answer(&mut pipeline, send, now, stored);
    let buffer = pipeline.spare_buffer();
    assert!(buffer.is_empty());
    assert_eq!(buffer.capacity(), 4096);
    assert_eq!(
        pipeline.spare_buffer().capacity(),
        0,
        "one buffer, given once"
    );
}

#[test]
fn at_most_eight_spare_buffers_are_kept() {
    let mut pipeline = Pipeline::new(1, policy());
    let now = Instant::now();
    for value in 0..10 {
        let mut cut = Vec::with_capacity(1024);
        cut.extend_from_slice(line("m", value).as_bytes());
        pipeline.push_cut(cut, 1);
    }
    for _ in 0..10 {
        let send = only_send(&mut pipeline, now);
        answer(&mut pipeline, send, now, stored);
    }
    let kept = (0..10)
        .map(|_| pipeline.spare_buffer())
        .filter(|buffer| buffer.capacity() > 0)
        .count();
    assert_eq!(kept, SPARE_BUFFERS);
}

#[test]
fn the_unused_parts_of_a_split_cut_are_kept_for_reuse() {
    let mut pipeline = Pipeline::new(4, policy());
    for _ in 0..4 {
        pipeline.push_cut(Vec::with_capacity(100), 0);
    }
    let mut cut = Vec::with_capacity(4096);
    cut.extend_from_slice(line("m", 1).as_bytes());
    pipeline.push_cut(cut, 1);
    let mut kept: Vec<usize> = (0..5).map(|_| pipeline.spare_buffer().capacity()).collect();
    kept.sort_unstable();
    assert_eq!(
        kept,
        [0, 100, 100, 100, 4096],
        "the cut's own buffer and the three parts left empty"
    );
}

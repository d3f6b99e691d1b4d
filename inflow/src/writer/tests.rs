use std::pin::pin;
use std::task::{Context, Waker};

use super::*;
use crate::line_protocol::to_line;
use crate::{Point, Precision};

fn point(value: i64) -> Point {
    Point::new("m").field("f", value).timestamp_nanos(value)
}

/// The bytes of the line of `point(n)` for a one-digit `n`.
fn line_bytes() -> usize {
    to_line(&point(1), Precision::Nanoseconds).unwrap().len()
}

fn config(max_pending_points: usize, max_pending_bytes: usize) -> Config {
    Config {
        max_pending_points,
        max_pending_bytes,
        ..Config::default()
    }
}

/// What a writer's producers and task share, with no task behind it.
fn shared(config: Config) -> Shared {
    let (commands, _) = mpsc::unbounded_channel();
    let (events, _) = broadcast::channel(EVENTS_KEPT);
    Shared {
        state: Mutex::new(State::new(Precision::Nanoseconds)),
        room: Notify::new(),
        room_changed: Condvar::new(),
        wake: Notify::new(),
        commands,
        events,
        config,
    }
}

/// Encodes `values` as one block, as `write_all` does.
fn block(values: impl IntoIterator<Item = i64>) -> Encoder {
    let mut block = Encoder::new(Precision::Nanoseconds);
    for value in values {
        block.encode(&point(value)).unwrap();
    }
    block
}

fn taken(taken: Result<Taken>) -> bool {
    matches!(taken.unwrap(), Taken::Yes | Taken::Due)
}

/// The room generation of a `Full` answer.
fn full_at(taken: Result<Taken>) -> u64 {
    match taken.unwrap() {
        Taken::Yes | Taken::Due => panic!("taken, though full"),
        Taken::Full(generation) => generation,
    }
}

/// Whether the background task was woken since the last look.
fn woken(shared: &Shared) -> bool {
    let mut notified = pin!(shared.wake.notified());
    notified
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
        .is_ready()
}

fn open_text(shared: &Shared) -> String {
    String::from_utf8(shared.lock().open.as_bytes().to_vec()).unwrap()
}

#[test]
fn take_takes_points_until_the_points_limit_then_answers_full_with_the_room_generation() {
    let shared = shared(config(2, usize::MAX));
    shared.lock().room_generation = 7;
    assert!(taken(shared.take(&point(1))));
    assert!(taken(shared.take(&point(2))));
    assert_eq!(full_at(shared.take(&point(3))), 7);
    let state = shared.lock();
    assert_eq!(
        (state.pending_points, state.pending_bytes),
        (2, 2 * line_bytes())
    );
    assert_eq!((state.stats.accepted, state.stats.pending), (2, 2));
    assert_eq!(state.open.len(), 2);
    drop(state);
    assert_eq!(open_text(&shared), "m f=1i 1\nm f=2i 2\n");
}

#[test]
fn take_takes_a_point_that_just_fits_the_bytes_and_takes_back_one_that_does_not() {
    let line = line_bytes();
    let shared = shared(config(10, 3 * line - 1));
    shared.lock().room_generation = 3;
    assert!(taken(shared.take(&point(1))));
    assert!(taken(shared.take(&point(2))));
    assert_eq!(full_at(shared.take(&point(3))), 3);
    assert_eq!(
        open_text(&shared),
        "m f=1i 1\nm f=2i 2\n",
        "the third line is taken back"
    );
    let state = shared.lock();
    assert_eq!((state.open.len(), state.pending_points), (2, 2));
    assert_eq!((state.pending_bytes, state.stats.accepted), (2 * line, 2));
    drop(state);

    let exact = self::shared(config(10, 3 * line));
    for value in 1..=3 {
        assert!(
            taken(exact.take(&point(value))),
            "point {value} fits exactly"
        );
    }
}

#[test]
fn a_point_that_can_never_fit_is_an_error_naming_the_limits() {
    let line = line_bytes();
    let shared = shared(config(10, line - 1));
    let err = shared.take(&point(1)).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert_eq!(
        err.message(),
        format!(
            "1 points of {line} bytes can never fit the writer's limits of 10 points and {} bytes; they were not taken",
            line - 1
        )
    );
    assert!(shared.lock().open.is_empty());
    assert_eq!(shared.lock().pending_bytes, 0);

    // Even while the writer holds other points: waiting would not help.
    let shared = self::shared(config(10, 2 * line));
    assert!(taken(shared.take(&point(1))));
    let big = Point::new("m")
        .field("f", "x".repeat(2 * line))
        .timestamp_nanos(1);
    let err = shared.take(&big).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert_eq!(open_text(&shared), "m f=1i 1\n");
}

#[test]
fn a_point_that_cannot_be_encoded_takes_nothing() {
    let shared = shared(Config::default());
    assert!(taken(shared.take(&point(1))));
    let err = shared.take(&Point::new("m")).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    let state = shared.lock();
    assert_eq!(
        (state.open.len(), state.pending_points, state.stats.accepted),
        (1, 1, 1)
    );
}

#[test]
fn a_closed_writer_takes_nothing() {
    let shared = shared(Config::default());
    shared.lock().closed = true;
    assert_eq!(
        shared.take(&point(1)).err().unwrap().kind(),
        ErrorKind::Closed
    );
    assert_eq!(
        shared.take_block(&block([1])).err().unwrap().kind(),
        ErrorKind::Closed
    );
    assert!(shared.lock().open.is_empty());
}

#[test]
fn take_block_takes_every_point_or_none() {
    let line = line_bytes();
    let shared = shared(config(4, usize::MAX));
    shared.lock().room_generation = 5;
    assert!(taken(shared.take(&point(1))));
    assert!(
        taken(shared.take_block(&block([2, 3, 4]))),
        "4 points fit exactly"
    );
    assert_eq!(full_at(shared.take_block(&block([5]))), 5);
    let state = shared.lock();
    assert_eq!((state.open.len(), state.pending_points), (4, 4));
    assert_eq!(
        (
            state.pending_bytes,
            state.stats.accepted,
            state.stats.pending
        ),
        (4 * line, 4, 4)
    );
    drop(state);
    assert_eq!(
        open_text(&shared),
        "m f=1i 1\nm f=2i 2\nm f=3i 3\nm f=4i 4\n"
    );

    let shared = self::shared(config(10, 3 * line));
    assert!(taken(shared.take(&point(1))));
    assert_eq!(
        full_at(shared.take_block(&block([2, 3, 4]))),
        0,
        "a byte too many"
    );
    assert!(
        taken(shared.take_block(&block([2, 3]))),
        "the bytes fit exactly"
    );
    assert_eq!(shared.lock().open.len(), 3);
}

#[test]
fn a_block_that_can_never_fit_is_an_error_naming_the_limits() {
    let line = line_bytes();
    for (limits, problem) in [
        (config(2, usize::MAX), "points"),
        (config(10, 3 * line - 1), "bytes"),
    ] {
        let shared = shared(limits);
        let err = shared.take_block(&block([1, 2, 3])).err().unwrap();
        assert_eq!(err.kind(), ErrorKind::BufferFull, "{problem}");
        assert!(
            err.message()
                .starts_with(&format!("3 points of {} bytes can never fit", 3 * line)),
            "{err}"
        );
        assert!(shared.lock().open.is_empty());
    }
}

#[test]
fn what_fits_the_limits_exactly_is_taken() {
    let line = line_bytes();
    let shared = shared(config(3, 3 * line));
    assert!(taken(shared.take_block(&block([1, 2, 3]))));
    let shared = self::shared(config(1, line));
    assert!(taken(shared.take(&point(1))));
    assert_eq!(shared.lock().open.len(), 1);
}

#[test]
fn the_first_point_wakes_the_task_and_a_full_batch_wakes_it_once() {
    let shared = shared(Config {
        batch_points: 3,
        ..Config::default()
    });
    assert!(!woken(&shared));
    assert!(taken(shared.take(&point(1))));
    let first_at = shared
        .lock()
        .first_at
        .expect("the batch's first point is timed");
    assert!(woken(&shared), "for the flush interval's timer");
    assert!(taken(shared.take(&point(2))));
    assert!(!woken(&shared));
    assert_eq!(
        shared.lock().first_at,
        Some(first_at),
        "the batch's first point"
    );
    assert!(!shared.lock().due_signalled);
    assert!(taken(shared.take(&point(3))));
    assert!(shared.lock().due_signalled);
    assert!(woken(&shared), "the batch is full");
    assert!(taken(shared.take_block(&block([4, 5]))));
    assert!(!woken(&shared), "told once");
}

#[test]
fn a_batch_full_of_bytes_wakes_the_task() {
    let shared = shared(Config {
        batch_bytes: 2 * line_bytes(),
        ..Config::default()
    });
    assert!(taken(shared.take(&point(1))));
    assert!(woken(&shared));
    assert!(taken(shared.take(&point(2))));
    assert!(shared.lock().due_signalled);
    assert!(woken(&shared));
}

#[test]
fn release_saturates_and_bumps_the_room_generation() {
    let shared = shared(config(3, usize::MAX));
    for value in 1..=3 {
        assert!(taken(shared.take(&point(value))));
    }
    let generation = full_at(shared.take(&point(4)));
    let mut state = shared.lock();
    state.release(1, 5);
    assert_eq!(
        (state.pending_points, state.pending_bytes),
        (2, 3 * line_bytes() - 5)
    );
    assert_eq!(state.stats.pending, 2);
    assert_eq!(state.room_generation, generation + 1);
    state.release(10, usize::MAX);
    assert_eq!(
        (
            state.pending_points,
            state.pending_bytes,
            state.stats.pending
        ),
        (0, 0, 0)
    );
    assert_eq!(state.room_generation, generation + 2);
    state.room_generation = u64::MAX;
    state.release(0, 0);
    assert_eq!(state.room_generation, 0, "wraps");
    drop(state);
    assert!(taken(shared.take(&point(4))), "room was made");
}

#[cfg(feature = "blocking")]
#[test]
fn waiting_for_room_ends_when_the_generation_moves_or_the_writer_closes() {
    let shared = shared(Config::default());
    shared.lock().room_generation = 2;
    assert!(
        shared.wait_for_room_blocking(1, None),
        "the generation already moved"
    );
    let past = Instant::now();
    assert!(
        !shared.wait_for_room_blocking(2, Some(past)),
        "the time is up"
    );
    shared.lock().closed = true;
    assert!(shared.wait_for_room_blocking(2, None));
}

type Builder = WriterBuilder<Point>;

fn builder() -> Builder {
    WriterBuilder::new(Client::new("http://localhost:8086/db").unwrap())
}

fn config_error(builder: &Builder) -> String {
    let err = builder.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    err.message().to_owned()
}

#[test]
fn check_names_each_option_that_is_zero() {
    builder().check().unwrap();
    let zeros = [
        ("batch_points", builder().batch_points(0)),
        ("batch_bytes", builder().batch_bytes(0)),
        ("max_in_flight", builder().max_in_flight(0)),
        ("max_pending_points", builder().max_pending_points(0)),
        ("max_pending_bytes", builder().max_pending_bytes(0)),
    ];
    for (option, zero) in zeros {
        assert_eq!(
            config_error(&zero),
            format!("the writer's {option} must be at least 1")
        );
    }
    assert_eq!(
        config_error(&builder().flush_interval(Duration::from_micros(999))),
        "the writer's flush_interval must be at least a millisecond"
    );
    builder()
        .batch_points(1)
        .batch_bytes(1)
        .max_in_flight(1)
        .max_pending_points(1)
        .max_pending_bytes(1)
        .flush_interval(Duration::from_millis(1))
        .check()
        .unwrap();
}

#[test]
fn check_refuses_an_empty_retention_policy() {
    assert_eq!(
        config_error(&builder().retention_policy("")),
        "the writer's retention policy name is empty"
    );
    builder().retention_policy("rp").check().unwrap();
}

#[test]
fn a_full_writer_says_how_long_it_waited() {
    assert_eq!(
        full(None).message(),
        "the writer holds as many points as it may; the point was not taken"
    );
    let err = full(Some(Duration::from_millis(5)));
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert_eq!(
        err.message(),
        "the writer had no room for 5ms; the point was not taken"
    );
    let wait = |overflow| {
        Config {
            overflow,
            ..Config::default()
        }
        .overflow_wait()
    };
    assert_eq!(
        wait(Overflow::WaitAtMost(Duration::from_secs(2))),
        Some(Duration::from_secs(2))
    );
    assert_eq!(wait(Overflow::Wait), None);
    assert_eq!(wait(Overflow::Error), None);
}

#[test]
fn an_event_receiver_that_fell_behind_is_told_how_many_it_missed() {
    let shared = shared(Config::default());
    let mut events = WriterEvents {
        receiver: shared.events.subscribe(),
    };
    assert!(events.try_next().is_none());
    for points in 0..EVENTS_KEPT + 3 {
        shared.report(WriterEvent::Abandoned { points });
    }
    assert!(matches!(
        events.try_next(),
        Some(WriterEvent::Missed { events: 3 })
    ));
    assert!(matches!(
        events.try_next(),
        Some(WriterEvent::Abandoned { points: 3 })
    ));
    assert!(matches!(
        WriterEvents::received(Err(broadcast::error::RecvError::Lagged(4))),
        Some(WriterEvent::Missed { events: 4 })
    ));
    assert!(WriterEvents::received(Err(broadcast::error::RecvError::Closed)).is_none());
}

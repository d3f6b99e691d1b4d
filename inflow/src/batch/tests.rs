use super::*;
use crate::{Point, Precision};

fn point(value: i64) -> Point {
    Point::new("m").field("f", value).timestamp_nanos(value)
}

fn batch() -> Batch {
    Batch::new(Encoder::new(Precision::Nanoseconds))
}

fn text(batch: &Batch) -> &str {
    std::str::from_utf8(batch.encoder().as_bytes()).unwrap()
}

#[test]
fn points_are_buffered_in_order_and_autocommit_is_due_at_the_nth() {
    let mut batch = batch();
    batch.autocommit_every = NonZeroUsize::new(3);
    assert!(!batch.push(&point(1)).unwrap());
    assert!(!batch.push(&point(2)).unwrap());
    assert!(batch.push(&point(3)).unwrap());
    assert!(batch.push(&point(4)).unwrap(), "still due past n");
    assert_eq!(text(&batch), "m f=1i 1\nm f=2i 2\nm f=3i 3\nm f=4i 4\n");
    batch.clear();
    assert!(batch.encoder().is_empty());
    assert!(!batch.push(&point(5)).unwrap());
}

#[test]
fn without_autocommit_nothing_is_ever_due() {
    let mut batch = batch();
    for value in 0..10 {
        assert!(!batch.push(&point(value)).unwrap());
    }
}

#[test]
fn a_full_batch_refuses_the_point_and_keeps_what_it_had() {
    let mut batch = batch();
    batch.max_points = 2;
    batch.push(&point(1)).unwrap();
    batch.push(&point(2)).unwrap();
    let err = batch.push(&point(3)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert!(err.message().contains("holds 2 points"), "{err}");
    assert_eq!(text(&batch), "m f=1i 1\nm f=2i 2\n");

    let mut batch = self::batch();
    batch.max_bytes = 18;
    batch.push(&point(1)).unwrap();
    batch.push(&point(2)).unwrap();
    assert_eq!(
        batch.encoder().as_bytes().len(),
        18,
        "exactly at the limit is allowed"
    );
    let err = batch.push(&point(3)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert!(
        err.message()
            .contains("limit of 18 bytes (18 are buffered)"),
        "{err}"
    );
    assert_eq!(
        (batch.encoder().len(), text(&batch)),
        (2, "m f=1i 1\nm f=2i 2\n")
    );
}

#[test]
fn a_list_is_buffered_whole_or_not_at_all() {
    let mut batch = batch();
    batch.autocommit_every = NonZeroUsize::new(5);
    batch.push(&point(0)).unwrap();
    let bad = Point::new("m").field("f", f64::NAN).timestamp_nanos(9);
    let list = [point(1), point(2), bad, point(4)];
    let err = batch.push_all::<Point, _>(&list).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidPoint);
    assert!(err.message().starts_with("point 2 of the list: "), "{err}");
    assert!(err.encode_error().is_some());
    assert_eq!((batch.encoder().len(), text(&batch)), (1, "m f=0i 0\n"));

    // Six points with autocommit every 5: one commit, once the whole list is in.
    let six: Vec<Point> = (1..=6).map(point).collect();
    assert!(!batch.push_all::<Point, _>(six.iter().take(3)).unwrap());
    assert!(batch.push_all::<Point, _>(six.iter().skip(3)).unwrap());
    assert_eq!(batch.encoder().len(), 7);

    let mut full = self::batch();
    full.max_points = 2;
    full.push(&point(0)).unwrap();
    let err = full.push_all::<Point, _>([point(1), point(2)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert!(err.message().starts_with("point 1 of the list"), "{err}");
    assert_eq!(text(&full), "m f=0i 0\n");
}

#[test]
fn a_settled_commit_keeps_only_what_is_held() {
    let mut batch = batch();
    batch.push_all::<Point, _>((1..=3).map(point)).unwrap();
    let flight = batch.in_flight();
    assert_eq!(flight.lines(), 3);
    assert_eq!(&flight.body()[..], b"m f=1i 1\nm f=2i 2\nm f=3i 3\n");
    flight.settle(9, 1);
    assert_eq!(
        (batch.encoder().len(), text(&batch)),
        (2, "m f=2i 2\nm f=3i 3\n")
    );

    let flight = batch.in_flight();
    flight.settle(18, 2);
    assert!(batch.encoder().is_empty());
    assert!(batch.encoder().as_bytes().is_empty());
    batch.push(&point(7)).unwrap();
    assert_eq!(text(&batch), "m f=7i 7\n");
}

#[test]
fn a_commit_dropped_half_way_puts_every_point_back() {
    let mut batch = batch();
    batch.push_all::<Point, _>((1..=2).map(point)).unwrap();
    let flight = batch.in_flight();
    let body = flight.body();
    drop(flight);
    assert_eq!(
        (batch.encoder().len(), text(&batch)),
        (2, "m f=1i 1\nm f=2i 2\n")
    );
    drop(body);
    // A body still referenced elsewhere is copied back, not lost.
    let flight = batch.in_flight();
    let kept = flight.body();
    flight.settle(9, 1);
    assert_eq!(text(&batch), "m f=2i 2\n");
    assert_eq!(&kept[..], b"m f=1i 1\nm f=2i 2\n");
}

#[test]
fn the_buffer_memory_is_reused_after_a_commit() {
    let mut batch = batch();
    batch.push_all::<Point, _>((1..=100).map(point)).unwrap();
    let flight = batch.in_flight();
    let length = flight.body().len();
    flight.settle(length, 100);
    let before = batch.encoder().as_bytes().as_ptr();
    batch.push(&point(1)).unwrap();
    assert_eq!(
        batch.encoder().as_bytes().as_ptr(),
        before,
        "no new allocation"
    );
}

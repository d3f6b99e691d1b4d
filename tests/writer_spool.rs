//! The writer's spool against the real server: a writer killed with SIGKILL mid-flow loses no
//! point it took and its successor sends only what was left; a torn last record is skipped
//! with a warning; a writer dropped without close leaves its points for the next one; one
//! directory serves one writer.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use inflow::{Client, EpochTime, ErrorKind, Measurement, RetryPolicy, WriterEvent};
use inflow_tests::logs::Captured;
use inflow_tests::proxy::{Fault, FaultProxy};
use inflow_tests::server::{self, Database};

/// The point of the child process (tests/support/bin/spool_child.rs): point `i` has
/// `value = i` and time `i + 1` ns, in series `i % 50`.
#[derive(Debug, Measurement)]
struct Tick {
    #[inflow(tag)]
    series: u32,
    value: i64,
    #[inflow(timestamp)]
    at: EpochTime,
}

fn tick(index: u32, value: i64) -> Tick {
    Tick {
        series: index % 50,
        value,
        at: EpochTime::nanos(i64::from(index) + 1),
    }
}

/// The sum of `value` over points `0..n` as the child writes them.
fn sum_below(n: u64) -> i64 {
    i64::try_from(n * n.saturating_sub(1) / 2).unwrap()
}

fn sum(db: &Database) -> i64 {
    let answer = db.query("SELECT sum(\"value\") FROM \"tick\"");
    answer["results"][0]["series"][0]["values"][0][1]
        .as_i64()
        .unwrap_or(0)
}

/// The spool child, and the lines it printed.
struct SpoolChild {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl SpoolChild {
    fn start(mode: &str, url: &str, dir: &Path, count: u32) -> SpoolChild {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spool-child"))
            .args([mode, url])
            .arg(dir)
            .arg(count.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the spool child starts");
        let stdout = child.stdout.take().expect("its stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        SpoolChild { child, lines }
    }

    /// Reads lines until `done(line)`, for at most a minute.
    fn read_until(&mut self, mut done: impl FnMut(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if done(&line) => return,
                Ok(_) => {}
                Err(err) => panic!("the spool child did not get there: {err}"),
            }
        }
    }

    /// SIGKILL; waits for the process to be gone, and returns the lines it printed that were
    /// not read yet.
    fn kill(mut self) -> Vec<String> {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("the child's end");
        assert!(!status.success(), "the child was killed: {status}");
        // The reader ends at the end of the pipe: every line printed before the kill is here.
        self.lines.iter().collect()
    }
}

fn spool_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn a_writer_killed_mid_flow_loses_nothing_and_its_successor_sends_only_what_was_left() {
    let db = server::server().database("spool_kill");
    let dir = tempfile::tempdir().unwrap();
    // Ten requests reach the server, then it is "unavailable": points pile up in the spool.
    let proxy = FaultProxy::start(server::server().base_url());
    proxy.plan(|number, _| {
        if number <= 10 {
            Fault::Pass
        } else {
            Fault::Unavailable
        }
    });
    let url = format!("{}/{}", proxy.base_url(), db.name());
    let mut child = SpoolChild::start("flow", &url, dir.path(), 400_000);
    proxy.wait_until(|exchanges| {
        exchanges.len() > 10
            && exchanges
                .iter()
                .filter(|exchange| exchange.number <= 10)
                .all(|exchange| exchange.finished)
    });
    let stored_before = db.count("tick", "value");
    assert!(stored_before > 0, "the first requests stored points");
    // Killed once it took thousands of points and knows of every point the server stored.
    let mut printed = None;
    child.read_until(|line| {
        let (index, stored) = line.split_once(' ').expect("INDEX STORED");
        if let Ok(index) = index.parse::<u64>() {
            printed = Some(index);
        }
        printed.is_some_and(|index| index >= 5_000) && stored.parse::<u64>() == Ok(stored_before)
    });
    let printed = child
        .kill()
        .iter()
        .filter_map(|line| line.split_once(' ')?.0.parse::<u64>().ok())
        .chain(printed)
        .max()
        .unwrap();
    assert_eq!(
        db.count("tick", "value"),
        stored_before,
        "nothing reached the server since"
    );

    // The successor, through a proxy that passes everything, in this process.
    let proxy = FaultProxy::start(server::server().base_url());
    let url = format!("{}/{}", proxy.base_url(), db.name());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (stats, report) = runtime.block_on(async {
        let client = Client::new(&url).unwrap();
        let writer = client
            .writer::<Tick>()
            .spool(dir.path())
            .max_in_flight(3)
            .build()
            .unwrap();
        // Points of the same series and time as the last ones printed: written after the
        // recovered points, they must win.
        for index in printed - 9..=printed {
            let index = u32::try_from(index).unwrap();
            writer
                .write(&tick(index, i64::from(index) + 1_000_000))
                .await
                .unwrap();
        }
        let report = writer.close(Duration::from_secs(60)).await.unwrap();
        (writer.stats(), report)
    });
    assert!(
        printed < 399_999,
        "the child was killed while it wrote, not after"
    );
    let total = db.count("tick", "value");
    println!(
        "killed after {printed} points printed, {stored_before} stored before the kill; the successor recovered {} and stored {total} in all",
        stats.recovered
    );
    // Every point printed was stored; the one being written at the kill may have been taken.
    assert!(
        total == printed + 1 || total == printed + 2,
        "{total} points stored, {printed} the last printed"
    );
    assert_eq!(
        sum(&db),
        sum_below(total) + 10 * 1_000_000,
        "each point once, the newest last"
    );
    // The successor found exactly the points the server had not acknowledged: none that was
    // stored before the kill was in the spool, so none was sent again.
    assert_eq!(stats.recovered, total - stored_before, "{stats:?}");
    // (close's report counts only what settled after it began.)
    assert!(report.is_complete(), "{report}");
    assert_eq!(stats.stored, stats.recovered + 10, "{stats:?}");
    assert_eq!(stats.accepted, stats.recovered + 10);
    assert_eq!(
        (stats.pending, stats.dropped, stats.left_in_spool),
        (0, 0, 0)
    );
    assert!(
        proxy
            .exchanges()
            .iter()
            .all(|exchange| exchange.server_status == Some(204)),
        "{:?}",
        proxy.exchanges()
    );
    // `close` empties the spool.
    assert_eq!(spool_files(dir.path()), ["lock"]);
}

#[test]
fn a_torn_last_record_is_skipped_with_a_warning_and_the_rest_is_stored() {
    let logs = Captured::global();
    let db = server::server().database("spool_torn");
    let dir = tempfile::tempdir().unwrap();
    let url = db.url();
    let child = {
        let mut child = SpoolChild::start("fill", &url, dir.path(), 1_000);
        child.read_until(|line| line == "done");
        child
    };
    child.kill();
    // Every point is in the open segment; its last record loses its last bytes.
    let segment = dir.path().join(
        spool_files(dir.path())
            .into_iter()
            .find(|name| name.starts_with("segment-"))
            .unwrap(),
    );
    let len = std::fs::metadata(&segment).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&segment)
        .unwrap()
        .set_len(len - 5)
        .unwrap();

    let client = inflow::blocking::Client::new(&url).unwrap();
    let writer = client.writer::<Tick>().spool(dir.path()).build().unwrap();
    assert_eq!(writer.stats().recovered, 999);
    let report = writer.close(Duration::from_secs(60)).unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(writer.stats().stored, 999);
    assert_eq!(db.count("tick", "value"), 999);
    assert_eq!(sum(&db), sum_below(999));
    let warnings = logs.lines_with(&segment.display().to_string());
    assert!(
        warnings.contains("WARN") && warnings.contains("skipped a torn or corrupt last record"),
        "{warnings}"
    );
}

#[test]
fn a_writer_dropped_without_close_leaves_what_it_could_not_send_to_the_next() {
    let logs = Captured::global();
    let db = server::server().database("spool_dropped");
    let dir = tempfile::tempdir().unwrap();
    let proxy = FaultProxy::start(server::server().base_url());
    proxy.plan(|_, _| Fault::Unavailable);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = Client::builder(format!("{}/{}", proxy.base_url(), db.name()))
            .retry(RetryPolicy::never())
            .build()
            .unwrap();
        let writer = client.writer::<Tick>().spool(dir.path()).build().unwrap();
        let mut events = writer.events();
        for index in 0..100 {
            writer.write(&tick(index, i64::from(index))).await.unwrap();
        }
        drop(writer);
        // The background task gives up, keeps the points in the spool, and ends.
        while let Some(event) = events.next().await {
            assert!(!matches!(event, WriterEvent::Abandoned { .. }), "{event:?}");
        }
    });
    assert!(
        logs.lines_with(&dir.path().display().to_string())
            .contains("could not send 100 points: they are kept in its spool"),
        "{}",
        logs.text()
    );
    runtime.block_on(async {
        let client = Client::new(&db.url()).unwrap();
        let writer = client.writer::<Tick>().spool(dir.path()).build().unwrap();
        let report = writer.close(Duration::from_secs(60)).await.unwrap();
        assert!(report.is_complete(), "{report}");
        assert_eq!(writer.stats().stored, 100);
        assert_eq!(writer.stats().recovered, 100);
    });
    assert_eq!(db.count("tick", "value"), 100);
    assert_eq!(sum(&db), sum_below(100));
}

#[test]
fn a_second_writer_on_a_directory_in_use_fails_with_spool_locked() {
    let db = server::server().database("spool_lock");
    let dir = tempfile::tempdir().unwrap();
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    let first = client.writer::<Tick>().spool(dir.path()).build().unwrap();
    let err = client
        .writer::<Tick>()
        .spool(dir.path())
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SpoolLocked);
    assert!(
        err.to_string().contains(&dir.path().display().to_string())
            && err.to_string().contains("in use by another writer"),
        "{err}"
    );
    // The first writer is untouched by it.
    first.write(&tick(0, 0)).unwrap();
    first.close(Duration::from_secs(60)).unwrap();
    drop(first);
    // Once its last handle and its background task are gone, the directory is free.
    let deadline = Instant::now() + Duration::from_secs(30);
    let third = loop {
        match client.writer::<Tick>().spool(dir.path()).build() {
            Ok(writer) => break writer,
            Err(err) if err.kind() == ErrorKind::SpoolLocked && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(err) => panic!("{err}"),
        }
    };
    assert_eq!(third.stats().recovered, 0);
    assert_eq!(db.count("tick", "value"), 1);
}

//! Typed queries of an enum of measurements against a real InfluxDB 1.6, async and blocking:
//! a statement reads every variant's measurement; a filter on one variant's columns selects
//! points of that variant (the others lack the column), through a struct variant's handles or
//! a newtype variant's type's own; deletes by a variant's tags remove only its points.

use inflow::{EpochTime, Measurement, Query, Queryable};
use inflow_tests::server;

#[derive(Debug, Clone, PartialEq, Measurement)]
#[inflow(measurement = "cpu")]
struct CpuLoad {
    #[inflow(tag)]
    host: String,
    load: f64,
    #[inflow(timestamp)]
    at: EpochTime,
}

#[derive(Debug, Clone, PartialEq, Measurement)]
enum Metric {
    Cpu(CpuLoad),
    Disk {
        #[inflow(tag)]
        device: String,
        free: i64,
        #[inflow(timestamp)]
        at: EpochTime,
    },
}

/// Six cpu points (hosts a and b, loads 0.0 to 1.0) and six disk points (devices sda and sdb,
/// free 0 to 50), one second apart, interleaved.
fn metrics() -> Vec<Metric> {
    (0..12_i64)
        .map(|i| {
            let at = EpochTime::seconds(1_700_000_000 + i);
            if i % 2 == 0 {
                Metric::Cpu(CpuLoad {
                    host: ["a", "b"][usize::try_from(i / 2 % 2).unwrap()].to_owned(),
                    load: (i / 2) as f64 * 0.2,
                    at,
                })
            } else {
                Metric::Disk {
                    device: ["sda", "sdb"][usize::try_from(i / 2 % 2).unwrap()].to_owned(),
                    free: i / 2 * 10,
                    at,
                }
            }
        })
        .collect()
}

fn at(metric: &Metric) -> i64 {
    match metric {
        Metric::Cpu(cpu) => cpu.at.value(),
        Metric::Disk { at, .. } => at.value(),
    }
}

/// The points written that `keep` holds for, in the order the server answers: by measurement
/// (cpu, then disk), then by time.
fn expected(keep: impl Fn(&Metric) -> bool) -> Vec<Metric> {
    let mut kept: Vec<Metric> = metrics().into_iter().filter(|m| keep(m)).collect();
    kept.sort_by_key(|m| (matches!(m, Metric::Disk { .. }), at(m)));
    kept
}

fn heavy_cpu_or_full_disk(metric: &Metric) -> bool {
    match metric {
        Metric::Cpu(cpu) => cpu.load > 0.5,
        Metric::Disk { free, .. } => *free < 20,
    }
}

#[tokio::test]
async fn a_filter_on_each_variants_columns_selects_points_of_that_variant() {
    let db = server::server().database("typed_enum_async");
    let client = inflow::Client::new(&db.url()).unwrap();
    client.write_all(metrics()).await.unwrap();

    let all = client.fetch(Metric::select()).await.unwrap();
    assert_eq!(all, expected(|_| true));

    let select =
        Metric::select().filter(|c| c.cpu.load.gt(0.5).of::<Metric>().or(c.disk.free.lt(20)));
    let typed = client.fetch(select.clone()).await.unwrap();
    let by_hand: Vec<Metric> = client
        .query_as(
            Query::new(r#"SELECT * FROM "cpu", "disk" WHERE "load" > $a OR "free" < $b"#)
                .bind("a", 0.5)
                .bind("b", 20)
                .epoch(inflow::Precision::Nanoseconds),
        )
        .await
        .unwrap();
    let wanted = expected(heavy_cpu_or_full_disk);
    assert!(!wanted.is_empty() && wanted.len() < 12, "{wanted:?}");
    assert_eq!(typed, wanted, "{select}");
    assert_eq!(by_hand, wanted);

    // A tag of the newtype variant alone: only cpu points of host b.
    let host_b = client
        .fetch(Metric::select().filter(|c| c.cpu.host.eq("b")))
        .await
        .unwrap();
    assert_eq!(
        host_b,
        expected(|m| matches!(m, Metric::Cpu(cpu) if cpu.host == "b"))
    );

    // Deleting by the struct variant's tag removes only its points.
    client
        .delete(Metric::delete().filter(|c| c.disk.device.eq("sda")))
        .await
        .unwrap();
    assert_eq!(
        client.fetch(Metric::select()).await.unwrap(),
        expected(|m| !matches!(m, Metric::Disk { device, .. } if device == "sda"))
    );
}

#[test]
fn the_blocking_client_reads_and_deletes_variants_alike() {
    let db = server::server().database("typed_enum_blocking");
    let client = inflow::blocking::Client::new(&db.url()).unwrap();
    client.write_all(metrics()).unwrap();
    let typed = client
        .fetch(
            Metric::select().filter(|c| c.cpu.load.gt(0.5).of::<Metric>().or(c.disk.free.lt(20))),
        )
        .unwrap();
    assert_eq!(typed, expected(heavy_cpu_or_full_disk));
    client
        .delete(Metric::delete().filter(|c| c.cpu.host.eq("a")))
        .unwrap();
    assert_eq!(
        client.fetch(Metric::select()).unwrap(),
        expected(|m| !matches!(m, Metric::Cpu(cpu) if cpu.host == "a"))
    );
}

//! ns/point of every encoder on the same batch of 5,000 readings, and the ratio of each to the
//! hand-written limit measured in the same run.
//!
//! Before measuring, every encoder's output is parsed with `inflow-tests`'s independent
//! line-protocol parser and compared with the expected points; the bench stops if one differs.
//!
//! ```text
//! cargo bench -p inflow-benches --bench encode
//! cargo bench -p inflow-benches --bench encode -- inflow   # a subset (no ratio without the limit)
//! ```

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, SamplingMode, Throughput};
use inflow_benches::{BATCH, Contender, Workload};

#[path = "../verify.rs"]
mod verify;

const GROUP: &str = "encode";

fn main() {
    let mut workload = Workload::new(BATCH);
    let (report, all_agree) = verify::report(&verify::verify(&mut workload));
    println!("Every encoder's batch, parsed back:\n{report}");
    if !all_agree {
        eprintln!("an encoder writes different points: not benchmarking");
        std::process::exit(1);
    }

    let output = criterion_home();
    let started = SystemTime::now();
    let mut criterion = Criterion::default()
        .output_directory(&output)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut ran = Vec::new();
    {
        let mut group = criterion.benchmark_group(GROUP);
        group.throughput(Throughput::Elements(BATCH as u64));
        // One iteration is a whole batch (0.5 to 20 ms): criterion's advice for long ones.
        group.sampling_mode(SamplingMode::Flat);
        for contender in Contender::ALL {
            group.bench_function(contender.id(), |b| {
                if !ran.contains(&contender) {
                    ran.push(contender);
                }
                if contender.settles() {
                    // A writer's batch is flushed after each iteration, outside the timing.
                    b.iter_custom(|iterations| {
                        let mut elapsed = Duration::ZERO;
                        for _ in 0..iterations {
                            let started = Instant::now();
                            black_box(workload.encode(contender));
                            elapsed += started.elapsed();
                            workload.settle(contender);
                        }
                        elapsed
                    });
                } else {
                    b.iter(|| black_box(workload.encode(contender)).len());
                }
            });
        }
        group.finish();
    }
    criterion.final_summary();
    summary(&output, &ran, started);
}

/// Where criterion writes its results: `$CRITERION_HOME`, else `criterion/` in the target
/// directory this bench runs from (`<target>/release/deps/encode-…`), criterion's default.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .nth(3)
                .map(|target| target.join("criterion"))
        })
        .unwrap_or_else(|| PathBuf::from("target/criterion"))
}

/// The median ns per batch criterion estimated for `contender` in this run, if it wrote one.
fn median_ns(output: &Path, contender: Contender, since: SystemTime) -> Option<(f64, f64)> {
    let path = output
        .join(GROUP)
        .join(contender.id())
        .join("new/estimates.json");
    let fresh = std::fs::metadata(&path).ok()?.modified().ok()? >= since;
    if !fresh {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    let median = estimates["median"]["point_estimate"].as_f64()?;
    let mad = estimates["median_abs_dev"]["point_estimate"].as_f64()?;
    Some((median, mad))
}

/// The table of this run: ns/point (criterion's median), its spread, and the ratio to the
/// limit of the same run.
fn summary(output: &Path, ran: &[Contender], since: SystemTime) {
    #[allow(clippy::cast_precision_loss)]
    let per_point = |ns: f64| ns / BATCH as f64;
    let rows: Vec<(Contender, f64, f64)> = ran
        .iter()
        .filter_map(|&c| median_ns(output, c, since).map(|(median, mad)| (c, median, mad)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let limit = rows
        .iter()
        .find(|(c, ..)| *c == Contender::Limit)
        .map(|&(_, median, _)| median);
    println!(
        "\nThis run, {BATCH} points per batch (criterion's median; ± median absolute deviation):\n"
    );
    println!("| encoder | ns/point | ± | × limit |");
    println!("|---|---:|---:|---:|");
    for (contender, median, mad) in rows {
        let ratio = limit.map_or_else(|| "–".to_owned(), |limit| format!("{:.2}", median / limit));
        println!(
            "| {} | {:.1} | {:.1}% | {ratio} |",
            contender.label(),
            per_point(median),
            100.0 * mad / median,
        );
    }
}

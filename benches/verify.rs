//! Every encoder's batch, parsed back with `inflow-tests`'s independent line-protocol parser
//! (which reads a body as an InfluxDB 1.6 server does) and compared with the points expected.
//!
//! Shared by the criterion bench (checked before measuring) and `tests/parse.rs`, both of
//! which have `inflow-tests` as a dev-dependency; the library and the counting programs do not
//! need it.

use std::collections::BTreeMap;

use inflow_benches::{Contender, Sample, Workload};
use inflow_tests::lp::{self, ParsedPoint, ParsedValue};

/// The points every contender's output must read back as.
pub(crate) fn expected_points(samples: &[Sample]) -> Vec<ParsedPoint> {
    samples
        .iter()
        .map(|s| ParsedPoint {
            measurement: "temperature".to_owned(),
            tags: BTreeMap::from([
                ("location".to_owned(), s.location.to_owned()),
                ("sensor_type".to_owned(), s.sensor_type.to_owned()),
            ]),
            fields: BTreeMap::from([
                ("count".to_owned(), ParsedValue::Integer(s.count)),
                ("ok".to_owned(), ParsedValue::Boolean(s.ok)),
                ("value".to_owned(), ParsedValue::Float(s.value)),
            ]),
            timestamp: Some(s.time),
        })
        .collect()
}

/// How one contender's output compares with the expected points and with inflow's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    pub(crate) contender: Contender,
    /// Bytes of the batch's body.
    pub(crate) bytes: usize,
    /// `None` when the body parses to exactly the expected points; else what differs.
    pub(crate) problem: Option<String>,
    /// Whether the body is byte for byte what inflow's derive writes.
    pub(crate) same_bytes_as_inflow: bool,
    /// The first line of the body, to show how it spells things.
    pub(crate) first_line: String,
}

/// Encodes the batch with every contender and compares what each body parses to with
/// [`expected_points`].
pub(crate) fn verify(workload: &mut Workload) -> Vec<Verdict> {
    let expected = expected_points(workload.samples());
    let inflow = workload.encode(Contender::InflowDerive).to_vec();
    Contender::ALL
        .into_iter()
        .map(|contender| {
            let encoded = workload.encode(contender).to_vec();
            // A writer's batch is what the server receives when it is flushed.
            let body = match workload.settle(contender) {
                Some(sent) => sent.to_vec(),
                None => encoded,
            };
            let body = body.as_slice();
            let problem = match lp::parse_lines(body) {
                Err(err) => Some(format!("does not parse: {err}")),
                Ok(points) => compare(&points, &expected),
            };
            let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
            Verdict {
                contender,
                bytes: body.len(),
                problem,
                same_bytes_as_inflow: body == inflow.as_slice(),
                first_line: String::from_utf8_lossy(first_line).into_owned(),
            }
        })
        .collect()
}

fn compare(points: &[ParsedPoint], expected: &[ParsedPoint]) -> Option<String> {
    if points.len() != expected.len() {
        return Some(format!(
            "{} points instead of {}",
            points.len(),
            expected.len()
        ));
    }
    let differing = points
        .iter()
        .zip(expected)
        .filter(|(got, want)| got != want);
    let count = differing.clone().count();
    let (got, want) = differing.into_iter().next()?;
    Some(format!(
        "{count} points differ, the first:\n  got  {got:?}\n  want {want:?}"
    ))
}

/// [`verify`]'s verdicts as a report, one line per contender, and whether all agree.
pub(crate) fn report(verdicts: &[Verdict]) -> (String, bool) {
    let mut report = String::new();
    let mut all_agree = true;
    for v in verdicts {
        report.push_str(&format!(
            "  {:<28} {:>7} bytes  {}  {}\n",
            v.contender.id(),
            v.bytes,
            if v.problem.is_none() {
                "same points"
            } else {
                "DIFFERENT POINTS"
            },
            if v.same_bytes_as_inflow {
                "(byte-identical to inflow's derive)".to_owned()
            } else {
                format!("first line: {}", v.first_line)
            },
        ));
        if let Some(problem) = &v.problem {
            all_agree = false;
            report.push_str(&format!("    {problem}\n"));
        }
    }
    (report, all_agree)
}

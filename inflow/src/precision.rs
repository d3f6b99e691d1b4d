//! Timestamp precision and exact conversion between nanoseconds and precision units.

use std::fmt;
use std::str::FromStr;

/// The unit of the timestamps in a write request (InfluxDB's `precision` parameter).
///
/// Every conversion is exact integer arithmetic: a minute is exactly 60 × 10⁹ ns and an hour
/// exactly 3 600 × 10⁹ ns, which is what the server multiplies by (the Python origin of this
/// library approximates `m` and `h`; this one does not).
///
/// # Truncation
///
/// A time that is not a whole number of units is truncated **towards the past** (floor), for
/// times before 1970 as well: at [`Precision::Seconds`], `1969-12-31T23:59:59.5Z` (−0.5 s)
/// becomes −1 s (`23:59:59`), not 0. This is the same rule the server applies when it stamps a
/// point itself, so a point always lands at the start of the unit that contains it.
///
/// ```
/// use inflow::Precision;
///
/// assert_eq!(Precision::Seconds.from_nanos(1_500_000_000), 1);
/// assert_eq!(Precision::Seconds.from_nanos(-500_000_000), -1);
/// assert_eq!(Precision::Hours.nanos_per_unit(), 3_600_000_000_000);
/// assert_eq!("ms".parse::<Precision>(), Ok(Precision::Milliseconds));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Precision {
    /// Nanoseconds (`ns`): the server's native unit, and the default.
    #[default]
    Nanoseconds,
    /// Microseconds (`u` on InfluxDB 1.x).
    Microseconds,
    /// Milliseconds (`ms`).
    Milliseconds,
    /// Seconds (`s`).
    Seconds,
    /// Minutes (`m`), exactly 60 s.
    Minutes,
    /// Hours (`h`), exactly 3 600 s.
    Hours,
}

impl Precision {
    /// All precisions, finest first.
    pub const ALL: [Precision; 6] = [
        Precision::Nanoseconds,
        Precision::Microseconds,
        Precision::Milliseconds,
        Precision::Seconds,
        Precision::Minutes,
        Precision::Hours,
    ];

    /// How many nanoseconds one unit of this precision is.
    #[must_use]
    pub const fn nanos_per_unit(self) -> i64 {
        match self {
            Precision::Nanoseconds => 1,
            Precision::Microseconds => 1_000,
            Precision::Milliseconds => 1_000_000,
            Precision::Seconds => 1_000_000_000,
            Precision::Minutes => 60_000_000_000,
            Precision::Hours => 3_600_000_000_000,
        }
    }

    /// The value of InfluxDB 1.x's `precision` (and `epoch`) parameter: `ns`, `u`, `ms`, `s`,
    /// `m` or `h`.
    ///
    /// Note that 1.x reads `us` as nanoseconds and 2.x reads `u` as nanoseconds; this is the
    /// 1.x spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Precision::Nanoseconds => "ns",
            Precision::Microseconds => "u",
            Precision::Milliseconds => "ms",
            Precision::Seconds => "s",
            Precision::Minutes => "m",
            Precision::Hours => "h",
        }
    }

    /// Converts a time in nanoseconds since the Unix epoch to whole units of this precision,
    /// truncating towards the past (see [the type's documentation](Precision#truncation)).
    #[must_use]
    pub const fn from_nanos(self, nanos: i128) -> i128 {
        nanos.div_euclid(self.nanos_per_unit() as i128)
    }

    /// Converts whole units of this precision to nanoseconds since the Unix epoch.
    #[must_use]
    pub const fn to_nanos(self, units: i128) -> i128 {
        units * self.nanos_per_unit() as i128
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Precision`] from text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsePrecisionError {
    input: String,
}

impl fmt::Display for ParsePrecisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown precision {:?}: expected one of ns, n, u, us, µs, ms, s, m, h",
            self.input
        )
    }
}

impl std::error::Error for ParsePrecisionError {}

impl FromStr for Precision {
    type Err = ParsePrecisionError;

    /// Parses `ns`/`n`, `u`/`us`/`µs`, `ms`, `s`, `m` or `h` (case-sensitive, as the server).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "ns" | "n" => Precision::Nanoseconds,
            "u" | "us" | "µs" | "µ" => Precision::Microseconds,
            "ms" => Precision::Milliseconds,
            "s" => Precision::Seconds,
            "m" => Precision::Minutes,
            "h" => Precision::Hours,
            _ => {
                return Err(ParsePrecisionError {
                    input: s.to_owned(),
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Precision;

    #[test]
    fn multipliers_are_exact() {
        // The server's multipliers for `n`, `u`, `ms`, `s`, `m` and `h`, as InfluxDB 1.6
        // stored the timestamp 1 written with each (minutes and hours exact).
        let expected = [
            1,
            1_000,
            1_000_000,
            1_000_000_000,
            60_000_000_000,
            3_600_000_000_000,
        ];
        for (precision, nanos) in Precision::ALL.into_iter().zip(expected) {
            assert_eq!(precision.nanos_per_unit(), nanos, "{precision}");
            assert_eq!(precision.to_nanos(1), i128::from(nanos));
            assert_eq!(precision.from_nanos(i128::from(nanos)), 1);
        }
    }

    #[test]
    fn truncates_towards_the_past_on_both_sides_of_1970() {
        let s = Precision::Seconds;
        assert_eq!(s.from_nanos(0), 0);
        assert_eq!(s.from_nanos(999_999_999), 0);
        assert_eq!(s.from_nanos(1_000_000_000), 1);
        assert_eq!(s.from_nanos(-1), -1);
        assert_eq!(s.from_nanos(-1_000_000_000), -1);
        assert_eq!(s.from_nanos(-1_000_000_001), -2);
        let h = Precision::Hours;
        assert_eq!(h.from_nanos(3_599_999_999_999), 0);
        assert_eq!(h.from_nanos(-1), -1);
        assert_eq!(Precision::Minutes.from_nanos(-60_000_000_000), -1);
    }

    #[test]
    fn parses_the_server_spellings_and_displays_the_1x_one() {
        for precision in Precision::ALL {
            assert_eq!(precision.as_str().parse::<Precision>(), Ok(precision));
            assert_eq!(precision.to_string(), precision.as_str());
        }
        assert_eq!("us".parse::<Precision>(), Ok(Precision::Microseconds));
        assert_eq!("n".parse::<Precision>(), Ok(Precision::Nanoseconds));
        let err = "H".parse::<Precision>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown precision \"H\": expected one of ns, n, u, us, µs, ms, s, m, h"
        );
    }

    #[test]
    fn default_is_nanoseconds() {
        assert_eq!(Precision::default(), Precision::Nanoseconds);
    }
}

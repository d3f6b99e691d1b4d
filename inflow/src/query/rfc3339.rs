//! The times of a query's answer without `epoch`: RFC 3339 text in UTC, as InfluxDB prints
//! them (`2023-11-14T22:13:20.000001Z`: the fraction, when there is one, without trailing
//! zeros). That one shape is read by hand; any other text is left to chrono, so that what is
//! accepted, and how, stays chrono's. I/O-free.

use chrono::DateTime;

/// The nanoseconds since the Unix epoch of an RFC 3339 time, or `None` when it is not one.
pub(crate) fn unix_nanos(text: &str) -> Option<i128> {
    utc_nanos(text.as_bytes()).or_else(|| {
        let time = DateTime::parse_from_rfc3339(text).ok()?;
        Some(
            i128::from(time.timestamp()) * 1_000_000_000
                + i128::from(time.timestamp_subsec_nanos()),
        )
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z` with a valid date, an hour to 23 and a second to 59 (a leap
/// second is chrono's to read): its nanoseconds since the Unix epoch.
#[inline]
fn utc_nanos(text: &[u8]) -> Option<i128> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        rest @ ..,
    ] = text
    else {
        return None;
    };
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z'] if (1..=9).contains(&fraction.len()) => {
            let mut nanos = 0_u32;
            for &digit in fraction {
                nanos = nanos * 10 + u32::from(digit_of(digit)?);
            }
            nanos * 10_u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let year = i64::from(number(&[*y0, *y1, *y2, *y3])?);
    let month = number(&[*m0, *m1])?;
    let day = number(&[*d0, *d1])?;
    let (hour, minute, second) = (
        number(&[*h0, *h1])?,
        number(&[*i0, *i1])?,
        number(&[*s0, *s1])?,
    );
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let seconds =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3_600 + minute * 60 + second);
    Some(i128::from(seconds) * 1_000_000_000 + i128::from(nanos))
}

fn digit_of(byte: u8) -> Option<u8> {
    let digit = byte.wrapping_sub(b'0');
    (digit <= 9).then_some(digit)
}

/// The value of a few ASCII digits.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0_u32, |value, &digit| {
        Some(value * 10 + u32::from(digit_of(digit)?))
    })
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The days from 1970-01-01 to a date of the proleptic Gregorian calendar: years counted from
/// March, in eras of 400 years (146,097 days).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use chrono::{SecondsFormat, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;

    /// What chrono reads.
    fn chrono_nanos(text: &str) -> Option<i128> {
        let time = DateTime::parse_from_rfc3339(text).ok()?;
        Some(
            i128::from(time.timestamp()) * 1_000_000_000
                + i128::from(time.timestamp_subsec_nanos()),
        )
    }

    #[test]
    fn the_server_s_times_read_by_hand_as_chrono_reads_them() {
        for (text, nanos) in [
            ("1970-01-01T00:00:00Z", 0),
            ("1970-01-01T00:00:00.000000001Z", 1),
            ("1969-12-31T23:59:59.999999999Z", -1),
            ("2023-11-14T22:13:20.000001Z", 1_700_000_000_000_001_000),
            ("2000-02-29T12:00:00.5Z", 951_825_600_500_000_000),
            ("1677-09-21T00:12:43.145224192Z", i128::from(i64::MIN)),
            ("2262-04-11T23:47:16.854775807Z", i128::from(i64::MAX)),
            ("0000-01-01T00:00:00Z", -62_167_219_200_000_000_000),
            (
                "9999-12-31T23:59:59.999999999Z",
                253_402_300_799_999_999_999,
            ),
        ] {
            assert_eq!(utc_nanos(text.as_bytes()), Some(nanos), "{text}");
            assert_eq!(chrono_nanos(text), Some(nanos), "{text}");
        }
    }

    #[test]
    fn other_shapes_are_left_to_chrono() {
        for text in [
            "2023-11-14T22:13:20+01:00",
            "2023-11-14t22:13:20z",
            "2023-11-14 22:13:20Z",
            "2023-11-14T22:13:60Z",
            "2023-11-14T22:13:20.Z",
            "2023-11-14T22:13:20.1234567890Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-11-00T00:00:00Z",
            "2023-11-14T24:00:00Z",
            "2023-11-14T23:60:00Z",
            "+2023-11-14T22:13:20Z",
            "2023-11-14T22:13:2Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20ZZ",
            "2023-1a-14T22:13:20Z",
            "",
        ] {
            assert_eq!(utc_nanos(text.as_bytes()), None, "{text}");
            assert_eq!(unix_nanos(text), chrono_nanos(text), "{text}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn any_time_printed_by_the_server_reads_back_exactly(
            seconds in -62_167_219_200_i64..253_402_300_800,
            nanos in prop_oneof![Just(0_u32), 0..1_000_000_000_u32, Just(1_000)],
        ) {
            let time = Utc.timestamp_opt(seconds, nanos).unwrap();
            // The server's shape: as many fraction digits as needed, none when whole.
            let text = time.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            let text = match text.split_once('.') {
                Some((whole, fraction)) => {
                    let fraction = fraction.trim_end_matches('Z').trim_end_matches('0');
                    if fraction.is_empty() { format!("{whole}Z") } else { format!("{whole}.{fraction}Z") }
                }
                None => text,
            };
            let expected = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
            prop_assert_eq!(utc_nanos(text.as_bytes()), Some(expected), "{}", text);
            prop_assert_eq!(chrono_nanos(&text), Some(expected), "{}", text);
        }

        #[test]
        fn any_text_reads_as_chrono_reads_it(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?(Z|z|[+-][0-9]{2}:[0-9]{2})?",
        ) {
            if let Some(nanos) = utc_nanos(text.as_bytes()) {
                prop_assert_eq!(Some(nanos), chrono_nanos(&text), "{}", text);
            }
            prop_assert_eq!(unix_nanos(&text), chrono_nanos(&text), "{}", text);
        }
    }
}

//! What can be a point's timestamp.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeZone};

use crate::Precision;

/// A type that can be the timestamp of a point: `#[inflow(timestamp)]` fields and
/// [`Point::timestamp`](crate::Point::timestamp).
///
/// Implemented for [`chrono::DateTime`] in any time zone, [`std::time::SystemTime`],
/// [`EpochTime`], with the `time` feature `time::OffsetDateTime` and `time::UtcDateTime`, with
/// the `jiff` feature `jiff::Timestamp` and `jiff::Zoned`, references to them and `Option` of
/// them. `None` means "no timestamp": the
/// point is then stamped with the current time when it is written.
///
/// Implement it for your own time type by returning nanoseconds since the Unix epoch:
///
/// ```
/// use inflow::Timestamp;
///
/// struct Tick(i64); // milliseconds since 1970
///
/// impl Timestamp for Tick {
///     fn unix_nanos(&self) -> Option<i128> {
///         Some(i128::from(self.0) * 1_000_000)
///     }
/// }
///
/// assert_eq!(Tick(-5).unix_nanos(), Some(-5_000_000));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the timestamp of an InfluxDB point",
    label = "not a supported timestamp type",
    note = "supported: chrono::DateTime<Tz> (any time zone), std::time::SystemTime, inflow::EpochTime, time::OffsetDateTime and time::UtcDateTime (feature `time`), jiff::Timestamp and jiff::Zoned (feature `jiff`), and Option of each",
    note = "for a count of seconds (or ms, ...) since 1970, use `inflow::EpochTime::seconds(n)` (or `millis`, ...)",
    note = "a type of your own can implement `inflow::Timestamp`"
)]
pub trait Timestamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z (negative before), or `None` for no timestamp.
    ///
    /// The range is wider than InfluxDB's on purpose: the encoder checks it and names the
    /// value when it is out of range.
    fn unix_nanos(&self) -> Option<i128>;

    /// The time as a whole number of `precision`'s units, when the value holds exactly that
    /// already: the encoder's fast path for [`EpochTime`] in the precision it writes. `None`
    /// sends the encoder to [`Timestamp::unix_nanos`].
    #[doc(hidden)]
    #[inline]
    fn __units_of(&self, precision: Precision) -> Option<i64> {
        let _ = precision;
        None
    }
}

impl<Tz: TimeZone> Timestamp for DateTime<Tz> {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(
            i128::from(self.timestamp()) * 1_000_000_000
                + i128::from(self.timestamp_subsec_nanos()),
        )
    }
}

impl Timestamp for SystemTime {
    fn unix_nanos(&self) -> Option<i128> {
        Some(system_time_nanos(*self))
    }
}

pub(crate) fn system_time_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => i128::try_from(before.duration().as_nanos()).map_or(i128::MIN, |n| -n),
    }
}

// The other time libraries: each gives its instant as nanoseconds since the epoch exactly, and
// the encoder floors it to the precision and checks the server's range, as for chrono.

#[cfg(feature = "time")]
impl Timestamp for time::OffsetDateTime {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.unix_timestamp_nanos())
    }
}

#[cfg(feature = "time")]
impl Timestamp for time::UtcDateTime {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.unix_timestamp_nanos())
    }
}

#[cfg(feature = "jiff")]
impl Timestamp for jiff::Timestamp {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.as_nanosecond())
    }
}

/// The instant, whatever the time zone.
#[cfg(feature = "jiff")]
impl Timestamp for jiff::Zoned {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.timestamp().as_nanosecond())
    }
}

impl<T: Timestamp> Timestamp for Option<T> {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        self.as_ref().and_then(Timestamp::unix_nanos)
    }

    #[inline]
    fn __units_of(&self, precision: Precision) -> Option<i64> {
        self.as_ref().and_then(|time| time.__units_of(precision))
    }
}

impl<T: Timestamp + ?Sized> Timestamp for &T {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        (**self).unix_nanos()
    }

    #[inline]
    fn __units_of(&self, precision: Precision) -> Option<i64> {
        (**self).__units_of(precision)
    }
}

/// A time given as a count of units since the Unix epoch, such as the origin library's
/// `timestamp=1475848864` (seconds).
///
/// ```
/// use inflow::{EpochTime, Precision, Timestamp};
///
/// assert_eq!(EpochTime::seconds(1475848864).unix_nanos(), Some(1_475_848_864_000_000_000));
/// assert_eq!(EpochTime::new(-2, Precision::Hours).unix_nanos(), Some(-7_200_000_000_000));
/// ```
///
/// Two `EpochTime`s are equal when they name the same instant, whatever their units:
/// `EpochTime::seconds(1) == EpochTime::millis(1000)`.
#[derive(Debug, Clone, Copy)]
pub struct EpochTime {
    value: i64,
    unit: Precision,
}

impl EpochTime {
    /// `value` units of `unit` since the Unix epoch.
    #[must_use]
    pub const fn new(value: i64, unit: Precision) -> Self {
        EpochTime { value, unit }
    }

    /// Nanoseconds since the Unix epoch.
    #[must_use]
    pub const fn nanos(value: i64) -> Self {
        EpochTime::new(value, Precision::Nanoseconds)
    }

    /// Microseconds since the Unix epoch.
    #[must_use]
    pub const fn micros(value: i64) -> Self {
        EpochTime::new(value, Precision::Microseconds)
    }

    /// Milliseconds since the Unix epoch.
    #[must_use]
    pub const fn millis(value: i64) -> Self {
        EpochTime::new(value, Precision::Milliseconds)
    }

    /// Seconds since the Unix epoch.
    #[must_use]
    pub const fn seconds(value: i64) -> Self {
        EpochTime::new(value, Precision::Seconds)
    }

    /// The count of units.
    #[must_use]
    pub const fn value(self) -> i64 {
        self.value
    }

    /// The unit.
    #[must_use]
    pub const fn unit(self) -> Precision {
        self.unit
    }
}

impl PartialEq for EpochTime {
    fn eq(&self, other: &Self) -> bool {
        self.unix_nanos() == other.unix_nanos()
    }
}

impl Eq for EpochTime {}

impl std::hash::Hash for EpochTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.unix_nanos().hash(state);
    }
}

impl Timestamp for EpochTime {
    #[inline]
    fn unix_nanos(&self) -> Option<i128> {
        Some(self.unit.to_nanos(i128::from(self.value)))
    }

    #[inline]
    fn __units_of(&self, precision: Precision) -> Option<i64> {
        (self.unit == precision).then_some(self.value)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::{FixedOffset, Utc};

    use super::*;

    #[test]
    fn chrono_times_in_any_zone_give_the_same_instant() {
        let utc = DateTime::from_timestamp(1_475_848_864, 123_456_789).unwrap();
        let offset = utc.with_timezone(&FixedOffset::east_opt(5 * 3600).unwrap());
        assert_eq!(utc.unix_nanos(), Some(1_475_848_864_123_456_789));
        assert_eq!(offset.unix_nanos(), utc.unix_nanos());
        let before = DateTime::<Utc>::from_timestamp(-1, 500_000_000).unwrap();
        assert_eq!(before.unix_nanos(), Some(-500_000_000));
    }

    #[test]
    fn system_time_on_both_sides_of_the_epoch() {
        let after = UNIX_EPOCH + Duration::new(5, 7);
        let before = UNIX_EPOCH - Duration::new(5, 7);
        assert_eq!(after.unix_nanos(), Some(5_000_000_007));
        assert_eq!(before.unix_nanos(), Some(-5_000_000_007));
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_types_give_their_instant_in_nanoseconds() {
        use time::{OffsetDateTime, UtcDateTime, UtcOffset};

        for nanos in [
            0,
            1_475_848_864_123_456_789,
            -1,
            -500_000_000,
            i128::from(i64::MAX),
        ] {
            let utc = OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap();
            let offset = utc.to_offset(UtcOffset::from_hms(-7, -30, 0).unwrap());
            let plain = UtcDateTime::from_unix_timestamp_nanos(nanos).unwrap();
            assert_eq!(utc.unix_nanos(), Some(nanos));
            assert_eq!(offset.unix_nanos(), Some(nanos));
            assert_eq!(plain.unix_nanos(), Some(nanos));
        }
        // Beyond what the server stores: given as is, for the encoder to refuse by value.
        let far = i128::from(i64::MAX) * 10;
        assert_eq!(
            OffsetDateTime::from_unix_timestamp_nanos(far)
                .unwrap()
                .unix_nanos(),
            Some(far)
        );
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn jiff_types_give_their_instant_in_nanoseconds() {
        use jiff::tz::{Offset, TimeZone};

        for nanos in [
            0,
            1_475_848_864_123_456_789,
            -1,
            -500_000_000,
            i128::from(i64::MIN),
        ] {
            let timestamp = jiff::Timestamp::from_nanosecond(nanos).unwrap();
            let zoned = timestamp.to_zoned(TimeZone::fixed(Offset::constant(9)));
            assert_eq!(timestamp.unix_nanos(), Some(nanos));
            assert_eq!(zoned.unix_nanos(), Some(nanos));
        }
        let far = i128::from(i64::MIN) * 10;
        assert_eq!(
            jiff::Timestamp::from_nanosecond(far).unwrap().unix_nanos(),
            Some(far)
        );
    }

    #[test]
    fn option_none_is_no_timestamp() {
        let none: Option<SystemTime> = None;
        assert_eq!(none.unix_nanos(), None);
        assert_eq!(Some(EpochTime::millis(3)).unix_nanos(), Some(3_000_000));
        assert_eq!(Timestamp::unix_nanos(&&EpochTime::micros(-3)), Some(-3_000));
    }
}

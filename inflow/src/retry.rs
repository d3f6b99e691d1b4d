//! When and how long to wait before retrying a request. I/O-free.

use std::time::Duration;

use crate::{Error, ErrorKind};

/// How the client retries requests that failed for a reason that may pass: no connection, a
/// timeout, HTTP 429 and 5xx (except an unknown retention policy, which no retry can fix).
/// A 4xx answer is never retried.
///
/// Delays grow exponentially from `initial_backoff` up to `max_backoff`, with jitter (each
/// delay is drawn between half and all of its nominal value, so clients that failed together do
/// not retry together). Retrying stops after `max_attempts` attempts in all, or when the next
/// delay would end past `max_elapsed` from the first attempt.
///
/// # What the server may ask for
///
/// A `Retry-After` header on a retried answer (whole seconds, or an HTTP date) is honoured
/// instead of the policy's own delay, even when it is longer than `max_backoff`, but never
/// beyond the budget: when the delay asked for would end past `max_elapsed` from the first
/// attempt, the client gives up at once instead of waiting, and the error it returns still
/// tells what the server asked for ([`Error::retry_after`](crate::Error::retry_after)). A date in
/// the past means "retry now"; a header that is neither seconds nor a date (empty, negative,
/// fractional, garbage) is ignored and the policy's own delay applies.
///
/// No setting and no answer can overflow the arithmetic: every duration may be as long as
/// [`Duration::MAX`], `max_attempts` as large as `u32::MAX`, and a `Retry-After` of any number of
/// digits; sums saturate, and a wait that would end past `Duration::MAX` ends past the budget.
///
/// # Why retrying a write is safe
///
/// InfluxDB stores one point per series and timestamp: writing the same point again
/// overwrites it with itself. A request that timed out may well have been applied; sending it
/// again cannot duplicate anything. inflow stamps points that have no timestamp when it encodes
/// them, not when it sends them, so a retried body is byte for byte the body that may already
/// have been stored.
///
/// ```
/// use std::time::Duration;
/// use inflow::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(10)
///     .initial_backoff(Duration::from_millis(50))
///     .max_elapsed(Duration::from_secs(120));
/// let never = RetryPolicy::never();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// 5 attempts, from 200 ms up to 10 s apart, within 60 s, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// No retry: every request is tried once.
    #[must_use]
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The delay before the first retry.
    #[must_use]
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest delay between two attempts (a server's `Retry-After` may ask for more).
    #[must_use]
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest time from the first attempt to the start of the last one.
    #[must_use]
    pub fn max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Whether delays are drawn at random between half and all of their nominal value.
    #[must_use]
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The attempts in all.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest delay the policy waits between two attempts.
    pub(crate) fn longest_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// How long to wait before attempt `attempts_made + 1`, after `error`, `elapsed` after the
    /// first attempt started; `None` when the error is final or the budget is spent.
    ///
    /// A delay the server asked for is returned as it is, however long, unless it would end past
    /// `max_elapsed`; the arithmetic is checked, so no setting and no `Retry-After` can overflow.
    pub(crate) fn delay_after(
        &self,
        attempts_made: u32,
        error: &Error,
        elapsed: Duration,
    ) -> Option<Duration> {
        if !is_transient(error) || attempts_made >= self.max_attempts {
            return None;
        }
        let delay = match error.retry_after() {
            Some(asked) => asked,
            None => self.backoff(attempts_made),
        };
        // A wait that ends past `Duration::MAX` ends past any budget too.
        let ends = elapsed.checked_add(delay)?;
        (ends <= self.max_elapsed).then_some(delay)
    }

    /// The policy's own delay before attempt `attempts_made + 1`: `initial_backoff` doubled
    /// for each attempt after the first, at most `max_backoff`, then jittered.
    fn backoff(&self, attempts_made: u32) -> Duration {
        let mut nominal = self.initial_backoff.min(self.max_backoff);
        for _ in 1..attempts_made {
            // Stops within about a hundred doublings, however many attempts were made.
            if nominal.is_zero() || nominal == self.max_backoff {
                break;
            }
            nominal = nominal.saturating_mul(2).min(self.max_backoff);
        }
        if self.jitter {
            jittered(nominal)
        } else {
            nominal
        }
    }
}

/// A delay drawn uniformly between half and all of `nominal`, to the nanosecond.
///
/// In integers: `Duration::mul_f64` rounds through `f64`, and near `Duration::MAX` the rounded
/// product can exceed it and panic.
fn jittered(nominal: Duration) -> Duration {
    let half = nominal / 2;
    let extra = fastrand::u128(0..=(nominal - half).as_nanos());
    half.saturating_add(duration_from_nanos(extra))
}

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// `nanos` as a `Duration`, saturating at `Duration::MAX`.
fn duration_from_nanos(nanos: u128) -> Duration {
    match u64::try_from(nanos / NANOS_PER_SEC) {
        Ok(secs) => Duration::from_secs(secs).saturating_add(Duration::from_nanos(
            u64::try_from(nanos % NANOS_PER_SEC).unwrap_or_default(),
        )),
        Err(_) => Duration::MAX,
    }
}

/// Whether a failure may pass on its own.
pub(crate) fn is_transient(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Server | ErrorKind::Throttled
    )
}

/// The delay of a `Retry-After` header, from `now`: whole seconds, or an HTTP date.
///
/// Seconds beyond what a `Duration` holds saturate to `Duration::MAX`; a date in the past asks
/// for no delay. Anything else (empty, negative, fractional, not a date) is `None`: the header
/// is ignored and the policy's own backoff applies.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // Only too many digits fail to parse: a delay longer than any budget.
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = parse_http_date(value)?;
    Some(at.signed_duration_since(now).to_std().unwrap_or_default())
}

/// An HTTP date: the IMF-fixdate servers send (`Sun, 06 Nov 1994 08:49:37 GMT`), or one of the
/// two obsolete forms HTTP recipients must still accept (RFC 850 and C's `asctime`).
fn parse_http_date(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc2822(value) {
        return Some(at.to_utc());
    }
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(value, format).ok())
        .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(kind: ErrorKind) -> Error {
        Error::new(kind, "test")
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let policy = RetryPolicy::default().jitter(false);
        for kind in [
            ErrorKind::Transport,
            ErrorKind::Timeout,
            ErrorKind::Server,
            ErrorKind::Throttled,
        ] {
            assert!(
                policy
                    .delay_after(1, &failure(kind), Duration::ZERO)
                    .is_some(),
                "{kind:?}"
            );
        }
        for kind in [
            ErrorKind::WriteFailed,
            ErrorKind::PartialWrite,
            ErrorKind::Unauthorized,
            ErrorKind::Forbidden,
            ErrorKind::DatabaseNotFound,
            ErrorKind::RetentionPolicyNotFound,
            ErrorKind::InvalidPoint,
        ] {
            assert_eq!(
                policy.delay_after(1, &failure(kind), Duration::ZERO),
                None,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn delays_double_up_to_the_cap_and_attempts_and_time_are_bounded() {
        let policy = RetryPolicy::default()
            .jitter(false)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350))
            .max_attempts(5);
        let err = failure(ErrorKind::Transport);
        let delays: Vec<_> = (1..=5)
            .map(|made| policy.delay_after(made, &err, Duration::ZERO))
            .collect();
        assert_eq!(
            delays,
            [
                Some(Duration::from_millis(100)),
                Some(Duration::from_millis(200)),
                Some(Duration::from_millis(350)),
                Some(Duration::from_millis(350)),
                None
            ]
        );
        let policy = policy.max_elapsed(Duration::from_secs(1));
        assert_eq!(
            policy.delay_after(1, &err, Duration::from_millis(950)),
            None
        );
        assert_eq!(
            RetryPolicy::never().delay_after(1, &err, Duration::ZERO),
            None
        );
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_delay() {
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(100));
        let err = failure(ErrorKind::Server);
        for _ in 0..1000 {
            let delay = policy.delay_after(1, &err, Duration::ZERO).unwrap();
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&delay));
        }
    }

    #[test]
    fn jitter_spreads_over_the_whole_range() {
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(100));
        let err = failure(ErrorKind::Server);
        let delays: Vec<_> = (0..1000)
            .map(|_| policy.delay_after(1, &err, Duration::ZERO).unwrap())
            .collect();
        assert!(
            delays
                .iter()
                .any(|delay| *delay < Duration::from_millis(75))
        );
        assert!(
            delays
                .iter()
                .any(|delay| *delay > Duration::from_millis(75))
        );
    }

    fn date(text: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc2822(text).unwrap().to_utc()
    }

    #[test]
    fn retry_after_is_honoured_in_seconds_or_as_a_date() {
        let now = date("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 3\t", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        // The two obsolete date forms: RFC 850 and asctime.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:09 GMT", now),
            Some(Duration::from_secs(9))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:11 2015", now),
            Some(Duration::from_secs(11))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994", now),
            Some(Duration::ZERO),
            "a date in the past asks for no delay"
        );
        let err = failure(ErrorKind::Throttled).with_retry_after(Some(Duration::from_secs(2)));
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_after(1, &err, Duration::ZERO),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn retry_after_numbers_of_any_size_saturate() {
        let now = date("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(
            parse_retry_after("18446744073709551616", now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after(&"9".repeat(1000), now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(Duration::from_secs(253_402_300_799 - 1_445_412_480))
        );
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        let now = date("Wed, 21 Oct 2015 07:28:00 GMT");
        for garbage in [
            "",
            " ",
            "\t \t",
            "soon",
            "-1",
            "-18446744073709551616",
            "+3",
            "1.5",
            "0x10",
            "3 s",
            "1e3",
            "Wed, 21 Oct 2015 25:28:07 GMT",
            "Wed, 32 Oct 2015 07:28:07 GMT",
            "Wed, 21 Oct 2015",
            "٣",
        ] {
            assert_eq!(parse_retry_after(garbage, now), None, "{garbage:?}");
        }
        // Ignored means the policy's own backoff applies.
        let policy = RetryPolicy::default().jitter(false);
        let err = failure(ErrorKind::Throttled).with_retry_after(parse_retry_after("-1", now));
        assert_eq!(
            policy.delay_after(1, &err, Duration::ZERO),
            Some(Duration::from_millis(200))
        );
    }

    #[test]
    fn a_retry_after_past_the_budget_gives_up_at_once() {
        let policy = RetryPolicy::default().max_elapsed(Duration::from_secs(60));
        let err = failure(ErrorKind::Throttled).with_retry_after(Some(Duration::from_secs(30)));
        assert_eq!(
            policy.delay_after(1, &err, Duration::from_secs(30)),
            Some(Duration::from_secs(30)),
            "ending exactly at max_elapsed is within it"
        );
        assert_eq!(
            policy.delay_after(1, &err, Duration::from_secs(30) + Duration::from_nanos(1)),
            None
        );
        assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    }

    #[test]
    fn a_huge_retry_after_gives_up_without_panicking() {
        let now = chrono::Utc::now();
        let asked = parse_retry_after("18446744073709551615", now);
        let err = failure(ErrorKind::Server).with_retry_after(asked);
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay_after(1, &err, Duration::from_millis(1)), None);
        assert_eq!(
            err.retry_after(),
            Some(Duration::from_secs(u64::MAX)),
            "the caller still reads what the server asked for"
        );
        let endless = policy.max_elapsed(Duration::MAX);
        assert_eq!(
            endless.delay_after(1, &err, Duration::ZERO),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(endless.delay_after(1, &err, Duration::from_secs(1)), None);
    }

    #[test]
    fn the_largest_settings_saturate() {
        let err = failure(ErrorKind::Transport);
        let policy = RetryPolicy::default()
            .jitter(false)
            .max_attempts(u32::MAX)
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .max_elapsed(Duration::MAX);
        assert_eq!(policy.attempts(), u32::MAX);
        assert_eq!(
            policy.delay_after(1, &err, Duration::ZERO),
            Some(Duration::MAX)
        );
        assert_eq!(policy.delay_after(2, &err, Duration::from_secs(1)), None);
        assert_eq!(policy.delay_after(u32::MAX, &err, Duration::ZERO), None);
        let doubling = policy
            .clone()
            .initial_backoff(Duration::from_nanos(1))
            .jitter(true);
        for made in [96, 1000, u32::MAX - 1] {
            let delay = doubling.delay_after(made, &err, Duration::ZERO).unwrap();
            assert!(delay >= Duration::MAX / 2, "{made}: {delay:?}");
        }
        let zero = policy.clone().initial_backoff(Duration::ZERO);
        assert_eq!(
            zero.delay_after(u32::MAX - 1, &err, Duration::MAX),
            Some(Duration::ZERO)
        );
        let capped = policy.max_backoff(Duration::from_secs(7));
        assert_eq!(
            capped.delay_after(u32::MAX - 1, &err, Duration::ZERO),
            Some(Duration::from_secs(7))
        );
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn duration() -> impl Strategy<Value = Duration> {
            prop_oneof![
                Just(Duration::ZERO),
                Just(Duration::MAX),
                Just(Duration::from_secs(u64::MAX)),
                (0..100_000u64).prop_map(Duration::from_millis),
                (any::<u64>(), 0..1_000_000_000u32).prop_map(|(s, n)| Duration::new(s, n)),
            ]
        }

        fn attempts() -> impl Strategy<Value = u32> {
            prop_oneof![0..10u32, any::<u32>(), Just(u32::MAX - 1), Just(u32::MAX)]
        }

        fn policy() -> impl Strategy<Value = RetryPolicy> {
            (
                attempts(),
                duration(),
                duration(),
                duration(),
                any::<bool>(),
            )
                .prop_map(|(attempts, initial, max, elapsed, jitter)| {
                    RetryPolicy::default()
                        .max_attempts(attempts)
                        .initial_backoff(initial)
                        .max_backoff(max)
                        .max_elapsed(elapsed)
                        .jitter(jitter)
                })
        }

        /// Seconds since the epoch that chrono can hold, from year -262143 to 262142.
        const SECONDS: std::ops::Range<i64> = -8_200_000_000_000..8_200_000_000_000;

        fn instant() -> impl Strategy<Value = chrono::DateTime<chrono::Utc>> {
            SECONDS.prop_map(|secs| chrono::DateTime::from_timestamp(secs, 0).unwrap())
        }

        fn header() -> impl Strategy<Value = String> {
            prop_oneof![
                ".*",
                "[ \t]{0,2}[0-9]{1,40}[ \t]{0,2}",
                "-[0-9]{1,25}",
                any::<i64>().prop_map(|n| n.to_string()),
                any::<u64>().prop_map(|n| n.to_string()),
                (instant(), 0..4usize).prop_map(|(at, form)| {
                    let format = [
                        "%a, %d %b %Y %H:%M:%S GMT",
                        "%A, %d-%b-%y %H:%M:%S GMT",
                        "%a %b %e %H:%M:%S %Y",
                        "%a, %d %b %Y %H:%M:%S %z",
                    ][form];
                    at.format(format).to_string()
                }),
                // A date cut short or with a byte changed.
                (instant(), any::<prop::sample::Index>(), any::<char>()).prop_map(
                    |(at, index, byte)| {
                        let mut text = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
                        let at = index.index(text.len());
                        text.truncate(at);
                        text.push(byte);
                        text
                    }
                ),
            ]
        }

        fn kind() -> impl Strategy<Value = ErrorKind> {
            prop::sample::select(vec![
                ErrorKind::Transport,
                ErrorKind::Timeout,
                ErrorKind::Server,
                ErrorKind::Throttled,
                ErrorKind::WriteFailed,
                ErrorKind::Unauthorized,
                ErrorKind::RetentionPolicyNotFound,
            ])
        }

        /// `initial` doubled `attempts_made - 1` times, capped at `max`, computed another way:
        /// in `u128` nanoseconds with checked arithmetic.
        fn nominal(initial: Duration, max: Duration, attempts_made: u32) -> Duration {
            let initial = initial.as_nanos();
            let doubled = if initial == 0 {
                0
            } else {
                2u128
                    .checked_pow(attempts_made.saturating_sub(1))
                    .and_then(|factor| initial.checked_mul(factor))
                    .unwrap_or(u128::MAX)
            };
            if doubled >= max.as_nanos() {
                max
            } else {
                duration_from_nanos(doubled)
            }
        }

        proptest! {
            #[test]
            fn parsing_any_retry_after_never_panics(value in header(), now in instant()) {
                let parsed = parse_retry_after(&value, now);
                let trimmed = value.trim();
                if !trimmed.is_empty() && trimmed.bytes().all(|byte| byte.is_ascii_digit()) {
                    let expected = trimmed.parse().map_or(Duration::MAX, Duration::from_secs);
                    prop_assert_eq!(parsed, Some(expected));
                }
                if trimmed.starts_with('-') {
                    prop_assert_eq!(parsed, None);
                }
            }

            #[test]
            fn a_date_asks_for_the_time_until_it(at in instant(), now in instant()) {
                let header = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
                let parsed = parse_retry_after(&header, now);
                if (0..=9999).contains(&chrono::Datelike::year(&at)) {
                    let until = u64::try_from((at - now).num_seconds()).unwrap_or(0);
                    prop_assert_eq!(parsed, Some(Duration::from_secs(until)));
                }
            }

            #[test]
            fn no_delay_panics_or_ends_past_the_budget(
                policy in policy(),
                attempts_made in attempts(),
                kind in kind(),
                asked in prop_oneof![
                    Just(None),
                    duration().prop_map(Some),
                    (header(), instant()).prop_map(|(value, now)| parse_retry_after(&value, now)),
                ],
                elapsed in duration(),
            ) {
                let err = failure(kind).with_retry_after(asked);
                let delay = policy.delay_after(attempts_made, &err, elapsed);
                let retried = is_transient(&err) && attempts_made < policy.attempts();
                let wanted = asked.unwrap_or_else(|| {
                    nominal(policy.initial_backoff, policy.max_backoff, attempts_made)
                });
                let within_budget =
                    |delay: Duration| elapsed.checked_add(delay).is_some_and(|end| end <= policy.max_elapsed);
                match delay {
                    Some(delay) => {
                        prop_assert!(retried);
                        prop_assert!(within_budget(delay), "{delay:?} after {elapsed:?}");
                        if asked.is_some() || !policy.jitter {
                            prop_assert_eq!(delay, wanted, "exactly what was asked or computed");
                        } else {
                            prop_assert!(wanted / 2 <= delay && delay <= wanted, "{delay:?} for {wanted:?}");
                        }
                    }
                    // Even a jittered delay is at most `wanted`: had that fitted, it would too.
                    None => prop_assert!(!retried || !within_budget(wanted)),
                }
            }
        }
    }
}

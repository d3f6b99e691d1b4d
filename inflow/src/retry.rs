//! When and how long to wait before retrying a request. I/O-free.

use std::time::Duration;

use crate::{Error, ErrorKind};

/// How the client retries requests that failed for a reason that may pass: no connection, a
/// timeout, HTTP 429 and 5xx (except an unknown retention policy, which no retry can fix).
/// A 4xx answer is never retried.
///
/// Delays grow exponentially from `initial_backoff` up to `max_backoff`, with jitter (each
/// delay is drawn between half and all of its nominal value, so clients that failed together do
/// not retry together); a `Retry-After` from the server is honoured instead. Retrying stops
/// after `max_attempts` attempts in all, or when the next delay would end past `max_elapsed`
/// from the first attempt.
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

    /// How long to wait before attempt `attempts_made + 1`, after `error`, `elapsed` after the
    /// first attempt started; `None` when the error is final or the budget is spent.
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
            None => {
                let exponent = attempts_made.saturating_sub(1).min(30);
                let nominal = self
                    .initial_backoff
                    .saturating_mul(1 << exponent)
                    .min(self.max_backoff);
                if self.jitter {
                    nominal / 2 + nominal.mul_f64(fastrand::f64() / 2.0)
                } else {
                    nominal
                }
            }
        };
        (elapsed + delay <= self.max_elapsed).then_some(delay)
    }
}

/// Whether a failure may pass on its own.
pub(crate) fn is_transient(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Transport | ErrorKind::Timeout | ErrorKind::Server | ErrorKind::Throttled
    )
}

/// The delay of a `Retry-After` header: seconds, or an HTTP date.
pub(crate) fn parse_retry_after(
    value: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.to_utc() - now).to_std().unwrap_or_default())
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
    fn retry_after_is_honoured_in_seconds_or_as_a_date() {
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .unwrap()
            .to_utc();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        let err = failure(ErrorKind::Throttled).with_retry_after(Some(Duration::from_secs(2)));
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.delay_after(1, &err, Duration::ZERO),
            Some(Duration::from_secs(2))
        );
    }
}

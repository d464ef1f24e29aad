//! Okta's rate-limit headers: the state a response reports, and how long a
//! 429 asks the caller to wait. Every number comes from a server, so all
//! arithmetic saturates and every wait is checked against a bound.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// The rate-limit state of an endpoint, from a response's `X-Rate-Limit-*`
/// headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// `X-Rate-Limit-Limit`: requests allowed in the current window.
    pub limit: Option<u64>,
    /// `X-Rate-Limit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
    /// `X-Rate-Limit-Reset`: when the window resets (Okta's clock).
    pub reset: Option<SystemTime>,
}

impl RateLimit {
    /// The state the headers report, or `None` when they carry none of the
    /// three. Several values of one header (repeated, or comma-joined) read
    /// as the most cautious one: the smallest, as Okta's .NET and Python
    /// SDKs do for the reset.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let limit = smallest(headers, "x-rate-limit-limit");
        let remaining = smallest(headers, "x-rate-limit-remaining");
        let reset_secs = smallest(headers, "x-rate-limit-reset");
        if limit.is_none() && remaining.is_none() && reset_secs.is_none() {
            return None;
        }
        Some(RateLimit {
            limit,
            remaining,
            reset: reset_secs.and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))),
        })
    }
}

/// The smallest whole number among every value of header `name`.
fn smallest(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(whole_seconds)
        .min()
}

/// A run of digits as a number; one too large for `u64` reads as `u64::MAX`
/// (a wait that long is refused later, never overflowed).
fn whole_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(u64::MAX))
}

/// The server's clock, from `Date`, else ours.
fn server_now(headers: &HeaderMap, local_now: SystemTime) -> SystemTime {
    headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .unwrap_or(local_now)
}

/// What a 429 asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Wait this long (jitter included), then retry.
    Retry(Duration),
    /// The wait the server asks for is longer than the bound.
    TooLong(Duration),
}

/// Most jitter added to a 429 wait, so that callers limited together do not
/// retry together.
pub(crate) const JITTER: Duration = Duration::from_millis(500);

/// How long to wait after a 429: `Retry-After` (seconds, or an HTTP date
/// against the response's `Date`), else until the earliest
/// `X-Rate-Limit-Reset` by the server's clock plus one second for clock skew,
/// else `fallback`; then up to [`JITTER`]. A wait longer than `max`
/// (jitter aside) is [`Wait::TooLong`].
pub(crate) fn rate_limit_wait(
    headers: &HeaderMap,
    local_now: SystemTime,
    max: Duration,
    fallback: Duration,
) -> Wait {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let server_now = server_now(headers, local_now);
    let retry_after = text("retry-after").and_then(|after| {
        whole_seconds(after).map(Duration::from_secs).or_else(|| {
            let at = httpdate::parse_http_date(after.trim()).ok()?;
            Some(at.duration_since(server_now).unwrap_or_default())
        })
    });
    let until_reset = || {
        let reset = smallest(headers, "x-rate-limit-reset")?;
        let now = server_now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        Some(Duration::from_secs(reset.saturating_sub(now).saturating_add(1)))
    };
    let wait = retry_after.or_else(until_reset).unwrap_or(fallback);
    if wait > max {
        return Wait::TooLong(wait);
    }
    let jitter = Duration::from_millis(fastrand::u64(0..=JITTER.as_millis() as u64));
    Wait::Retry(wait.saturating_add(jitter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::{HeaderName, HeaderValue};

    const MAX: Duration = Duration::from_secs(61);
    const FALLBACK: Duration = Duration::from_millis(250);

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(HeaderName::from_static(k), v.parse().unwrap());
        }
        map
    }

    fn retry(wait: Wait) -> Duration {
        match wait {
            Wait::Retry(d) => d,
            Wait::TooLong(d) => panic!("refused a wait of {d:?}"),
        }
    }

    fn epoch(t: SystemTime) -> u64 {
        t.duration_since(UNIX_EPOCH).unwrap().as_secs()
    }

    #[test]
    fn reset_is_read_against_the_servers_clock() {
        // The server says it is 12:00:00 and the limit resets at 12:00:05,
        // whatever this machine's clock says (here: a day later).
        let date = "Sun, 22 Nov 2026 12:00:00 GMT";
        let server = httpdate::parse_http_date(date).unwrap();
        let h = headers(&[
            ("date", date),
            ("x-rate-limit-reset", &(epoch(server) + 5).to_string()),
        ]);
        let wait = retry(rate_limit_wait(
            &h,
            server + Duration::from_secs(86_400),
            MAX,
            FALLBACK,
        ));
        assert!(
            wait >= Duration::from_secs(6) && wait <= Duration::from_secs(6) + JITTER,
            "{wait:?}"
        );
    }

    #[test]
    fn retry_after_wins_over_the_reset() {
        let h = headers(&[("retry-after", "2"), ("x-rate-limit-reset", "99999999999")]);
        let wait = retry(rate_limit_wait(&h, SystemTime::now(), MAX, FALLBACK));
        assert!(
            wait >= Duration::from_secs(2) && wait <= Duration::from_secs(2) + JITTER,
            "{wait:?}"
        );
    }

    #[test]
    fn retry_after_as_an_http_date_counts_from_the_servers_date() {
        let date = "Sun, 22 Nov 2026 12:00:00 GMT";
        let h = headers(&[("date", date), ("retry-after", "Sun, 22 Nov 2026 12:00:07 GMT")]);
        // Our clock is an hour ahead: by it, the date is long past.
        let local = httpdate::parse_http_date(date).unwrap() + Duration::from_secs(3600);
        let wait = retry(rate_limit_wait(&h, local, MAX, FALLBACK));
        assert!(
            wait >= Duration::from_secs(7) && wait <= Duration::from_secs(7) + JITTER,
            "{wait:?}"
        );
    }

    #[test]
    fn the_earliest_of_several_resets_counts() {
        let now = SystemTime::now();
        let (soon, late) = ((epoch(now) + 2).to_string(), (epoch(now) + 50).to_string());
        for h in [
            headers(&[("x-rate-limit-reset", &late), ("x-rate-limit-reset", &soon)]),
            headers(&[("x-rate-limit-reset", &format!("{late}, {soon}"))]),
        ] {
            let wait = retry(rate_limit_wait(&h, now, MAX, FALLBACK));
            assert!(wait <= Duration::from_secs(3) + JITTER, "{wait:?}");
            assert_eq!(
                RateLimit::from_headers(&h).unwrap().reset,
                Some(UNIX_EPOCH + Duration::from_secs(epoch(now) + 2))
            );
        }
    }

    #[test]
    fn absurd_values_are_refused_not_overflowed() {
        let now = SystemTime::now();
        let year_ahead = httpdate::fmt_http_date(now + Duration::from_secs(365 * 86_400));
        for h in [
            headers(&[("retry-after", "18446744073709551615")]),
            headers(&[("retry-after", "99999999999999999999999999")]),
            headers(&[("x-rate-limit-reset", "18446744073709551615")]),
            headers(&[("retry-after", &year_ahead)]),
            headers(&[("retry-after", "86400")]),
        ] {
            assert!(
                matches!(rate_limit_wait(&h, now, MAX, FALLBACK), Wait::TooLong(_)),
                "{h:?}"
            );
        }
        let h = headers(&[
            ("x-rate-limit-reset", "18446744073709551615"),
            ("x-rate-limit-limit", "99999999999999999999"),
        ]);
        let state = RateLimit::from_headers(&h).unwrap();
        assert_eq!(state.limit, Some(u64::MAX));
        assert_eq!(
            state.reset, None,
            "no SystemTime is that far ahead on this platform"
        );
    }

    #[test]
    fn a_wait_of_exactly_the_bound_is_waited() {
        let h = headers(&[("retry-after", "61")]);
        let wait = retry(rate_limit_wait(&h, SystemTime::now(), MAX, FALLBACK));
        assert!(wait >= MAX && wait <= MAX + JITTER, "{wait:?}");
        let h = headers(&[("retry-after", "62")]);
        assert_eq!(
            rate_limit_wait(&h, SystemTime::now(), MAX, FALLBACK),
            Wait::TooLong(Duration::from_secs(62))
        );
    }

    #[test]
    fn garbage_falls_back() {
        for value in ["", "soon", "-5", "1.5", "0x10", "Mon, 99 Foo"] {
            let h = headers(&[("retry-after", value), ("x-rate-limit-reset", value)]);
            let wait = retry(rate_limit_wait(&h, SystemTime::now(), MAX, FALLBACK));
            assert!(
                wait >= FALLBACK && wait <= FALLBACK + JITTER,
                "{value:?}: {wait:?}"
            );
        }
        assert_eq!(
            RateLimit::from_headers(&headers(&[("x-rate-limit-reset", "soon")])),
            None
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn any_headers_give_a_bounded_wait_and_never_panic(
            retry_after in proptest::option::of("[ -~]{0,40}"),
            reset in proptest::option::of("[0-9, ]{0,30}|[ -~]{0,30}"),
            date in proptest::option::of("[ -~]{0,40}"),
            max_secs in 0u64..100_000,
            local_secs in 0u64..(1u64 << 40),
        ) {
            let mut h = HeaderMap::new();
            for (name, value) in [("retry-after", retry_after), ("x-rate-limit-reset", reset), ("date", date)] {
                if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    h.append(HeaderName::from_static(name), v);
                }
            }
            let max = Duration::from_secs(max_secs);
            let local = UNIX_EPOCH + Duration::from_secs(local_secs);
            match rate_limit_wait(&h, local, max, FALLBACK) {
                Wait::Retry(d) => prop_assert!(d <= max + JITTER),
                Wait::TooLong(d) => prop_assert!(d > max),
            }
            let _ = RateLimit::from_headers(&h);
        }
    }
}

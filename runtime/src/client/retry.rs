//! When a failed call is tried again, and how long to wait first. Both
//! clients ask [`Plan::after`]; only the sleeping differs.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::{Error, PlatformError, TransportKind};

/// Codes retried unless configured otherwise: the platform's own failures
/// (`isp.*`), call limited (7), service unavailable (10), remote service
/// error (15).
const DEFAULT_CODES: &[&str] = &["isp.*", "7", "10", "15"];

/// Last segments of method names that only read (`taobao.trades.sold.get`,
/// `taobao.pc.order.detail`); every other call counts as a write.
const READ_SEGMENTS: &[&str] = &["get", "query", "detail", "search", "list", "count"];

/// Whether `method` reads only, judged by its last segment.
pub(crate) fn is_read_method(method: &str) -> bool {
    method
        .rsplit('.')
        .next()
        .is_some_and(|last| READ_SEGMENTS.contains(&last))
}

/// When and how often a failed call is tried again.
///
/// A call is tried again when the request provably did not reach the
/// platform (no connection, or a call-limit refusal), or, for reads only,
/// when the platform answered with one of the retried codes. A ban of N
/// seconds within [`max_ban_wait`](Self::max_ban_wait) is waited out, then
/// tried once more. Nothing is retried past the overall
/// [`deadline`](Self::deadline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    deadline: Duration,
    max_ban_wait: Duration,
    codes: Vec<String>,
}

impl RetryPolicy {
    /// No retries at all, bans not waited out either.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
            max_ban_wait: Duration::ZERO,
            ..RetryPolicy::default()
        }
    }

    /// Retries after the first attempt (bans waited out not counted).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Delay before the first retry, doubled for each further one up to
    /// `max`.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// Randomize each delay between half and all of it (on by default), so
    /// many clients do not come back at the same instant.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// No retry starts later than this after the call began.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The longest ban (`This ban will last for N more seconds`) the client
    /// waits out; a longer one is returned at once, its length in
    /// [`Error::retry_after`].
    pub fn max_ban_wait(mut self, wait: Duration) -> Self {
        self.max_ban_wait = wait;
        self
    }

    /// The codes and sub_codes retried (for reads). An entry is a top-level
    /// code (`"15"`), a sub_code (`"isp.remote-service-timeout"`) or a
    /// sub_code prefix ending in `*` (`"isp.*"`). A top-level code or prefix
    /// never retries the caller's fault (`isv.*`, bad arguments, …); a
    /// sub_code named in full does.
    pub fn retry_codes<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.codes = codes.into_iter().map(Into::into).collect();
        self
    }

    /// The delay before retry number `retry` (0-based), before jitter.
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Whether the codes of `e` are among the retried ones.
    pub fn retries_code(&self, e: &PlatformError) -> bool {
        let sub = e.sub_code.as_deref().unwrap_or("");
        let code = e.code.trim();
        self.codes.iter().any(|c| {
            if !sub.is_empty() && c == sub {
                return true;
            }
            let matched = match c.strip_suffix('*') {
                Some(prefix) => !sub.is_empty() && sub.starts_with(prefix),
                None => c == code,
            };
            matched && !e.is_caller_fault()
        })
    }
}

impl Default for RetryPolicy {
    /// 2 retries, 200 ms doubling up to 2 s with jitter, bans up to 10 s
    /// waited out, nothing retried 30 s after the call began.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(2),
            jitter: true,
            deadline: Duration::from_secs(30),
            max_ban_wait: Duration::from_secs(10),
            codes: DEFAULT_CODES.iter().map(|c| (*c).to_owned()).collect(),
        }
    }
}

/// Why a failure may be tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// The platform refused the call for N seconds; it did not run.
    Ban(Duration),
    /// The request never reached the platform, or was refused unrun.
    NotRun,
    /// A transient failure of a read; the call may have run. The answer
    /// may have asked for a least wait (`Retry-After`).
    Busy(Option<Duration>),
}

/// HTTP statuses that say "busy, come back" without a platform error:
/// too many requests, bad gateway, service unavailable, gateway timeout.
const BUSY_STATUSES: &[u16] = &[429, 502, 503, 504];

/// The retry state of one call.
#[derive(Debug)]
pub(crate) struct Plan<'p> {
    policy: &'p RetryPolicy,
    read: bool,
    retries: u32,
    bans: u32,
    attempt: u32,
}

impl<'p> Plan<'p> {
    pub(crate) fn new(policy: &'p RetryPolicy, read: bool) -> Self {
        Plan {
            policy,
            read,
            retries: 0,
            bans: 0,
            attempt: 1,
        }
    }

    /// The attempt about to be made, 1-based.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// After a failed attempt `elapsed` into the call: how long to wait
    /// before the next one, or `None` to give up with `e`. `retry_after`
    /// is the answer's `Retry-After`, when it had one.
    pub(crate) fn after(
        &mut self,
        e: &Error,
        retry_after: Option<Duration>,
        elapsed: Duration,
    ) -> Option<Duration> {
        let remaining = self.policy.deadline.checked_sub(elapsed)?;
        let wait = match self.reason(e, retry_after)? {
            Reason::Ban(n) => {
                if n > self.policy.max_ban_wait || self.bans > 0 {
                    return None;
                }
                self.bans += 1;
                // Callers banned together must not all come back at once.
                let spread = if self.policy.jitter {
                    (n / 2).min(remaining.saturating_sub(n))
                } else {
                    Duration::ZERO
                };
                n + random_below(spread)
            }
            Reason::NotRun => self.backoff()?,
            Reason::Busy(least) => {
                let least = least.unwrap_or(Duration::ZERO);
                if least > self.policy.max_ban_wait {
                    return None;
                }
                self.backoff()?.max(least)
            }
        };
        if wait > remaining {
            return None;
        }
        self.attempt += 1;
        Some(wait)
    }

    /// The next backoff delay, or `None` when the retries are spent.
    fn backoff(&mut self) -> Option<Duration> {
        if self.retries >= self.policy.max_retries {
            return None;
        }
        let d = self.policy.delay(self.retries);
        self.retries += 1;
        Some(if self.policy.jitter { jittered(d) } else { d })
    }

    fn reason(&self, e: &Error, retry_after: Option<Duration>) -> Option<Reason> {
        match e {
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            } => Some(Reason::NotRun),
            Error::Platform(p) if p.is_call_limited() => match p.retry_after() {
                Some(n) => Some(Reason::Ban(n)),
                None if self.policy.retries_code(p) => Some(Reason::NotRun),
                None => None,
            },
            Error::Platform(p) if self.read && self.policy.retries_code(p) => {
                Some(Reason::Busy(None))
            }
            Error::Http { status, .. } if self.read && BUSY_STATUSES.contains(status) => {
                Some(Reason::Busy(retry_after))
            }
            // A timeout, a reset or a connection closed under the
            // request: a read may run twice. A body that does not inflate
            // would not inflate the next time either.
            Error::Transport {
                kind: TransportKind::Timeout | TransportKind::Body | TransportKind::Other,
                ..
            } if self.read => Some(Reason::Busy(None)),
            _ => None,
        }
    }
}

/// A random duration from zero up to `d`.
fn random_below(d: Duration) -> Duration {
    let spread = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    if spread == 0 {
        return Duration::ZERO;
    }
    Duration::from_nanos(random_u64() % spread.saturating_add(1))
}

/// Between half of `d` and all of it.
pub(crate) fn jittered(d: Duration) -> Duration {
    let half = d / 2;
    half + random_below(d - half)
}

/// A random number from the standard library's per-process hash keys.
pub(crate) fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos().into()),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(code: &str, sub: Option<&str>, sub_msg: Option<&str>) -> Error {
        Error::Platform(Box::new(PlatformError {
            api: "taobao.pc.order.detail".into(),
            code: code.into(),
            msg: "m".into(),
            sub_code: sub.map(Into::into),
            sub_msg: sub_msg.map(Into::into),
            request_id: None,
        }))
    }

    fn ban(secs: u64) -> Error {
        platform(
            "7",
            Some("accesscontrol.limited-by-app-access-count"),
            Some(&format!("This ban will last for {secs} more seconds")),
        )
    }

    fn steady() -> RetryPolicy {
        RetryPolicy::default().jitter(false)
    }

    #[test]
    fn backoff_is_bounded() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0), Duration::from_millis(200));
        assert_eq!(p.delay(1), Duration::from_millis(400));
        assert_eq!(p.delay(10), Duration::from_secs(2));
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn jitter_stays_between_half_and_all() {
        for _ in 0..200 {
            let d = jittered(Duration::from_millis(400));
            assert!(
                d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
                "{d:?}"
            );
        }
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn a_short_ban_is_waited_out_once() {
        let policy = steady();
        let mut plan = Plan::new(&policy, false);
        assert_eq!(
            plan.after(&ban(3), None, Duration::ZERO),
            Some(Duration::from_secs(3))
        );
        assert_eq!(plan.attempt(), 2);
        assert_eq!(plan.after(&ban(3), None, Duration::from_secs(3)), None);
    }

    #[test]
    fn a_long_ban_is_returned_at_once() {
        let policy = steady();
        let mut plan = Plan::new(&policy, true);
        let e = ban(11);
        assert_eq!(plan.after(&e, None, Duration::ZERO), None);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(11)));
    }

    #[test]
    fn the_deadline_bounds_every_wait() {
        let policy = steady().deadline(Duration::from_secs(5));
        let mut plan = Plan::new(&policy, true);
        assert_eq!(plan.after(&ban(6), None, Duration::ZERO), None);
        let mut plan = Plan::new(&policy, true);
        let busy = platform("15", Some("isp.remote-service-timeout"), None);
        assert_eq!(plan.after(&busy, None, Duration::from_millis(4_900)), None);
        let mut plan = Plan::new(&policy, true);
        assert_eq!(
            plan.after(&busy, None, Duration::from_millis(100)),
            Some(Duration::from_millis(200))
        );
    }

    #[test]
    fn writes_retry_only_what_did_not_run() {
        let policy = steady();
        let busy = platform("15", Some("isp.remote-service-timeout"), None);
        assert_eq!(
            Plan::new(&policy, false).after(&busy, None, Duration::ZERO),
            None
        );
        assert!(
            Plan::new(&policy, true)
                .after(&busy, None, Duration::ZERO)
                .is_some()
        );
        let limited = platform("7", Some("accesscontrol.limited-by-api-access-count"), None);
        assert!(
            Plan::new(&policy, false)
                .after(&limited, None, Duration::ZERO)
                .is_some()
        );
        let timeout = Error::Transport {
            api: "a".into(),
            kind: TransportKind::Timeout,
            source: "t".into(),
        };
        assert_eq!(
            Plan::new(&policy, false).after(&timeout, None, Duration::ZERO),
            None
        );
        let refused = Error::Transport {
            api: "a".into(),
            kind: TransportKind::Connect,
            source: "c".into(),
        };
        assert!(
            Plan::new(&policy, false)
                .after(&refused, None, Duration::ZERO)
                .is_some()
        );
    }

    fn transport(kind: TransportKind) -> Error {
        Error::Transport {
            api: "a".into(),
            kind,
            source: "t".into(),
        }
    }

    fn http(status: u16) -> Error {
        Error::Http {
            api: "a".into(),
            status,
            snippet: String::new(),
        }
    }

    #[test]
    fn reads_retry_transient_failures_and_writes_do_not() {
        let policy = steady();
        let transient = [
            transport(TransportKind::Timeout),
            transport(TransportKind::Body),
            transport(TransportKind::Other),
            http(429),
            http(502),
            http(503),
            http(504),
        ];
        for e in &transient {
            let read = Plan::new(&policy, true).after(e, None, Duration::ZERO);
            assert_eq!(read, Some(Duration::from_millis(200)), "{e}");
            let write = Plan::new(&policy, false).after(e, None, Duration::ZERO);
            assert_eq!(write, None, "{e}");
        }
        for e in [transport(TransportKind::Decompress), http(500), http(404)] {
            assert_eq!(
                Plan::new(&policy, true).after(&e, None, Duration::ZERO),
                None,
                "{e}"
            );
        }
    }

    #[test]
    fn retry_after_is_a_least_wait_within_the_ban_ceiling() {
        let policy = steady();
        let mut plan = Plan::new(&policy, true);
        let wait = plan.after(&http(503), Some(Duration::from_secs(3)), Duration::ZERO);
        assert_eq!(wait, Some(Duration::from_secs(3)));
        let wait = plan.after(&http(429), Some(Duration::from_millis(1)), Duration::ZERO);
        assert_eq!(
            wait,
            Some(Duration::from_millis(400)),
            "the backoff when longer"
        );
        let mut plan = Plan::new(&policy, true);
        let wait = plan.after(&http(429), Some(Duration::from_secs(11)), Duration::ZERO);
        assert_eq!(wait, None, "above max_ban_wait");
    }

    #[test]
    fn ban_waits_are_spread_over_half_the_ban() {
        let policy = RetryPolicy::default();
        let waits: Vec<Duration> = (0..200)
            .map(|_| {
                Plan::new(&policy, true)
                    .after(&ban(2), None, Duration::ZERO)
                    .unwrap()
            })
            .collect();
        let (min, max) = (waits.iter().min().unwrap(), waits.iter().max().unwrap());
        assert!(*min >= Duration::from_secs(2), "{min:?}");
        assert!(*max <= Duration::from_secs(3), "{max:?}");
        assert!(
            *max - *min >= Duration::from_millis(500),
            "{min:?}..{max:?}"
        );
        // Never past the deadline for the jitter alone.
        let tight = RetryPolicy::default().deadline(Duration::from_secs(2));
        let wait = Plan::new(&tight, true).after(&ban(2), None, Duration::ZERO);
        assert_eq!(wait, Some(Duration::from_secs(2)));
    }

    #[test]
    fn retries_stop_at_the_bound() {
        let policy = steady().max_retries(2);
        let mut plan = Plan::new(&policy, true);
        let busy = platform("10", None, None);
        assert_eq!(
            plan.after(&busy, None, Duration::ZERO),
            Some(Duration::from_millis(200))
        );
        assert_eq!(
            plan.after(&busy, None, Duration::ZERO),
            Some(Duration::from_millis(400))
        );
        assert_eq!(plan.after(&busy, None, Duration::ZERO), None);
        assert_eq!(plan.attempt(), 3);
    }

    #[test]
    fn configured_codes() {
        // (codes, code, sub_code, retried)
        let table: &[(&[&str], &str, Option<&str>, bool)] = &[
            (
                DEFAULT_CODES,
                "15",
                Some("isp.remote-service-timeout"),
                true,
            ),
            (DEFAULT_CODES, "15", Some("isv.item-not-exist"), false),
            (DEFAULT_CODES, "10", None, true),
            (DEFAULT_CODES, "99", None, false),
            (DEFAULT_CODES, "41", None, false),
            (&["isv.item-is-busy"], "15", Some("isv.item-is-busy"), true),
            (&["isv.*"], "15", Some("isv.item-is-busy"), false),
            (&["99"], "99", None, true),
            (&[], "10", None, false),
        ];
        for (codes, code, sub, want) in table {
            let policy = steady().retry_codes(codes.iter().copied());
            let Error::Platform(p) = platform(code, *sub, None) else {
                unreachable!()
            };
            assert_eq!(policy.retries_code(&p), *want, "{codes:?} {code} {sub:?}");
        }
    }

    #[test]
    fn read_methods_by_their_last_segment() {
        for (method, read) in [
            ("taobao.trades.sold.get", true),
            ("taobao.pc.order.detail", true),
            ("taobao.items.search", true),
            ("taobao.pc.order.cancel", false),
            ("taobao.itemmarket.order.info.update", false),
            ("taobao.qimen.order.cancel", false),
            ("taobao.get.something.update", false),
        ] {
            assert_eq!(is_read_method(method), read, "{method}");
        }
    }
}

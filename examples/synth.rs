//! Synthetic-book generator: writes a large, realistic and valid retrobook book.
//!
//! ```text
//! cargo run --release --example synth -- --retros 10000 --out /tmp/book [--seed N] [--commits N] [--force]
//! ```
//!
//! Writes `OUT/book.toml` and `OUT/retros/<YYYY>/<date>-<slug>.md` (plus a CSV beside the
//! retros that chart a monitoring series). The output depends only on `--retros` and `--seed`.
//! With `--commits N` (N > 0) the book is also made a git repository whose history adds the
//! retros in N chronological commits, some first as drafts, so that git-derived fields
//! (created, updated, contributors) have something to show; the final files are the same.
//!
//! Every retro is valid per docs/format.md: quoted YAML strings, the four impact moments in order and repeated to the minute by the `[started]`/`[detected]`/
//! `[mitigated]`/`[resolved]` timeline entries, `related` pointing only at earlier retros,
//! action `addresses` naming the retro's own factors. About 10% of minor retros leave
//! `detected` or `mitigated` out of the front matter (half of them keep the timeline kind that
//! supplies it), a few factor ids are written as aliases or with underscores, and a few titles
//! need YAML escaping: the edge cases a checker must accept.
//!
//! Each retro is rendered from its own seed, so files are written by several threads
//! (`SYNTH_THREADS`, default: the number of cores, at most 4) without changing the output.
//! One summary line goes to stderr. Standard library only: no dependencies.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;
use std::{env, fs};

// ---------------------------------------------------------------------------------------------
// PRNG (splitmix64)
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut r = Rng(seed ^ 0x005E_ED0F_B00C_u64);
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n must be below 2^32).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Picks distinct indices below `n` without replacement, remembering what was used.
struct Deck {
    used: u64,
    n: usize,
}

impl Deck {
    fn new(n: usize) -> Self {
        assert!(n <= 64);
        Deck { used: 0, n }
    }

    fn draw(&mut self, rng: &mut Rng) -> Option<usize> {
        let left = self.n - self.used.count_ones() as usize;
        if left == 0 {
            return None;
        }
        let mut k = rng.below(left);
        for i in 0..self.n {
            if self.used & (1 << i) == 0 {
                if k == 0 {
                    self.used |= 1 << i;
                    return Some(i);
                }
                k -= 1;
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar (proleptic Gregorian, days since 1970-01-01, times in minutes since the epoch)
// ---------------------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

const DAY: i64 = 1440;

/// Two decimal digits.
fn w_2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

fn w_date(out: &mut String, day: i64) {
    let (y, m, d) = civil_from_days(day);
    w_2(out, (y / 100) as u32);
    w_2(out, (y % 100) as u32);
    out.push('-');
    w_2(out, m);
    out.push('-');
    w_2(out, d);
}

fn w_hm(out: &mut String, t: i64) {
    let m = t.rem_euclid(DAY) as u32;
    w_2(out, m / 60);
    out.push(':');
    w_2(out, m % 60);
}

/// `YYYY-MM-DD HH:MM`
fn w_datetime(out: &mut String, t: i64) {
    w_date(out, t.div_euclid(DAY));
    out.push(' ');
    w_hm(out, t);
}

/// RFC 3339 in UTC.
fn w_rfc3339(out: &mut String, t: i64) {
    w_date(out, t.div_euclid(DAY));
    out.push('T');
    w_hm(out, t);
    out.push_str(":00Z");
}

fn w_duration(out: &mut String, minutes: i64) {
    let (h, m) = (minutes / 60, minutes % 60);
    let _ = match (h, m) {
        (0, 1) => write!(out, "1 minute"),
        (0, _) => write!(out, "{m} minutes"),
        (_, 0) => write!(out, "{h} h"),
        _ => write!(out, "{h} h {m} min"),
    };
}

// ---------------------------------------------------------------------------------------------
// Word pools
// ---------------------------------------------------------------------------------------------

struct Service {
    id: &'static str,
    name: &'static str,
    team: usize,
    store: &'static str,
    journey: &'static str,
}

#[rustfmt::skip]
const SERVICES: [Service; 10] = [
    Service { id: "checkout", name: "Checkout", team: 0, store: "Postgres", journey: "checkout flow" },
    Service { id: "payments", name: "Payments", team: 0, store: "Postgres", journey: "card payment flow" },
    Service { id: "search", name: "Search", team: 2, store: "Elasticsearch", journey: "product search" },
    Service { id: "auth", name: "Auth", team: 3, store: "Redis", journey: "sign-in flow" },
    Service { id: "inventory", name: "Inventory", team: 5, store: "MySQL", journey: "stock lookup" },
    Service { id: "notifications", name: "Notifications", team: 1, store: "Kafka", journey: "order e-mail" },
    Service { id: "api-gateway", name: "API gateway", team: 1, store: "Envoy", journey: "public API" },
    Service { id: "billing", name: "Billing", team: 0, store: "Postgres", journey: "invoice run" },
    Service { id: "storage", name: "Object storage", team: 4, store: "Ceph", journey: "file upload" },
    Service { id: "recommendations", name: "Recommendations", team: 5, store: "Cassandra", journey: "home page feed" },
];

const TEAMS: [&str; 6] = ["payments-team", "platform-team", "search-team", "identity-team", "sre-team", "data-team"];

const TEAM_KEYS: [&str; 6] = ["PAY", "PLAT", "SRCH", "IDN", "SRE", "DATA"];

const TAGS: [&str; 15] = [
    "database",
    "deploy",
    "dns",
    "tls",
    "capacity",
    "cache",
    "config",
    "network",
    "third-party",
    "kubernetes",
    "queue",
    "observability",
    "security",
    "latency",
    "data-integrity",
];

const PEOPLE: [&str; 26] = [
    "Alex Kim",
    "Priya Natarajan",
    "Jonas Weber",
    "Mariana Costa",
    "Kwame Mensah",
    "Yuki Tanaka",
    "Sofia Rossi",
    "Liam O'Connor",
    "Fatima Zahra",
    "Chen Wei",
    "Olga Petrova",
    "Diego Alvarez",
    "Aisha Bello",
    "Noah Fischer",
    "Ingrid Larsen",
    "Ravi Shankar",
    "Emma Dubois",
    "Tomás Novák",
    "Hana Sato",
    "Samuel Okafor",
    "Lucía Fernández",
    "Mateo Silva",
    "Nora Lindqvist",
    "Arjun Mehta",
    "@jwu",
    "@mbauer",
];

const REGIONS: [&str; 5] = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2", "eu-central-1"];

struct Symptom {
    title: &'static str,
    /// past tense, after "the X service"
    past: &'static str,
    /// base form, after "did X"
    base: &'static str,
    signal: &'static str,
    unit: &'static str,
    tag: usize,
}

#[rustfmt::skip]
const SYMPTOMS: [Symptom; 15] = [
    Symptom { title: "5xx errors", past: "returned HTTP 5xx errors", base: "return HTTP 5xx errors", signal: "5xx rate", unit: "%", tag: 13 },
    Symptom { title: "elevated latency", past: "responded slowly", base: "respond slowly", signal: "p99 latency", unit: "ms", tag: 13 },
    Symptom { title: "timeouts", past: "timed out on a large share of requests", base: "time out", signal: "timeout rate", unit: "%", tag: 7 },
    Symptom { title: "partial outage", past: "was partially unavailable", base: "become partially unavailable", signal: "availability", unit: "%", tag: 4 },
    Symptom { title: "outage", past: "was unavailable", base: "become unavailable", signal: "availability", unit: "%", tag: 4 },
    Symptom { title: "stale reads", past: "served stale data", base: "serve stale data", signal: "replica lag", unit: "s", tag: 0 },
    Symptom { title: "dropped messages", past: "dropped messages", base: "drop messages", signal: "dead-letter rate", unit: "msg/s", tag: 10 },
    Symptom { title: "queue backlog", past: "built up a processing backlog", base: "build up a backlog", signal: "queue depth", unit: "messages", tag: 10 },
    Symptom { title: "duplicate requests", past: "processed some requests twice", base: "process requests twice", signal: "duplicate rate", unit: "%", tag: 14 },
    Symptom { title: "error spike", past: "logged a spike of errors", base: "log so many errors", signal: "error rate", unit: "%", tag: 11 },
    Symptom { title: "memory exhaustion", past: "ran out of memory", base: "run out of memory", signal: "memory usage", unit: "GiB", tag: 4 },
    Symptom { title: "connection errors", past: "failed to open connections", base: "fail to open connections", signal: "connection error rate", unit: "%", tag: 7 },
    Symptom { title: "degraded availability", past: "dropped below its availability target", base: "drop below its availability target", signal: "availability", unit: "%", tag: 11 },
    Symptom { title: "certificate errors", past: "failed TLS handshakes", base: "fail TLS handshakes", signal: "TLS handshake failure rate", unit: "/s", tag: 3 },
    Symptom { title: "missing results", past: "returned incomplete results", base: "return incomplete results", signal: "empty-result rate", unit: "%", tag: 14 },
];

/// (title words, prose noun phrase, tag); `{other}` is another service.
const AFTER: [(&str, &str, usize); 12] = [
    ("{other} deploy", "a routine deploy of {other}", 1),
    ("config push", "a configuration push", 6),
    ("certificate rotation", "a certificate rotation", 3),
    ("database failover", "a database failover", 0),
    ("schema migration", "a schema migration", 0),
    ("feature-flag rollout", "a feature-flag rollout", 6),
    ("DNS change", "a DNS change", 2),
    ("load balancer update", "a load balancer update", 7),
    ("dependency upgrade", "a dependency upgrade", 1),
    ("node pool upgrade", "a Kubernetes node pool upgrade", 9),
    ("cache flush", "a cache flush", 5),
    ("secret rotation", "a secret rotation", 12),
];

const DURING: [(&str, &str, usize); 8] = [
    ("traffic spike", "a traffic spike", 4),
    ("holiday peak", "the holiday peak", 4),
    ("network partition", "a network partition", 7),
    ("cloud provider incident", "an incident at the cloud provider", 8),
    ("nightly reindex", "the nightly reindex", 0),
    ("backup window", "the backup window", 0),
    ("scale-down event", "an autoscaling scale-down", 9),
    ("maintenance window", "a planned maintenance window", 7),
];

const QUOTED: [&str; 4] = ["Something went wrong", "Service unavailable", "Try again later", "Payment declined"];

const MITIGATIONS: [&str; 10] = [
    "rolling back the change",
    "failing over to the standby region",
    "disabling the feature flag",
    "scaling out the {svc} fleet",
    "restarting the affected pods",
    "raising the {store} connection-pool limit",
    "blocking the offending traffic at the edge",
    "pinning the previous dependency version",
    "draining the unhealthy nodes",
    "replaying the failed messages from the dead-letter queue",
];

const CATEGORIES: [&str; 7] =
    ["people", "process", "tooling", "technology", "environment", "communication", "external"];

const PEOPLE_C: u8 = 0;
const PROCESS: u8 = 1;
const TOOLING: u8 = 2;
const TECH: u8 = 3;
const ENV: u8 = 4;
const COMMS: u8 = 5;
const EXTERNAL: u8 = 6;

/// (id, category, phrase used as "because <phrase>")
#[rustfmt::skip]
const FACTORS: [(&str, u8, &str); 122] = [
    ("config-drift", PROCESS, "configuration had drifted between regions"),
    ("missing-canary", PROCESS, "the change reached every host at once with no canary stage"),
    ("no-rollback-plan", PROCESS, "the change shipped without a tested way back"),
    ("untested-migration", PROCESS, "the schema migration had never run against production-sized data"),
    ("freeze-bypass", PROCESS, "an urgent change skipped the change-freeze review"),
    ("incomplete-runbook", PROCESS, "the runbook did not cover this failure mode"),
    ("unclear-ownership", PROCESS, "no team clearly owned the failing component"),
    ("manual-deploy-step", PROCESS, "the deploy needed a manual step that was easy to miss"),
    ("review-gap", PROCESS, "the risky part of the change was not visible in code review"),
    ("capacity-planning-lag", PROCESS, "capacity planning had not accounted for recent growth"),
    ("weekend-release", PROCESS, "the release went out with minimal staffing on a weekend"),
    ("skipped-staging", PROCESS, "the change skipped staging to meet a deadline"),
    ("oversized-release", PROCESS, "too many unrelated changes shipped in one release"),
    ("expired-exception", PROCESS, "a temporary exception outlived its review date"),
    ("postmortem-backlog", PROCESS, "follow-ups from an earlier incident were still open"),
    ("deadline-pressure", PROCESS, "schedule pressure compressed the testing window"),
    ("undocumented-dependency", PROCESS, "a dependency on the service was not documented anywhere"),
    ("ad-hoc-hotfix", PROCESS, "a hotfix was applied by hand and never codified"),
    ("missing-alert", TOOLING, "no alert fired for the failing signal"),
    ("noisy-alerting", TOOLING, "alert noise hid the page that mattered"),
    ("dashboard-blind-spot", TOOLING, "dashboards did not show the affected path"),
    ("ci-flake-masking", TOOLING, "flaky CI tests had trained everyone to retry failures"),
    ("deploy-tool-bug", TOOLING, "the deploy tool reported success on a partial rollout"),
    ("feature-flag-misconfig", TOOLING, "a feature flag targeted the wrong cohort"),
    ("log-sampling", TOOLING, "log sampling dropped the lines that explained the failure"),
    ("slow-rollback-tooling", TOOLING, "rolling back took far longer than rolling forward"),
    ("terraform-state-lock", TOOLING, "a stuck Terraform state lock blocked the fix"),
    ("missing-synthetic-check", TOOLING, "no synthetic check exercised the user journey"),
    ("paging-misroute", TOOLING, "the page went to a team that did not own the service"),
    ("metrics-cardinality", TOOLING, "a metrics cardinality explosion slowed the monitoring stack"),
    ("linter-gap", TOOLING, "static checks did not catch the invalid value"),
    ("secret-rotation-script", TOOLING, "the rotation script updated only one of two consumers"),
    ("trace-propagation-loss", TOOLING, "trace context was lost at a proxy hop"),
    ("shallow-health-check", TOOLING, "health checks passed while the service could not serve requests"),
    ("canary-thresholds", TOOLING, "canary analysis thresholds were too loose to flag the regression"),
    ("backup-restore-untested", TOOLING, "backup restores had never been rehearsed"),
    ("connection-pool-exhaustion", TECH, "the database connection pool ran dry under load"),
    ("retry-storm", TECH, "clients retried without backoff and amplified the load"),
    ("cache-stampede", TECH, "many requests rebuilt the same cache entry at once"),
    ("memory-leak", TECH, "a memory leak slowly exhausted the process heap"),
    ("thread-pool-starvation", TECH, "blocking calls starved the request thread pool"),
    ("unbounded-queue", TECH, "an unbounded queue grew until the process was killed"),
    ("schema-incompatibility", TECH, "the new schema broke readers still on the old version"),
    ("clock-skew", TECH, "clock skew between hosts invalidated tokens"),
    ("dns-ttl", TECH, "a long DNS TTL kept clients pointed at the old endpoint"),
    ("tls-cert-expiry", TECH, "a TLS certificate expired unnoticed"),
    ("gc-pauses", TECH, "long garbage-collection pauses stalled requests"),
    ("n-plus-one-query", TECH, "an N+1 query pattern multiplied database load"),
    ("lock-contention", TECH, "row lock contention serialised writes"),
    ("replication-lag", TECH, "replica lag served stale reads"),
    ("split-brain", TECH, "two nodes both believed they were the leader"),
    ("timeout-mismatch", TECH, "client timeouts were longer than server timeouts"),
    ("missing-idempotency", TECH, "the handler was not idempotent under retries"),
    ("integer-overflow", TECH, "a counter overflowed its 32-bit column"),
    ("hot-partition", TECH, "one partition key received most of the traffic"),
    ("no-circuit-breaker", TECH, "nothing isolated the failing dependency"),
    ("serialization-regression", TECH, "a serializer upgrade changed the wire format"),
    ("dropped-index", TECH, "a query lost its index after the migration"),
    ("disk-full", TECH, "a volume filled up with logs"),
    ("file-descriptor-limit", TECH, "the process hit its file-descriptor limit"),
    ("kernel-regression", TECH, "a kernel update regressed network performance"),
    ("leader-election-flap", TECH, "leader election flapped during the failover"),
    ("cron-overlap", TECH, "overlapping cron runs contended for the same rows"),
    ("rate-limit-misconfig", TECH, "the rate limiter throttled legitimate traffic"),
    ("utf8-handling", TECH, "non-ASCII input broke a parser"),
    ("timezone-bug", TECH, "a timezone conversion shifted scheduled jobs"),
    ("pagination-bug", TECH, "pagination skipped records at page boundaries"),
    ("cache-invalidation", TECH, "cache entries survived after the source data changed"),
    ("upgrade-regression", TECH, "a minor dependency upgrade changed behaviour"),
    ("connection-draining", TECH, "connections were cut without draining"),
    ("autoscaling-lag", TECH, "autoscaling reacted minutes after the spike"),
    ("noisy-neighbour", TECH, "a co-located workload consumed shared resources"),
    ("message-ordering", TECH, "consumers assumed an ordering that the queue did not guarantee"),
    ("poison-message", TECH, "one malformed message blocked the consumer"),
    ("backpressure-missing", TECH, "the pipeline had no backpressure"),
    ("cloud-az-outage", ENV, "an availability zone at the cloud provider failed"),
    ("network-partition", ENV, "a network partition split the cluster"),
    ("quota-exhausted", ENV, "a cloud account quota was exhausted"),
    ("traffic-spike", ENV, "traffic spiked far above the forecast"),
    ("power-maintenance", ENV, "datacenter power maintenance removed a rack"),
    ("node-pool-upgrade", ENV, "the managed node-pool upgrade recycled nodes too fast"),
    ("bgp-route-leak", ENV, "a BGP route leak misdirected traffic"),
    ("storage-latency", ENV, "the underlying block storage slowed down"),
    ("bot-traffic", ENV, "aggressive bot traffic crowded out real users"),
    ("region-capacity", ENV, "the region ran out of the requested instance type"),
    ("ddos-attack", ENV, "a volumetric DDoS attack saturated the edge"),
    ("seasonal-peak", ENV, "a seasonal peak exceeded last year's numbers"),
    ("spot-instance-reclaim", ENV, "spot instances were reclaimed en masse"),
    ("on-call-fatigue", PEOPLE_C, "the on-call rotation was stretched thin after a busy week"),
    ("single-point-of-knowledge", PEOPLE_C, "only one person knew how the subsystem worked"),
    ("onboarding-gap", PEOPLE_C, "new on-call engineers had not been trained on this system"),
    ("page-fatigue", PEOPLE_C, "frequent low-value pages had worn down responsiveness"),
    ("context-switching", PEOPLE_C, "responders juggled the incident with a parallel release"),
    ("handover-loss", PEOPLE_C, "context was lost at the shift handover"),
    ("unfamiliar-tooling", PEOPLE_C, "responders were unfamiliar with the recovery tooling"),
    ("hero-culture", PEOPLE_C, "recovery depended on a few people staying late"),
    ("timezone-coverage", PEOPLE_C, "no responder was awake in the affected region's timezone"),
    ("cognitive-overload", PEOPLE_C, "the console showed too many simultaneous signals to triage"),
    ("status-page-delay", COMMS, "the status page was updated long after impact began"),
    ("unclear-severity", COMMS, "responders disagreed on the severity, which delayed escalation"),
    ("scattered-channels", COMMS, "discussion was split across several channels"),
    ("stakeholder-surprise", COMMS, "support learned about the outage from customers"),
    ("vendor-escalation-slow", COMMS, "the vendor escalation path was unclear"),
    ("ambiguous-announcement", COMMS, "the change announcement did not say which services were affected"),
    ("hidden-consumer", COMMS, "a downstream team consumed the API without the owners knowing"),
    ("jargon-in-updates", COMMS, "updates used internal jargon that support could not relay"),
    ("conflicting-instructions", COMMS, "two responders gave conflicting instructions"),
    ("missed-deprecation-notice", COMMS, "a deprecation notice never reached the owning team"),
    ("payment-provider-outage", EXTERNAL, "the payment provider had an outage"),
    ("cdn-incident", EXTERNAL, "the CDN served errors from several edges"),
    ("third-party-api-change", EXTERNAL, "a third-party API changed without notice"),
    ("upstream-certificate-change", EXTERNAL, "an upstream partner rotated its certificate chain"),
    ("dns-provider-outage", EXTERNAL, "the DNS provider had a partial outage"),
    ("sms-gateway-throttling", EXTERNAL, "the SMS gateway throttled our sender id"),
    ("identity-provider-latency", EXTERNAL, "the identity provider responded slowly"),
    ("email-blocklisting", EXTERNAL, "a mail provider blocklisted our sending IPs"),
    ("vendor-sdk-bug", EXTERNAL, "a bug in a vendor SDK surfaced under load"),
    ("malformed-partner-batch", EXTERNAL, "a partner sent a malformed batch file"),
    ("registry-outage", EXTERNAL, "the container registry was unavailable during deploys"),
    ("open-source-regression", EXTERNAL, "an upstream open-source release introduced a regression"),
    ("stale-feature-branch", PROCESS, "a long-lived branch merged stale configuration"),
    ("missing-load-test", PROCESS, "the new path was never load-tested"),
];

/// A follow-up action that addresses each factor (its title; placeholders as in the prose).
#[rustfmt::skip]
const REMEDIES: [(&str, &str); 122] = [
    ("config-drift", "Diff {svc} configuration between regions in CI"),
    ("missing-canary", "Add a canary stage to the {svc} deploy pipeline"),
    ("no-rollback-plan", "Require a tested rollback plan for {svc} changes"),
    ("untested-migration", "Run {svc} migrations against a production-sized snapshot first"),
    ("freeze-bypass", "Route urgent changes during a freeze through a second reviewer"),
    ("incomplete-runbook", "Write the runbook section for this {svc} failure mode"),
    ("unclear-ownership", "Assign an owning team to every {svc} component in the catalogue"),
    ("manual-deploy-step", "Automate the manual step in the {svc} deploy"),
    ("review-gap", "Show rendered config diffs in {svc} code review"),
    ("capacity-planning-lag", "Review {svc} capacity forecasts every quarter"),
    ("weekend-release", "Stop automatic {svc} releases on weekends"),
    ("skipped-staging", "Block {svc} production deploys that skipped staging"),
    ("oversized-release", "Cap {svc} releases at one risky change each"),
    ("expired-exception", "Alert owners when a policy exception reaches its review date"),
    ("postmortem-backlog", "Review open retro actions for {svc} in the weekly ops meeting"),
    ("deadline-pressure", "Add a go/no-go check to {svc} launches with fixed dates"),
    ("undocumented-dependency", "Document the consumers of {svc} in the service catalogue"),
    ("ad-hoc-hotfix", "Codify the {svc} hotfix in the deployment repository"),
    ("missing-alert", "Alert on {signal} for {svc}"),
    ("noisy-alerting", "Remove or downgrade the noisiest {team} alerts"),
    ("dashboard-blind-spot", "Add the {journey} to the {svc} on-call dashboard"),
    ("ci-flake-masking", "Quarantine flaky {svc} tests instead of retrying them"),
    ("deploy-tool-bug", "Make the deploy tool verify rollout completeness"),
    ("feature-flag-misconfig", "Preview feature-flag targeting before it is saved"),
    ("log-sampling", "Keep all error-level logs for {svc} unsampled"),
    ("slow-rollback-tooling", "Make {svc} rollback a single command under five minutes"),
    ("terraform-state-lock", "Document and alert on stuck Terraform state locks"),
    ("missing-synthetic-check", "Add a synthetic check for the {journey}"),
    ("paging-misroute", "Fix paging routes for {svc} alerts"),
    ("metrics-cardinality", "Enforce a label cardinality budget on {svc} metrics"),
    ("linter-gap", "Lint {svc} configuration values in CI"),
    ("secret-rotation-script", "Make secret rotation update all consumers of {svc} credentials"),
    ("trace-propagation-loss", "Propagate trace headers through the {svc} proxy"),
    ("shallow-health-check", "Make {svc} health checks exercise {store}"),
    ("canary-thresholds", "Tighten canary analysis thresholds for {svc}"),
    ("backup-restore-untested", "Rehearse {store} backup restores monthly"),
    ("connection-pool-exhaustion", "Size and alert on the {store} connection pool"),
    ("retry-storm", "Add jittered backoff to {svc} client retries"),
    ("cache-stampede", "Add request coalescing to the {svc} cache"),
    ("memory-leak", "Fix the {svc} memory leak and alert on heap growth"),
    ("thread-pool-starvation", "Move blocking {store} calls off the {svc} request pool"),
    ("unbounded-queue", "Cap the {svc} work queue and shed excess load"),
    ("schema-incompatibility", "Test {svc} schema changes against the previous reader version"),
    ("clock-skew", "Alert on clock skew across {svc} hosts"),
    ("dns-ttl", "Lower DNS TTLs for {svc} endpoints before migrations"),
    ("tls-cert-expiry", "Alert 30 days before any {svc} certificate expires"),
    ("gc-pauses", "Tune the {svc} garbage collector and alert on pause time"),
    ("n-plus-one-query", "Batch the {svc} lookup queries"),
    ("lock-contention", "Reduce row lock scope in {svc} writes"),
    ("replication-lag", "Route {svc} reads to the primary when replica lag is high"),
    ("split-brain", "Add fencing to {store} leader failover"),
    ("timeout-mismatch", "Align client and server timeouts between {other} and {svc}"),
    ("missing-idempotency", "Make {svc} write handlers idempotent"),
    ("integer-overflow", "Widen the {svc} counter columns to 64 bits"),
    ("hot-partition", "Spread the hot {svc} partition key"),
    ("no-circuit-breaker", "Add a circuit breaker around calls to {other}"),
    ("serialization-regression", "Add wire-format compatibility tests to {svc}"),
    ("dropped-index", "Add the missing index for the {svc} lookup query"),
    ("disk-full", "Rotate {svc} logs and alert at 80% disk usage"),
    ("file-descriptor-limit", "Raise and monitor the {svc} file-descriptor limit"),
    ("kernel-regression", "Canary kernel updates on one {svc} node pool first"),
    ("leader-election-flap", "Lengthen {store} leader election timeouts"),
    ("cron-overlap", "Prevent overlapping runs of {svc} cron jobs"),
    ("rate-limit-misconfig", "Review {svc} rate limits against real traffic"),
    ("utf8-handling", "Fuzz the {svc} parser with non-ASCII input"),
    ("timezone-bug", "Store {svc} schedules in UTC"),
    ("pagination-bug", "Switch {svc} pagination to stable cursors"),
    ("cache-invalidation", "Invalidate {svc} cache entries on source writes"),
    ("upgrade-regression", "Pin {svc} dependencies and test upgrades in staging"),
    ("connection-draining", "Drain {svc} connections before instances stop"),
    ("autoscaling-lag", "Scale {svc} on queue depth instead of CPU"),
    ("noisy-neighbour", "Give {svc} dedicated nodes"),
    ("message-ordering", "Make {svc} consumers tolerate reordered messages"),
    ("poison-message", "Send messages that fail three times to a dead-letter queue"),
    ("backpressure-missing", "Add backpressure between {other} and {svc}"),
    ("cloud-az-outage", "Spread {svc} across three availability zones"),
    ("network-partition", "Test {store} behaviour under a network partition"),
    ("quota-exhausted", "Request a quota increase and alert at 80% usage"),
    ("traffic-spike", "Load-test {svc} at twice the forecast peak"),
    ("power-maintenance", "Subscribe {team} to datacenter maintenance notices"),
    ("node-pool-upgrade", "Limit node-pool upgrades to one node at a time"),
    ("bgp-route-leak", "Enable route filtering with our transit providers"),
    ("storage-latency", "Alert on block storage latency for {store} volumes"),
    ("bot-traffic", "Add bot detection in front of the {journey}"),
    ("region-capacity", "Reserve capacity for {svc} in {region}"),
    ("ddos-attack", "Turn on volumetric DDoS protection for {svc}"),
    ("seasonal-peak", "Pre-scale {svc} ahead of seasonal peaks"),
    ("spot-instance-reclaim", "Move {svc} batch jobs off spot instances"),
    ("on-call-fatigue", "Cap consecutive on-call shifts at one week"),
    ("single-point-of-knowledge", "Record a walkthrough of the {svc} internals"),
    ("onboarding-gap", "Pair new on-call engineers with a shadow rotation"),
    ("page-fatigue", "Review every {team} page that needed no action"),
    ("context-switching", "Pause releases while a SEV1 or SEV2 incident is open"),
    ("handover-loss", "Add a handover template to the incident channel"),
    ("unfamiliar-tooling", "Run a game day on the {svc} recovery tooling"),
    ("hero-culture", "Spread {svc} recovery knowledge across the rotation"),
    ("timezone-coverage", "Add a second on-call region for {svc}"),
    ("cognitive-overload", "Group {svc} alerts by symptom on the incident console"),
    ("status-page-delay", "Publish a status-page template for {svc} incidents"),
    ("unclear-severity", "Add examples to the severity guide"),
    ("scattered-channels", "Open one incident channel automatically on every page"),
    ("stakeholder-surprise", "Add support to the incident notification list"),
    ("vendor-escalation-slow", "Agree an escalation path with our main vendors"),
    ("ambiguous-announcement", "List affected services in every change announcement"),
    ("hidden-consumer", "Require API keys for all consumers of {svc}"),
    ("jargon-in-updates", "Write customer-facing update templates for support"),
    ("conflicting-instructions", "Make the incident commander the single source of instructions"),
    ("missed-deprecation-notice", "Route deprecation notices to owning teams"),
    ("payment-provider-outage", "Add a fallback payment provider"),
    ("cdn-incident", "Add a second CDN for static assets"),
    ("third-party-api-change", "Add contract tests for the third-party API"),
    ("upstream-certificate-change", "Trust the partner's CA instead of a pinned certificate"),
    ("dns-provider-outage", "Add a secondary DNS provider"),
    ("sms-gateway-throttling", "Add a second SMS gateway for one-time codes"),
    ("identity-provider-latency", "Cache identity-provider keys and time out faster"),
    ("email-blocklisting", "Monitor blocklists for our sending IPs"),
    ("vendor-sdk-bug", "Pin vendor SDK versions and test upgrades in staging"),
    ("malformed-partner-batch", "Validate partner batch files before import"),
    ("registry-outage", "Mirror critical container images to a second registry"),
    ("open-source-regression", "Track upstream release notes for {svc} dependencies"),
    ("stale-feature-branch", "Rebase long-lived branches before merging"),
    ("missing-load-test", "Load-test new {svc} paths before launch"),
];

/// The most cited factors, most common first; the rest follow in a fixed shuffled order.
const POPULAR: [&str; 10] = [
    "config-drift",
    "missing-alert",
    "retry-storm",
    "connection-pool-exhaustion",
    "incomplete-runbook",
    "missing-canary",
    "traffic-spike",
    "dashboard-blind-spot",
    "tls-cert-expiry",
    "cache-invalidation",
];

/// Shared taxonomy written to book.toml: (id, title, aliases).
#[rustfmt::skip]
const TAXONOMY: [(&str, &str, &[&str]); 6] = [
    ("config-drift", "Configuration drift between environments", &["configuration-drift", "config-mismatch"]),
    ("missing-alert", "No alert on the failing signal", &["no-alert", "alert-missing"]),
    ("retry-storm", "Retry storms", &["retry-amplification"]),
    ("connection-pool-exhaustion", "Connection pool exhaustion", &["db-pool-exhaustion", "pool-exhaustion"]),
    ("tls-cert-expiry", "Expired TLS certificates", &["certificate-expiry", "expired-certificate"]),
    ("traffic-spike", "Unforecast traffic spikes", &["load-spike"]),
];

// ---------------------------------------------------------------------------------------------
// Prose templates. Placeholders are expanded by `expand`; see `Ctx`.
// ---------------------------------------------------------------------------------------------

const LEADS: [&str; 5] = [
    "At {start} UTC on {date}, the {svc} service {past}.",
    "Shortly after {trigger}, the {svc} service {past}.",
    "On {date}, starting at {start} UTC, the {svc} service {past} for {ttm}.",
    "For {ttm} on {date}, the {svc} service {past}, and about {pct}% of requests in {region} were affected.",
    "This retro covers the {sev} incident of {date}, in which the {svc} service {past}.",
];

const OPENING: [&str; 12] = [
    "The first signs appeared shortly after {trigger}, which had passed review and CI like any other change.",
    "At the peak, {pct}% of requests to {svc} failed or stalled.",
    "Customers in {region} were the first to notice; support tickets began arriving within minutes.",
    "Dependent services, most visibly {other}, saw errors as their calls to {svc} backed up.",
    "The {sev} classification reflected the share of affected users and the lack of a workaround.",
    "Internal dashboards showed the {signal} climbing well past its usual range.",
    "Traffic at the time was about {n}% above the weekly average, which is normal for that hour.",
    "Roughly {k} thousand users were affected over the course of the incident.",
    "The {journey} was the most visible casualty; other paths degraded more gently.",
    "Nothing in the change log for {svc} itself pointed at a cause during the first minutes.",
    "The {store} cluster behind {svc} was healthy by its own metrics, which sent early suspicion elsewhere.",
    "Error rates on {other} rose in lockstep, which made the blast radius hard to read at first.",
];

/// In rough chronological order (the sentences drawn keep this order).
const RESPONSE: [&str; 12] = [
    "The on-call engineer for {team} was paged {ttd} after the impact started.",
    "An incident channel was opened and an incident commander took over coordination.",
    "The status page was updated and support received a holding statement.",
    "Early investigation focused on {other}, which turned out to be a symptom rather than the cause.",
    "A hypothesis about a bad host was tested and discarded after {n} minutes.",
    "Logs were of limited help: the relevant lines were sampled away at the volume we saw.",
    "A second responder from {team2} joined to help with the {store} cluster.",
    "Responders agreed to stop parallel experiments and work through one change at a time.",
    "Within the hour, responders had narrowed the problem down to the {store} layer.",
    "The team decided to shed load from {svc} while the investigation continued.",
    "A rollback was started but stalled, because the previous build had been pruned from the registry.",
    "Comparing failing hosts with healthy ones showed that {cause}.",
];

/// In rough chronological order (the sentences drawn keep this order).
const RECOVERY: [&str; 9] = [
    "Impact was mitigated {ttm} after it started, by {mitigation}.",
    "The {signal} returned to its baseline within {n} minutes of the mitigation.",
    "The team kept the mitigation in place overnight and replaced it with a proper fix the next day.",
    "A consistency check over the affected window found {k} records that needed repair, all of which were fixed.",
    "Full recovery took {ttr}, mostly spent draining the backlog and verifying data.",
    "No further errors were seen after {resolved} UTC.",
    "Once the fix was confirmed, the incident was closed and this review was scheduled.",
    "The review found {nf}, described below.",
    "The follow-up actions below focus on detection first, then on prevention.",
];

const MONITORING: [&str; 10] = [
    "The first alert to fire was the {signal} alert on {svc}, {ttd} after impact began.",
    "Dashboards for {svc} showed the problem clearly, but nobody was looking at them at {start}.",
    "Synthetic checks for the {journey} kept passing because they hit a cached path.",
    "The incident burned about {burn}% of the monthly error budget for {svc}.",
    "Detection relied on {detect_source}.",
    "The {store} saturation metrics were collected but had no alert attached.",
    "Alert thresholds for {svc} were last tuned {n} months before the incident.",
    "The {signal} alert uses a 5-minute window, which is why the page arrived after the first customer report.",
    "Tracing showed the slow spans inside {store} calls once the right service filter was applied.",
    "During the incident the monitoring stack itself lagged by about {n} seconds.",
];

const DETECT_SOURCES: [&str; 5] = [
    "a customer report forwarded by support",
    "an automated page from the {signal} alert",
    "an engineer noticing errors while watching an unrelated deploy",
    "the synthetic check for the {journey}",
    "an SLO burn-rate alert on {svc}",
];

const ANALYSIS: [&str; 10] = [
    "The root of the failure sat in the interaction between {svc} and {store}: {cause}.",
    "Under normal load the problem stays invisible; it needs both high concurrency and a slow dependency.",
    "The output below was captured during the incident and shows the state that responders saw.",
    "Reproducing the failure in staging took {n} attempts, because staging runs a fraction of production traffic.",
    "After {trigger}, every instance of {svc} hit the same condition within a few minutes.",
    "The fix itself was small; most of the time went into understanding why the safeguards did not trigger.",
    "The same mechanism can affect {other}, which uses the same client library.",
    "Measurements after the fix show the {signal} back at its usual level with headroom to spare.",
    "The configuration that mattered is shown below as it was after the fix.",
    "Nothing in the data suggests that the problem existed before {start} UTC on the day of the incident.",
];

const ANALYSIS_AFTER: [&str; 5] = [
    "Measurements after the fix show the {signal} back at its usual level with headroom to spare.",
    "The same mechanism can affect {other}, which uses the same client library; it has been checked and is not exposed today.",
    "Reproducing the failure in staging took {n} attempts, because staging runs a fraction of production traffic.",
    "A load test at twice the incident's peak traffic passed after the change.",
    "The change was rolled out behind a flag and enabled region by region.",
];

const FACTOR_NOTES: [&str; 8] = [
    "This is not the first time this factor shows up in our retros.",
    "It did not cause the incident alone, but it made it longer.",
    "It widened the blast radius beyond {svc}.",
    "It delayed detection by several minutes.",
    "The team had already discussed it as a risk.",
    "It is the factor with the clearest fix.",
    "It is shared with {other}, which makes it worth fixing once for both.",
    "Without it, the other factors would likely have stayed harmless.",
];

/// Later whys of a chain, in the order they are asked (the steps drawn keep this order).
const WHY_STEPS: [&str; 10] = [
    "Why did that reach production? The failure mode only appears under production traffic patterns.",
    "Why was it not caught in staging? Staging runs a tenth of the data volume and a single replica.",
    "Why was there no safeguard? A safeguard existed for {other} but was never extended to {svc}.",
    "Why was the dependency not visible? The service catalogue did not list {other} as a consumer.",
    "Why did the retries make it worse? Retries had no jitter, so clients synchronised.",
    "Why was the limit set that low? It was sized for traffic from several years ago and never revisited.",
    "Why was the fix not already in place? The work sat in the backlog behind feature work for two quarters.",
    "Why was this risk accepted? Nobody had measured how often the condition occurs.",
    "Why did detection take {ttd}? The relevant alert watched the average, which hid the tail.",
    "Why did mitigation take {ttm}? The rollback procedure had not been exercised this year.",
];

const ACTION_TITLES: [&[&str]; 7] = [
    // people
    &[
        "Run a game day on {store} failover for {team}",
        "Pair new on-call engineers with a shadow rotation",
        "Cap consecutive on-call shifts at one week",
        "Record a walkthrough of the {svc} recovery tooling",
    ],
    // process
    &[
        "Add a canary stage to the {svc} deploy pipeline",
        "Write a runbook section for {store} failover",
        "Require a rollback plan for {svc} schema migrations",
        "Review capacity forecasts for {svc} every quarter",
        "Document the consumers of {svc} in the service catalogue",
        "Add a staging soak test for {svc} releases",
    ],
    // tooling
    &[
        "Alert on {signal} for {svc}",
        "Add a synthetic check for the {journey}",
        "Make the deploy tool verify rollout completeness",
        "Add {svc} tail latency to the on-call dashboard",
        "Lint {svc} configuration in CI",
        "Rehearse {store} backup restores monthly",
    ],
    // technology
    &[
        "Add jittered backoff to {svc} client retries",
        "Cap the {svc} work queue and shed excess load",
        "Add a circuit breaker around calls to {other}",
        "Make {svc} write handlers idempotent",
        "Size and alert on the {store} connection pool",
        "Add the missing index for the {svc} lookup query",
    ],
    // environment
    &[
        "Spread {svc} across three availability zones",
        "Request a quota increase and alert at 80% usage",
        "Pre-scale {svc} ahead of seasonal peaks",
        "Move {svc} batch jobs off spot instances",
    ],
    // communication
    &[
        "Publish a status-page template for {svc} incidents",
        "Add support to the incident notification list",
        "Agree an escalation path with our main vendors",
        "Announce changes to {svc} in the shared changes channel",
    ],
    // external
    &[
        "Add a fallback for the payment provider",
        "Feed third-party status pages into our alerting",
        "Validate partner batch files before import",
        "Mirror critical container images to a second registry",
        "Pin vendor SDK versions and test upgrades in staging",
    ],
];

const ACTION_WHYS: [&str; 6] = [
    "Because {cause}, it took {ttm} to mitigate; this removes that path.",
    "{Cause}, and nothing stopped it from spreading to {other}.",
    "This failure mode has come back before; fixing it at the source is cheaper than another incident.",
    "This incident happened because {cause}; without this action it can happen again on the next release.",
    "Detection took {ttd}; this would have paged within minutes.",
    "It turns a manual, error-prone recovery step into a routine one.",
];

const GAPS: [&str; 4] = [
    "No alert on {signal} for {svc}; it degraded for {ttd} before anyone was paged.",
    "No dashboard showed {store} saturation per shard.",
    "Synthetic checks for the {journey} bypassed the failing path.",
    "Client-side errors from {other} were not collected at all.",
];

const WENT_WELL: [&str; 6] = [
    "The incident channel stayed focused, with one person driving.",
    "Support had a holding statement within minutes of the status page update.",
    "The rollback tooling worked exactly as documented.",
    "Responders from {team2} joined quickly and without being asked twice.",
    "The {signal} dashboard made the recovery easy to confirm.",
    "Customer communication went out before most customers noticed.",
];

const LESSONS: [&str; 6] = [
    "Averages hide tail failures; alert on percentiles.",
    "A mitigation that works is worth keeping in place while the real fix is found.",
    "Write the timeline while the incident is running; reconstructing it later took hours.",
    "Shared dependencies need owners, not just users.",
    "Routine changes deserve the same canary as risky ones.",
    "The cheapest fix is often in detection rather than prevention.",
];

// Timeline texts by phase. A leading `[kind] ` is kept as the entry's kind.
const TL_STARTED: [&str; 4] = [
    "Impact begins: {svc} {past}",
    "{Trigger} completes; errors start on {svc}",
    "{Signal} on {svc} leaves its normal range",
    "First failed requests on {svc}",
];
const TL_DETECTED: [&str; 4] = [
    "{Signal} alert pages the {team} on-call engineer",
    "Support escalates customer reports about {svc}",
    "SLO burn-rate alert fires for {svc}",
    "Synthetic check for the {journey} fails twice in a row and pages",
];
const TL_MITIGATED: [&str; 3] = [
    "Impact ends after {mitigation}",
    "Error rate back under 1% after {mitigation}",
    "{Svc} serving normally again; mitigation in place",
];
const TL_RESOLVED: [&str; 3] = [
    "Incident resolved; monitoring confirms recovery",
    "Permanent fix deployed and verified; incident closed",
    "Backlog fully drained; incident closed",
];
const TL_BEFORE: [&str; 6] = [
    "{Signal} on {svc} keeps climbing",
    "First customer ticket about {svc} arrives",
    "Error logs on {svc} show {store} timeouts",
    "Calls from {other} to {svc} start retrying",
    "Queue depth for {svc} workers starts to grow",
    "Health checks still green on all {svc} hosts",
];
/// In rough chronological order: the entries drawn for a phase keep this order.
const TL_DURING: [&str; 16] = [
    "On-call engineer acknowledges the page",
    "Incident channel opened",
    "[escalated] Incident declared {sev}; incident commander takes over",
    "[comms] Status page updated: investigating elevated errors on {svc}",
    "Responders rule out {other} as the cause",
    "{Store} dashboards show connections at the limit",
    "Second responder from {team2} joins",
    "Hypothesis about a single bad host discarded",
    "[miscommunication] Two responders restart the same hosts in parallel",
    "Vendor support ticket opened",
    "[comms] Support receives a holding statement for customers",
    "Load shedding enabled on {svc}",
    "Rollback of the latest {svc} release started",
    "Traffic shifted away from {region}",
    "[comms] Internal update posted to the engineering channel",
    "[breakthrough] Responders find that {cause}",
];
const MISCOMMUNICATION: usize = 8;
const TL_HANDOFF: &str = "[handoff] Incident command handed to the next on-call shift";
const TL_AFTER: [&str; 8] = [
    "{Signal} back within normal range",
    "Backlog draining at about {n}k messages per minute",
    "[comms] Status page moved to monitoring",
    "Data consistency checks started",
    "Consistency checks pass; no records lost",
    "Extra capacity for {svc} scaled back down",
    "Temporary mitigation replaced with a permanent configuration change",
    "[comms] All-clear sent to stakeholders",
];
const TL_FILLER: [&str; 3] =
    ["Responders keep watching {store} metrics", "Update posted in the incident channel", "No change in {signal}"];

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// What is decided for a retro before rendering (everything that crosses retros).
struct Meta {
    id: String,
    title: String,
    day: i64,
    sev: usize,
    services: Vec<usize>,
    /// the second service named in the prose (a dependent or the trigger's source)
    other: usize,
    symptom: usize,
    /// prose noun phrase of the trigger, already expanded
    trigger: String,
    trigger_tag: usize,
    region: &'static str,
    related: Vec<u32>,
    seed: u64,
}

/// Everything a template can refer to.
struct Ctx<'a> {
    svc: &'a Service,
    other: &'a Service,
    symptom: &'a Symptom,
    trigger: &'a str,
    region: &'a str,
    team: &'a str,
    team2: &'a str,
    sev: &'a str,
    day: i64,
    start: i64,
    resolved: i64,
    ttd: i64,
    ttm: i64,
    ttr: i64,
    pct: u32,
    burn: u32,
    nf: usize,
    cause: &'a str,
    mitigation: &'a str,
}

const SEVERITIES: [&str; 4] = ["SEV1", "SEV2", "SEV3", "SEV4"];

fn push_cap(out: &mut String, s: &str) {
    let mut chars = s.chars();
    if let Some(c) = chars.next() {
        out.push(c.to_ascii_uppercase());
        out.push_str(chars.as_str());
    }
}

/// Expands `{name}` placeholders (`{Name}` capitalises the first letter).
fn expand(out: &mut String, tpl: &str, c: &Ctx, rng: &mut Rng) {
    let mut rest = tpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').expect("unclosed placeholder");
        let name = &after[..close];
        rest = &after[close + 1..];
        let cap = name.as_bytes()[0].is_ascii_uppercase();
        let start = out.len();
        let mut key_buf = [0u8; 16];
        let key_len = name.len().min(key_buf.len());
        key_buf[..key_len].copy_from_slice(&name.as_bytes()[..key_len]);
        key_buf[0] = key_buf[0].to_ascii_lowercase();
        match std::str::from_utf8(&key_buf[..key_len]).unwrap_or("") {
            "svc" if cap => out.push_str(c.svc.name),
            "svc" => out.push_str(c.svc.id),
            "other" => out.push_str(c.other.id),
            "store" => out.push_str(c.svc.store),
            "journey" => out.push_str(c.svc.journey),
            "past" => out.push_str(c.symptom.past),
            "base" => out.push_str(c.symptom.base),
            "signal" => out.push_str(c.symptom.signal),
            "trigger" => out.push_str(c.trigger),
            "region" => out.push_str(c.region),
            "team" => out.push_str(c.team),
            "team2" => out.push_str(c.team2),
            "sev" => out.push_str(c.sev),
            "date" => w_date(out, c.day),
            "start" => w_hm(out, c.start),
            "resolved" => w_hm(out, c.resolved),
            "ttd" => w_duration(out, c.ttd),
            "ttm" => w_duration(out, c.ttm),
            "ttr" => w_duration(out, c.ttr),
            "pct" => {
                let _ = write!(out, "{}", c.pct);
            }
            "burn" => {
                let _ = write!(out, "{}", c.burn);
            }
            "nf" => out.push_str(
                [
                    "no contributing factors",
                    "one contributing factor",
                    "two contributing factors",
                    "three contributing factors",
                    "four contributing factors",
                ][c.nf.min(4)],
            ),
            "cause" => out.push_str(c.cause),
            "mitigation" => expand(out, c.mitigation, c, rng),
            "detect_source" => {
                let s = rng.pick(&DETECT_SOURCES);
                expand(out, s, c, rng);
            }
            "n" => {
                let _ = write!(out, "{}", rng.range(2, 60));
            }
            "k" => {
                let _ = write!(out, "{}", rng.range(3, 480));
            }
            other => panic!("unknown placeholder {{{other}}}"),
        }
        if cap {
            let first = out[start..].chars().next();
            if let Some(ch) = first.filter(char::is_ascii_lowercase) {
                out.replace_range(start..start + 1, &ch.to_ascii_uppercase().to_string());
            }
        }
    }
    out.push_str(rest);
}

/// Writes a double-quoted YAML scalar.
fn yq(out: &mut String, s: &str) {
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            out.push_str(&s[from..i]);
            from = i + 1;
            match b {
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'\n' => out.push_str("\\n"),
                b'\t' => out.push_str("\\t"),
                _ => {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
    }
    out.push_str(&s[from..]);
    out.push('"');
}

fn yq_list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>) {
    out.push('[');
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        yq(out, s);
    }
    out.push(']');
}

/// Like `yq`, but the value comes from a template.
fn yq_tpl(out: &mut String, tmp: &mut String, tpl: &str, c: &Ctx, rng: &mut Rng) {
    tmp.clear();
    expand(tmp, tpl, c, rng);
    yq(out, tmp);
}

fn slugify(out: &mut String, s: &str, max: usize) {
    let start = out.len();
    let mut dash = true;
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            if out.len() - start >= max {
                // Cut back to the last whole word.
                if let Some(d) = out[start..].rfind('-') {
                    out.truncate(start + d);
                }
                break;
            }
            out.push(ch.to_ascii_lowercase());
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    while out.len() > start && out.ends_with('-') {
        out.pop();
    }
}

/// Zipf-like sampler over the factor pool.
struct FactorPool {
    order: Vec<usize>,
    remedy: Vec<&'static str>,
    cumulative: Vec<f64>,
}

impl FactorPool {
    fn new() -> Self {
        let mut order: Vec<usize> =
            POPULAR.iter().map(|p| FACTORS.iter().position(|f| f.0 == *p).expect("popular factor")).collect();
        let mut rest: Vec<usize> = (0..FACTORS.len()).filter(|i| !order.contains(i)).collect();
        let mut rng = Rng::new(0xFAC7_0125);
        for i in (1..rest.len()).rev() {
            rest.swap(i, rng.below(i + 1));
        }
        order.extend(rest);
        let mut total = 0.0;
        let cumulative = (0..order.len())
            .map(|rank| {
                total += 1.0 / (rank as f64 + 2.5).powf(1.05);
                total
            })
            .collect();
        let remedy =
            FACTORS.iter().map(|f| REMEDIES.iter().find(|r| r.0 == f.0).expect("remedy for every factor").1).collect();
        FactorPool { order, remedy, cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.unit() * self.cumulative[self.cumulative.len() - 1];
        let rank = self.cumulative.partition_point(|&c| c <= x).min(self.order.len() - 1);
        self.order[rank]
    }
}

// ---------------------------------------------------------------------------------------------
// Generation of the metadata
// ---------------------------------------------------------------------------------------------

fn make_metas(n: usize, seed: u64) -> Vec<Meta> {
    let mut rng = Rng::new(seed);
    let first = days_from_civil(2019, 1, 1);
    let last = days_from_civil(2026, 10, 31);
    let mut days: Vec<i64> = (0..n).map(|_| rng.range(first, last)).collect();
    days.sort_unstable();

    let mut ids: HashSet<String> = HashSet::with_capacity(n);
    let mut by_service: Vec<Vec<u32>> = vec![Vec::new(); SERVICES.len()];
    let mut metas: Vec<Meta> = Vec::with_capacity(n);
    let mut title = String::new();
    for (i, &day) in days.iter().enumerate() {
        let sev = rng.weighted(&[5, 20, 45, 30]);
        let nsvc = 1 + rng.weighted(&[60, 30, 10]);
        let mut services = Vec::with_capacity(nsvc);
        while services.len() < nsvc {
            let s = rng.below(SERVICES.len());
            if !services.contains(&s) {
                services.push(s);
            }
        }
        let svc = &SERVICES[services[0]];
        let other_idx = if services.len() > 1 {
            services[1]
        } else {
            (services[0] + 1 + rng.below(SERVICES.len() - 1)) % SERVICES.len()
        };
        let other = SERVICES[other_idx].id;
        let symptom = rng.below(SYMPTOMS.len());
        let region = rng.pick(&REGIONS);
        let sym = SYMPTOMS[symptom].title;

        title.clear();
        let (trigger, trigger_tag) = match rng.weighted(&[45, 25, 15, 12, 3]) {
            0 => {
                let (t, p, tag) = rng.pick(&AFTER);
                let _ = write!(title, "{} {} after {}", svc.name, sym, t.replace("{other}", other));
                (p.replace("{other}", other), tag)
            }
            1 => {
                let (t, p, tag) = rng.pick(&DURING);
                let _ = write!(title, "{} {} during {}", svc.name, sym, t);
                (p.to_string(), tag)
            }
            2 => {
                let _ = write!(title, "{} {} in {}", svc.name, sym, region);
                let (_, p, tag) = rng.pick(&AFTER);
                (p.replace("{other}", other), tag)
            }
            3 => {
                let _ = write!(title, "{} {}", svc.name, sym);
                let (_, p, tag) = rng.pick(&DURING);
                (p.to_string(), tag)
            }
            _ => {
                // Titles that need escaping in YAML.
                if rng.chance(70) {
                    let q = rng.pick(&QUOTED);
                    let _ = write!(title, "{} shows \"{}\" to all users", svc.name, q);
                } else {
                    let _ = write!(title, "{} client rejects C:\\Users\\ paths", svc.name);
                }
                ("a client release".to_string(), 1)
            }
        };

        let mut id = String::with_capacity(80);
        w_date(&mut id, day);
        id.push('-');
        slugify(&mut id, &title, 56);
        if ids.contains(&id) {
            let base_len = id.len();
            for k in 2.. {
                id.truncate(base_len);
                let _ = write!(id, "-{k}");
                if !ids.contains(&id) {
                    break;
                }
            }
        }
        ids.insert(id.clone());

        // Related: earlier retros, preferably on the same service.
        let mut related = Vec::new();
        let want = rng.weighted(&[62, 28, 10]);
        for _ in 0..want {
            let pool = &by_service[services[0]];
            let cand = if !pool.is_empty() && rng.chance(80) {
                let window = pool.len().min(40);
                pool[pool.len() - 1 - rng.below(window)]
            } else if i > 0 {
                rng.below(i) as u32
            } else {
                continue;
            };
            if !related.contains(&cand) {
                related.push(cand);
            }
        }
        for &s in &services {
            by_service[s].push(i as u32);
        }

        metas.push(Meta {
            id,
            title: title.clone(),
            day,
            sev,
            services,
            other: other_idx,
            symptom,
            trigger,
            trigger_tag,
            region,
            related,
            seed: rng.next_u64(),
        });
    }
    metas
}

// ---------------------------------------------------------------------------------------------
// Rendering one retro
// ---------------------------------------------------------------------------------------------

struct Stats {
    entries: usize,
}

/// A timeline entry: time, kind (or empty) and text template.
struct Entry {
    t: i64,
    kind: &'static str,
    text: &'static str,
}

fn split_kind(s: &'static str) -> (&'static str, &'static str) {
    if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']').expect("kind");
        (&rest[..close], rest[close + 1..].trim_start())
    } else {
        ("", s)
    }
}

struct Factor {
    idx: usize,
    spelling: String,
}

fn render(out: &mut String, csvs: &mut Vec<(String, String)>, m: &Meta, metas: &[Meta], pool: &FactorPool) -> Stats {
    let mut rng = Rng::new(m.seed);
    let r = &mut rng;
    let mut tmp = String::with_capacity(256);
    out.clear();
    csvs.clear();

    let svc = &SERVICES[m.services[0]];
    let other = &SERVICES[m.other];
    let symptom = &SYMPTOMS[m.symptom];
    let sev = m.sev;

    // Status: recent retros are more often still in the works.
    let end = days_from_civil(2026, 10, 31);
    let recent = end - m.day < 45;
    let status =
        ["published", "in-review", "draft"][if recent { r.weighted(&[40, 35, 25]) } else { r.weighted(&[92, 6, 2]) }];
    let external = r.chance([40, 20, 6, 2][sev]);

    // The four moments.
    let start = m.day * DAY + r.range(0, DAY - 1);
    let ttd = if r.chance(6) { r.range(60, 300) } else { r.range(2, 45) };
    let ttm = ttd + r.range(8, [300, 240, 180, 120][sev]);
    let ttr = ttm + if r.chance(3) { r.range(600, 3 * DAY) } else { r.range(10, [720, 480, 300, 200][sev]) };
    let (detected, mitigated, resolved) = (start + ttd, start + ttm, start + ttr);
    // ~10% omit detected or mitigated in the front matter (only minor incidents); half of those
    // still carry the kind in the timeline, which then supplies the moment.
    let omit = if sev >= 2 && r.chance(13) { 1 + r.below(2) } else { 0 };
    let omit_kind_too = omit > 0 && r.chance(50);

    // Teams, tags, people.
    let mut teams: Vec<usize> = Vec::new();
    for &s in &m.services {
        let t = SERVICES[s].team;
        if !teams.contains(&t) {
            teams.push(t);
        }
    }
    if sev <= 1 && !teams.contains(&4) {
        teams.push(4);
    }
    let team2 = TEAMS[if teams.len() > 1 { teams[1] } else { 4 }];
    let mut tags: Vec<usize> = vec![symptom.tag];
    if m.trigger_tag != symptom.tag {
        tags.push(m.trigger_tag);
    }
    for _ in 0..r.below(3) {
        let t = r.below(TAGS.len());
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    let mut people: Vec<usize> = Vec::with_capacity(6);
    let npeople = 3 + r.below(4);
    while people.len() < npeople {
        let p = r.below(PEOPLE.len());
        if !people.contains(&p) {
            people.push(p);
        }
    }
    let nauthors = 1 + r.weighted(&[60, 30, 10]);
    let (authors, rest) = people.split_at(nauthors);
    let nreviewers = rest.len().min(1 + r.below(2));
    let reviewers = &rest[..nreviewers];
    let commander = people[people.len() - 1];

    // Factors.
    let nf = 1 + r.weighted(&[[5, 30, 40, 25], [15, 40, 30, 15], [35, 40, 20, 5], [55, 35, 10, 0]][sev]);
    let mut factors: Vec<Factor> = Vec::with_capacity(nf);
    while factors.len() < nf {
        let f = pool.sample(r);
        if factors.iter().any(|x| x.idx == f) {
            continue;
        }
        let id = FACTORS[f].0;
        let spelling = match TAXONOMY.iter().find(|t| t.0 == id) {
            Some(t) if r.chance(12) => r.pick(t.2).to_string(),
            _ if r.chance(2) => id.replace('-', "_"),
            _ => id.to_string(),
        };
        factors.push(Factor { idx: f, spelling });
    }
    let mitigation = r.pick(&MITIGATIONS);
    let mut c = Ctx {
        svc,
        other,
        symptom,
        trigger: &m.trigger,
        region: m.region,
        team: TEAMS[svc.team],
        team2,
        sev: SEVERITIES[sev],
        day: m.day,
        start,
        resolved,
        ttd,
        ttm,
        ttr,
        pct: [35, 20, 8, 3][sev] + r.below([50, 30, 15, 6][sev]) as u32,
        burn: [60, 25, 8, 2][sev] + r.below([40, 40, 20, 8][sev]) as u32,
        nf,
        cause: FACTORS[factors[0].idx].2,
        mitigation,
    };

    // ---- front matter ----
    out.push_str("---\nid: ");
    yq(out, &m.id);
    out.push_str("\ntitle: ");
    yq(out, &m.title);
    out.push_str("\ndate: ");
    w_date(out, m.day);
    out.push_str("\nseverity: ");
    yq(out, SEVERITIES[sev]);
    out.push_str("\nstatus: ");
    yq(out, status);
    if r.chance(85) {
        out.push_str("\nsummary: ");
        tmp.clear();
        expand(&mut tmp, "The {svc} service {past} for {ttm} after {trigger}.", &c, r);
        if r.chance(50) {
            tmp.push(' ');
            push_cap(&mut tmp, c.cause);
            tmp.push('.');
        }
        yq(out, &tmp);
    }
    out.push_str("\nservices: ");
    yq_list(out, m.services.iter().map(|&s| SERVICES[s].id));
    out.push_str("\nteams: ");
    yq_list(out, teams.iter().map(|&t| TEAMS[t]));
    out.push_str("\ntags: ");
    yq_list(out, tags.iter().map(|&t| TAGS[t]));
    out.push_str("\nauthors: ");
    yq_list(out, authors.iter().map(|&p| PEOPLE[p]));
    if !reviewers.is_empty() && status != "draft" {
        out.push_str("\nreviewers: ");
        yq_list(out, reviewers.iter().map(|&p| PEOPLE[p]));
    }
    out.push_str("\nroles:\n  incident-commander: ");
    yq(out, PEOPLE[commander]);
    if sev <= 1 {
        out.push_str("\n  comms-lead: ");
        yq(out, PEOPLE[people[people.len() - 2]]);
    }
    if r.chance(30) {
        out.push_str("\n  scribe: ");
        yq(out, PEOPLE[people[0]]);
    }
    if external {
        out.push_str("\nexternal: true");
    }
    if !m.related.is_empty() {
        out.push_str("\nrelated: ");
        yq_list(out, m.related.iter().map(|&i| metas[i as usize].id.as_str()));
    }
    out.push_str("\nimpact:\n  started: ");
    tmp.clear();
    w_datetime(&mut tmp, start);
    yq(out, &tmp);
    if omit != 1 {
        out.push_str("\n  detected: ");
        tmp.clear();
        w_datetime(&mut tmp, detected);
        yq(out, &tmp);
    }
    if omit != 2 {
        out.push_str("\n  mitigated: ");
        tmp.clear();
        w_datetime(&mut tmp, mitigated);
        yq(out, &tmp);
    }
    out.push_str("\n  resolved: ");
    tmp.clear();
    w_datetime(&mut tmp, resolved);
    yq(out, &tmp);
    out.push_str("\n  users: ");
    yq_tpl(
        out,
        &mut tmp,
        r.pick(&[
            "About {pct}% of {svc} requests failed for {ttm}.",
            "Users in {region} could not use the {journey} for {ttm}.",
            "Roughly {k} thousand users saw errors or slow pages.",
            "{Journey} degraded for {ttm}; about {pct}% of attempts failed.",
        ]),
        &c,
        r,
    );
    let data_loss = external && r.chance(8);
    if external || r.chance(5) {
        let _ = write!(out, "\n  data-loss: {data_loss}");
    }
    if r.chance(45) {
        out.push_str("\n  slo:\n    name: ");
        tmp.clear();
        let _ = write!(tmp, "{} {}", svc.id, r.pick(&["availability", "latency", "error rate"]));
        yq(out, &tmp);
        if r.chance(50) {
            let _ = write!(out, "\n    budget-burned: {:.2}", f64::from(c.burn.min(100)) / 100.0);
        } else {
            let _ = write!(out, "\n    budget-burned: \"{}%\"", c.burn);
        }
    }

    out.push_str("\nfactors:");
    for f in &factors {
        let (_, cat, phrase) = FACTORS[f.idx];
        c.cause = phrase;
        out.push_str("\n  - id: ");
        yq(out, &f.spelling);
        out.push_str("\n    category: ");
        yq(out, CATEGORIES[cat as usize]);
        out.push_str("\n    summary: ");
        tmp.clear();
        match r.below(3) {
            0 => {
                push_cap(&mut tmp, phrase);
                tmp.push('.');
            }
            1 => {
                let _ = write!(tmp, "In {}, {phrase}.", svc.id);
            }
            _ => {
                push_cap(&mut tmp, phrase);
                let _ = write!(tmp, ", which affected {}.", svc.id);
            }
        }
        yq(out, &tmp);
        if sev <= 1 {
            out.push_str("\n    whys:\n      - ");
            tmp.clear();
            expand(&mut tmp, "Why did {svc} {base}? {Cause}.", &c, r);
            yq(out, &tmp);
            let mut deck = Deck::new(WHY_STEPS.len());
            let mut steps: Vec<usize> = (0..2 + r.below(3)).filter_map(|_| deck.draw(r)).collect();
            steps.sort_unstable();
            for w in steps {
                out.push_str("\n      - ");
                yq_tpl(out, &mut tmp, WHY_STEPS[w], &c, r);
            }
        }
    }
    c.cause = FACTORS[factors[0].idx].2;

    // Actions.
    let na = 1 + r
        .weighted(
            &[[0, 10, 25, 30, 20, 15], [10, 25, 30, 20, 10, 5], [30, 35, 20, 10, 4, 1], [50, 35, 12, 3, 0, 0]][sev],
        )
        .min(nf + 2);
    let old = end - m.day > 180;
    out.push_str("\nactions:");
    let mut actions: Vec<(String, usize, &str)> = Vec::with_capacity(na);
    for a in 0..na {
        let fi = if a < factors.len() { a } else { r.below(factors.len()) };
        let (_, cat, phrase) = FACTORS[factors[fi].idx];
        c.cause = phrase;
        let owner = match cat {
            PEOPLE_C | COMMS if r.chance(50) => 4,
            _ => SERVICES[m.services[r.below(m.services.len())]].team,
        };
        let action_status = ["open", "in-progress", "done", "wont-do"]
            [if old { r.weighted(&[10, 12, 66, 12]) } else { r.weighted(&[40, 30, 25, 5]) }];
        let _ = write!(out, "\n  - id: \"A{}\"\n    title: ", a + 1);
        tmp.clear();
        if a < factors.len() && r.chance(80) {
            expand(&mut tmp, pool.remedy[factors[fi].idx], &c, r);
        }
        for _ in 0..4 {
            if !tmp.is_empty() && !actions.iter().any(|x| x.0 == tmp) {
                break;
            }
            tmp.clear();
            expand(&mut tmp, r.pick(ACTION_TITLES[cat as usize]), &c, r);
        }
        yq(out, &tmp);
        actions.push((tmp.clone(), owner, action_status));
        out.push_str("\n    owner: ");
        yq(out, TEAMS[owner]);
        out.push_str("\n    status: ");
        yq(out, action_status);
        if r.chance(90) {
            out.push_str("\n    priority: ");
            let p = r.weighted(&[[70, 25, 5], [45, 40, 15], [20, 50, 30], [5, 45, 50]][sev]);
            yq(out, ["high", "medium", "low"][p]);
        }
        out.push_str("\n    due: ");
        w_date(out, m.day + r.range(7, 120));
        if r.chance(40) {
            let _ = write!(out, "\n    link: \"https://tracker.example/{}-{}\"", TEAM_KEYS[owner], r.range(100, 9999));
        }
        out.push_str("\n    addresses: [");
        yq(out, &factors[fi].spelling);
        if factors.len() > 1 && r.chance(25) {
            let extra = (fi + 1 + r.below(factors.len() - 1)) % factors.len();
            out.push_str(", ");
            yq(out, &factors[extra].spelling);
        }
        out.push_str("]\n    why: ");
        yq_tpl(out, &mut tmp, r.pick(&ACTION_WHYS), &c, r);
    }
    c.cause = FACTORS[factors[0].idx].2;

    // Monitoring.
    let series = r.chance(12);
    let gap = r.chance(35);
    if series || gap {
        out.push_str("\nmonitoring:");
    }
    if series {
        let file_stem = format!("{}-{}", m.id, {
            let mut s = String::new();
            slugify(&mut s, symptom.signal, 40);
            s
        });
        let with_baseline = r.chance(50);
        tmp.clear();
        let _ = write!(tmp, "{} {}", svc.id, symptom.signal);
        out.push_str("\n  - metric: ");
        yq(out, &tmp);
        out.push_str("\n    unit: ");
        yq(out, symptom.unit);
        let data = format!("{file_stem}.csv");
        out.push_str("\n    data: ");
        yq(out, &data);
        let baseline = format!("{file_stem}-baseline.csv");
        if with_baseline {
            out.push_str("\n    baseline: ");
            yq(out, &baseline);
        }
        let (a, b) = make_csv(r, start, mitigated, resolved, symptom.unit);
        csvs.push((data, a));
        if with_baseline {
            csvs.push((baseline, b));
        }
    }
    if gap {
        out.push_str("\n  - gap: ");
        yq_tpl(out, &mut tmp, r.pick(&GAPS), &c, r);
    }
    out.push_str("\n---\n");

    // ---- body ----
    if external {
        out.push_str("\n## Stakeholder message\n\n");
        tmp.clear();
        w_datetime(&mut tmp, start);
        let _ = write!(out, "Between {tmp} and ");
        tmp.clear();
        w_datetime(&mut tmp, mitigated);
        let _ = write!(out, "{tmp} UTC, ");
        expand(
            out,
            r.pick(&[
                "some customers could not complete the {journey}.",
                "customers using {svc} saw errors and slow responses.",
                "a share of requests to {svc} failed, mostly in {region}.",
            ]),
            &c,
            r,
        );
        out.push(' ');
        out.push_str(if data_loss {
            "A small number of records written during that window were lost and could not be restored; affected customers have been contacted directly."
        } else {
            "No data was lost."
        });
        out.push(' ');
        expand(
            out,
            r.pick(&[
                "The cause was {cause}. We have put safeguards in place and are working on further fixes.",
                "We identified the cause and have changed how we roll out changes to {svc}.",
                "We are sorry for the disruption and are improving how quickly we detect this kind of problem.",
            ]),
            &c,
            r,
        );
        out.push('\n');
    }

    out.push_str("\n## Narrative\n\n");
    // How much the authors wrote: 0 (terse) to 3 (thorough).
    let verbose = r.weighted(&[[5, 25, 40, 30], [15, 35, 35, 15], [35, 40, 20, 5], [55, 35, 10, 0]][sev]) as i64;
    let per_para = [(3, 5), (3, 5), (2, 4), (1, 3)][sev];
    let footnote = r.chance(8);
    let paras: [&[&str]; 3] = [&OPENING, &RESPONSE, &RECOVERY];
    let npara = if sev <= 1 || r.chance(50) { 3 } else { 2 };
    for (p, pool_p) in paras.iter().enumerate() {
        if npara == 2 && p == 1 {
            continue;
        }
        if p == 0 {
            expand(out, r.pick(&LEADS), &c, r);
            out.push(' ');
        }
        let mut deck = Deck::new(pool_p.len());
        let k = r.range(per_para.0, per_para.1) + verbose;
        let mut picked: Vec<usize> = (0..k).filter_map(|_| deck.draw(r)).collect();
        if p > 0 {
            picked.sort_unstable();
        }
        for (s, &i) in picked.iter().enumerate() {
            if s > 0 {
                out.push(' ');
            }
            expand(out, pool_p[i], &c, r);
        }
        if footnote && p == 0 {
            out.push_str("[^1]");
        }
        out.push_str("\n\n");
    }
    if footnote {
        out.push_str(
            "[^1]: Times are taken from the load balancer logs, which are the most precise source we have.\n\n",
        );
    }

    // Timeline.
    out.push_str("## Timeline\n\n");
    if r.chance(40) {
        out.push_str("All times are UTC.\n\n");
    }
    let n_entries = r.range(10, 20) as usize;
    let n_other = (n_entries - 4).min((ttr - 3) as usize);
    let mut times: Vec<i64> = Vec::with_capacity(n_other);
    let span = ttr - 1; // candidate offsets 1..ttr-1, excluding ttd and ttm
    if span <= 64 {
        let mut cand: Vec<i64> = (1..ttr).filter(|&o| o != ttd && o != ttm).collect();
        for i in 0..n_other.min(cand.len()) {
            let j = i + r.below(cand.len() - i);
            cand.swap(i, j);
        }
        cand.truncate(n_other);
        times = cand;
    } else {
        while times.len() < n_other {
            // Bias entries towards the first hours, where most of the activity is.
            let o = if r.chance(70) {
                1 + r.below(span.min(ttm + 90) as usize) as i64
            } else {
                1 + r.below(span as usize) as i64
            };
            if o != ttd && o != ttm && !times.contains(&o) {
                times.push(o);
            }
        }
    }
    times.sort_unstable();
    let mut entries: Vec<Entry> = Vec::with_capacity(n_other + 4);
    let moment_kind =
        |k: &'static str, which: usize| -> &'static str { if omit == which && omit_kind_too { "" } else { k } };
    entries.push(Entry { t: start, kind: "started", text: r.pick(&TL_STARTED) });
    entries.push(Entry { t: detected, kind: moment_kind("detected", 1), text: r.pick(&TL_DETECTED) });
    entries.push(Entry { t: mitigated, kind: moment_kind("mitigated", 2), text: r.pick(&TL_MITIGATED) });
    // Texts per phase: draw distinct templates, keep them in pool order, pad with fillers.
    let pools: [&[&'static str]; 3] = [&TL_BEFORE, &TL_DURING, &TL_AFTER];
    let mut first = 0;
    let mut handoff = ttm - ttd > 240;
    for (phase, pool_t) in pools.iter().enumerate() {
        let bound = [ttd, ttm, ttr][phase];
        let count = times[first..].iter().take_while(|&&o| o < bound).count();
        let mut deck = Deck::new(pool_t.len());
        let mut picked: Vec<usize> = Vec::with_capacity(count);
        for _ in 0..count.min(pool_t.len()) {
            match deck.draw(r) {
                // Keep `miscommunication` rare.
                Some(MISCOMMUNICATION) if phase == 1 && r.chance(70) => {}
                Some(i) => picked.push(i),
                None => break,
            }
        }
        picked.sort_unstable();
        let mut texts: Vec<&'static str> = picked.iter().map(|&i| pool_t[i]).collect();
        while texts.len() < count {
            let at = if texts.len() < 2 { texts.len() } else { 1 + r.below(texts.len() - 1) };
            texts.insert(at, r.pick(&TL_FILLER));
        }
        for (j, (&o, text)) in times[first..first + count].iter().zip(texts).enumerate() {
            let text = if phase == 1 && handoff && o > ttd + 180 && j + 1 < count && j > 0 {
                handoff = false;
                TL_HANDOFF
            } else {
                text
            };
            let (kind, text) = split_kind(text);
            entries.push(Entry { t: start + o, kind, text });
        }
        first += count;
    }
    entries.push(Entry { t: resolved, kind: "resolved", text: r.pick(&TL_RESOLVED) });
    entries.sort_by_key(|e| e.t);
    let mut cur_day = m.day;
    for e in &entries {
        out.push_str("- ");
        let d = e.t.div_euclid(DAY);
        if d != cur_day {
            w_date(out, d);
            out.push(' ');
            cur_day = d;
        }
        w_hm(out, e.t);
        out.push(' ');
        if !e.kind.is_empty() {
            let _ = write!(out, "[{}] ", e.kind);
        }
        expand(out, e.text, &c, r);
        if e.kind == "detected" && r.chance(30) {
            out.push_str(" (role: incident commander)");
        }
        out.push('\n');
    }

    // Monitoring.
    out.push_str("\n## Monitoring\n\n");
    let mut deck = Deck::new(MONITORING.len());
    for s in 0..r.range(2, 2 + verbose * 2).min(MONITORING.len() as i64) {
        if s > 0 {
            out.push(' ');
        }
        expand(out, MONITORING[deck.draw(r).expect("monitoring")], &c, r);
    }
    if series {
        out.push_str(" The chart shows the ");
        out.push_str(symptom.signal);
        out.push_str(" over the incident window.");
    }
    out.push('\n');

    // Contributing factors.
    out.push_str("\n## Contributing factors\n\n");
    if factors.len() > 1 && r.chance(30) {
        out.push_str("| Factor | Category | Summary |\n|---|---|---|\n");
        for f in &factors {
            let (_, cat, phrase) = FACTORS[f.idx];
            let _ = write!(out, "| `{}` | {} | ", f.spelling, CATEGORIES[cat as usize]);
            push_cap(out, phrase);
            out.push_str(" |\n");
        }
        out.push('\n');
    }
    let mut deck = Deck::new(FACTOR_NOTES.len());
    for f in &factors {
        let (_, cat, phrase) = FACTORS[f.idx];
        let _ = write!(out, "**{}** ({}). ", f.spelling, CATEGORIES[cat as usize]);
        push_cap(out, phrase);
        out.push_str(". ");
        expand(out, FACTOR_NOTES[deck.draw(r).expect("note")], &c, r);
        if verbose >= 2 {
            out.push(' ');
            expand(out, FACTOR_NOTES[deck.draw(r).expect("note")], &c, r);
        }
        out.push_str("\n\n");
    }

    // Technical analysis.
    out.push_str("## Technical analysis\n\n");
    let mut deck = Deck::new(ANALYSIS.len());
    for s in 0..r.range(2, 3 + verbose).min(ANALYSIS.len() as i64) {
        if s > 0 {
            out.push(' ');
        }
        expand(out, ANALYSIS[deck.draw(r).expect("analysis")], &c, r);
    }
    out.push_str("\n\n");
    let shown = code_block(out, r, &c, usize::MAX);
    if verbose >= 2 {
        out.push_str("\nRelated output and configuration:\n\n");
        code_block(out, r, &c, shown);
    }
    if sev <= 1 || r.chance(30) {
        out.push('\n');
        expand(out, r.pick(&ANALYSIS_AFTER), &c, r);
        out.push('\n');
    }

    // Follow-up actions.
    out.push_str("\n## Follow-up actions\n\n");
    out.push_str(r.pick(&[
        "The actions below are tracked in the front matter of this retro and on the actions board.",
        "We chose actions that address detection first and prevention second.",
        "Each action names the factor it addresses; owners review progress weekly.",
    ]));
    out.push_str("\n\n");
    for (i, (title, owner, st)) in actions.iter().enumerate() {
        let mark = if *st == "done" { 'x' } else { ' ' };
        let _ = write!(out, "- [{mark}] A{}: {title} ({}", i + 1, TEAMS[*owner]);
        if *st == "wont-do" {
            out.push_str(", won't do");
        }
        out.push_str(")\n");
    }

    if r.chance(20 + 20 * verbose as u32) {
        out.push_str("\n## What went well\n\n");
        let mut deck = Deck::new(WENT_WELL.len());
        for _ in 0..2 + r.below(2) {
            out.push_str("- ");
            expand(out, WENT_WELL[deck.draw(r).expect("well")], &c, r);
            out.push('\n');
        }
    }
    if r.chance(20 + 20 * verbose as u32) {
        out.push_str("\n## Lessons learned\n\n");
        let mut deck = Deck::new(LESSONS.len());
        for _ in 0..2 + r.below(2) {
            out.push_str("- ");
            out.push_str(LESSONS[deck.draw(r).expect("lesson")]);
            out.push('\n');
        }
    }

    Stats { entries: entries.len() }
}

/// Writes one of five fenced blocks (not `avoid`) and returns which.
fn code_block(out: &mut String, r: &mut Rng, c: &Ctx, avoid: usize) -> usize {
    let svc = c.svc.id;
    let mut variant = r.below(5);
    if variant == avoid {
        variant = (variant + 1 + r.below(4)) % 5;
    }
    match variant {
        0 => {
            let _ = writeln!(out, "```console\n$ kubectl -n {svc} get pods -l app={svc}");
            out.push_str("NAME                              READY   STATUS             RESTARTS   AGE\n");
            for _ in 0..r.range(3, 7) {
                let hash = r.next_u64();
                let (status, ready) = if r.chance(60) { ("CrashLoopBackOff", "0/1") } else { ("Running", "1/1") };
                let name = format!("{svc}-{:06x}-{:05x}", hash & 0xff_ffff, (hash >> 24) & 0xf_ffff);
                let _ = writeln!(out, "{name:<33} {ready:<7} {status:<18} {:<10} {}m", r.range(0, 40), r.range(5, 90));
            }
            out.push_str("```\n");
        }
        1 => {
            let _ = writeln!(out, "```console\n$ journalctl -u {svc} --since \"{}\" | grep -c ERROR", {
                let mut s = String::new();
                w_datetime(&mut s, c.start);
                s
            });
            let _ = writeln!(out, "{}", r.range(1_000, 90_000));
            let _ = writeln!(out, "$ journalctl -u {svc} -p err -n 4 --no-pager");
            for i in 0..4 {
                let mut ts = String::new();
                w_rfc3339(&mut ts, c.start + c.ttd + i);
                let msg = r.pick(&[
                    "pool: timed out acquiring connection after 2000ms",
                    "upstream request failed: context deadline exceeded",
                    "retrying request (attempt 3/3)",
                    "health check failed: dependency unavailable",
                ]);
                let _ = writeln!(out, "{ts} {svc}[{}]: ERROR {msg}", r.range(1000, 65000));
            }
            out.push_str("```\n");
        }
        2 => {
            let _ = writeln!(
                out,
                "```yaml\n# {svc}/deploy/values.yaml after the fix\n{svc}:\n  replicas: {}\n  database:\n    pool-size: {}   # was {}\n    acquire-timeout: 2s\n  retry:\n    max-attempts: 3\n    backoff: exponential\n    jitter: true\n```",
                r.range(3, 24),
                r.range(40, 120),
                r.range(10, 30)
            );
        }
        3 => {
            let name: String = c
                .svc
                .name
                .split(' ')
                .map(|w| {
                    let mut s = String::new();
                    push_cap(&mut s, w);
                    s
                })
                .collect();
            let _ = writeln!(
                out,
                "```yaml\n# New alert, added during the review\n- alert: {name}HighErrorRate\n  expr: |\n    sum(rate(http_requests_total{{service=\"{svc}\",code=~\"5..\"}}[5m]))\n      / sum(rate(http_requests_total{{service=\"{svc}\"}}[5m])) > 0.0{}\n  for: {}m\n  labels:\n    severity: page\n    team: {}\n```",
                r.range(1, 5),
                r.range(2, 10),
                c.team
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "```console\n$ curl -s -o /dev/null -w '%{{http_code}} %{{time_total}}\\n' https://{svc}.internal.example/healthz"
            );
            for _ in 0..r.range(3, 5) {
                let code = r.pick(&[503, 503, 502, 200, 504]);
                let _ = writeln!(out, "{code} {}.{:03}", r.range(0, 29), r.range(0, 999));
            }
            out.push_str("```\n");
        }
    }
    variant
}

/// A series and its baseline around the incident: one point every few minutes.
fn make_csv(r: &mut Rng, start: i64, mitigated: i64, resolved: i64, unit: &str) -> (String, String) {
    let from = start - 60;
    let to = resolved + 60;
    let step = ((to - from) / 120).max(1);
    let base = match unit {
        "ms" => 120.0,
        "%" => 0.5,
        "s" => 1.0,
        "messages" => 200.0,
        "GiB" => 3.0,
        _ => 5.0,
    };
    let peak = base * (5.0 + r.unit() * 20.0);
    let mut data = String::from("time,value\n");
    let mut baseline = String::from("time,value\n");
    let mut t = from;
    while t <= to {
        let noise = 1.0 + (r.unit() - 0.5) * 0.2;
        let v = if t < start {
            base
        } else if t < mitigated {
            base + (peak - base) * ((t - start) as f64 / 10.0).min(1.0)
        } else {
            base + (peak - base) * (-((t - mitigated) as f64) / 15.0).exp()
        };
        w_rfc3339(&mut data, t);
        let _ = writeln!(data, ",{:.2}", v * noise);
        w_rfc3339(&mut baseline, t);
        let _ = writeln!(baseline, ",{:.2}", base * (1.0 + (r.unit() - 0.5) * 0.1));
        t += step;
    }
    (data, baseline)
}

// ---------------------------------------------------------------------------------------------
// book.toml
// ---------------------------------------------------------------------------------------------

fn book_toml() -> String {
    let mut s = String::new();
    s.push_str(
        "[book]\ntitle = \"Synthetic incident retrospectives\"\ndescription = \"A generated book for testing and benchmarking retrobook\"\nlanguage = \"en\"\n\n[retros]\ndir = \"retros\"\nseverities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\ntimezone = \"UTC\"\nfactor-categories = [",
    );
    for (i, c) in CATEGORIES.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "\"{c}\"");
    }
    s.push_str("]\n");
    for (id, title, aliases) in TAXONOMY {
        let cat = FACTORS.iter().find(|f| f.0 == id).expect("taxonomy factor").1;
        let _ = write!(
            s,
            "\n[factors.{id}]\ntitle = \"{title}\"\ncategory = \"{}\"\naliases = [",
            CATEGORIES[cat as usize]
        );
        for (i, a) in aliases.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "\"{a}\"");
        }
        s.push_str("]\n");
    }
    s.push_str("\n[lint]\nblameless = \"warn\"\n");
    s
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

struct Args {
    retros: usize,
    out: PathBuf,
    seed: u64,
    commits: usize,
    force: bool,
}

const USAGE: &str = "usage: synth --retros N --out DIR [--seed N] [--commits N] [--force]

  --retros N    number of retros to write (default 1000)
  --out DIR     the book to write (book.toml and retros/)
  --seed N      PRNG seed; the output depends only on it and --retros (default 1)
  --commits N   also make DIR a git repository with N commits of history (default 0: no git)
  --force       replace an existing book.toml, retros/ and .git in DIR";

fn parse_args() -> Result<Args, String> {
    let mut args = Args { retros: 1000, out: PathBuf::new(), seed: 1, commits: 0, force: false };
    let mut it = env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        let num = |name: &str, v: String| v.parse::<u64>().map_err(|_| format!("{name}: not a number: {v}"));
        match a.as_str() {
            "--retros" => args.retros = num("--retros", value("--retros")?)? as usize,
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--seed" => args.seed = num("--seed", value("--seed")?)?,
            "--commits" => args.commits = num("--commits", value("--commits")?)? as usize,
            "--force" => args.force = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    if args.retros == 0 {
        return Err("--retros must be at least 1".into());
    }
    Ok(args)
}

fn prepare(out: &Path, force: bool, git: bool) -> Result<(), String> {
    let existing =
        ["book.toml", "retros", ".git"].iter().map(|n| out.join(n)).filter(|p| p.exists()).collect::<Vec<_>>();
    if !existing.is_empty() && !force {
        return Err(format!("{} already exists; pass --force to replace it", existing[0].display()));
    }
    for p in existing {
        let res = if p.is_dir() { fs::remove_dir_all(&p) } else { fs::remove_file(&p) };
        res.map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
    }
    fs::create_dir_all(out.join("retros")).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    if git {
        git_run(out, &["init", "-q", "-b", "main"], None)?;
    }
    Ok(())
}

fn git_run(dir: &Path, args: &[&str], who: Option<(&str, i64)>) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(["-c", "commit.gpgsign=false"]).args(args);
    if let Some((name, minutes)) = who {
        let mut email = String::new();
        slugify(&mut email, name, 40);
        email.push_str("@example.com");
        let date = format!("{} +0000", minutes * 60);
        for (k, v) in [
            ("GIT_AUTHOR_NAME", name),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_AUTHOR_EMAIL", email.as_str()),
            ("GIT_COMMITTER_EMAIL", email.as_str()),
            ("GIT_AUTHOR_DATE", date.as_str()),
            ("GIT_COMMITTER_DATE", date.as_str()),
        ] {
            cmd.env(k, v);
        }
    }
    let status = cmd.status().map_err(|e| format!("cannot run git: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("git {} failed: {status}", args.join(" "))) }
}

struct Writer<'a> {
    root: &'a Path,
    metas: &'a [Meta],
    pool: &'a FactorPool,
    buf: String,
    csvs: Vec<(String, String)>,
    /// bytes of Markdown (retros) and of everything else (book.toml, CSV series)
    md_bytes: u64,
    other_bytes: u64,
    files: usize,
    min_size: usize,
    max_size: usize,
    min_entries: usize,
    max_entries: usize,
}

impl<'a> Writer<'a> {
    fn new(root: &'a Path, metas: &'a [Meta], pool: &'a FactorPool) -> Self {
        Writer {
            root,
            metas,
            pool,
            buf: String::with_capacity(16 * 1024),
            csvs: Vec::new(),
            md_bytes: 0,
            other_bytes: 0,
            files: 0,
            min_size: usize::MAX,
            max_size: 0,
            min_entries: usize::MAX,
            max_entries: 0,
        }
    }

    fn merge(&mut self, o: &Writer) {
        self.md_bytes += o.md_bytes;
        self.other_bytes += o.other_bytes;
        self.files += o.files;
        self.min_size = self.min_size.min(o.min_size);
        self.max_size = self.max_size.max(o.max_size);
        self.min_entries = self.min_entries.min(o.min_entries);
        self.max_entries = self.max_entries.max(o.max_entries);
    }

    fn retro_path(&self, i: usize) -> PathBuf {
        let m = &self.metas[i];
        let (y, _, _) = civil_from_days(m.day);
        self.root.join("retros").join(y.to_string()).join(format!("{}.md", m.id))
    }

    /// Writes retro `i`; a draft is the same retro, unreviewed, without its later sections.
    fn write(&mut self, i: usize, draft: bool) -> Result<(), String> {
        let st = render(&mut self.buf, &mut self.csvs, &self.metas[i], self.metas, self.pool);
        let path = self.retro_path(i);
        let dir = path.parent().expect("year folder");
        if draft {
            if let Some(cut) = self.buf.find("\n## Technical analysis") {
                self.buf.truncate(cut + 1);
            }
            for s in ["\"published\"", "\"in-review\""] {
                if let Some(p) = self.buf.find(&format!("\nstatus: {s}")) {
                    self.buf.replace_range(p + 9..p + 9 + s.len(), "\"draft\"");
                }
            }
        } else {
            self.md_bytes += self.buf.len() as u64;
            self.files += 1;
            self.min_size = self.min_size.min(self.buf.len());
            self.max_size = self.max_size.max(self.buf.len());
            self.min_entries = self.min_entries.min(st.entries);
            self.max_entries = self.max_entries.max(st.entries);
        }
        fs::write(&path, self.buf.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        for (name, content) in &self.csvs {
            let p = dir.join(name);
            fs::write(&p, content).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
            if !draft {
                self.other_bytes += content.len() as u64;
                self.files += 1;
            }
        }
        Ok(())
    }
}

fn run(args: &Args) -> Result<String, String> {
    let t0 = Instant::now();
    prepare(&args.out, args.force, args.commits > 0)?;
    let metas = make_metas(args.retros, args.seed);
    let toml = book_toml();
    fs::write(args.out.join("book.toml"), &toml).map_err(|e| format!("cannot write book.toml: {e}"))?;
    let pool = FactorPool::new();
    let mut w = Writer::new(&args.out, &metas, &pool);
    w.other_bytes = toml.len() as u64;
    w.files = 1;
    let n = metas.len();
    let (first_year, _, _) = civil_from_days(metas[0].day);
    let (last_year, _, _) = civil_from_days(metas[n - 1].day);
    for y in first_year..=last_year {
        let dir = args.out.join("retros").join(y.to_string());
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }

    if args.commits == 0 {
        // Every retro renders from its own seed, so threads do not change the output.
        let threads = env::var("SYNTH_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |t| t.get().min(4)))
            .max(1);
        let results: Vec<Result<Writer, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (root, metas, pool) = (&args.out, &metas, &pool);
                    scope.spawn(move || {
                        let mut tw = Writer::new(root, metas, pool);
                        // Contiguous ranges: threads mostly fill different year folders.
                        for i in t * n / threads..(t + 1) * n / threads {
                            tw.write(i, false)?;
                        }
                        Ok(tw)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("writer thread panicked")).collect()
        });
        for r in results {
            w.merge(&r?);
        }
    } else {
        // History: N chronological batches; about a quarter of each batch lands first as a
        // draft and is completed in the next commit, by someone else.
        let commits = args.commits.min(n);
        let mut rng = Rng::new(args.seed ^ 0x6177_1700);
        let mut pending: Vec<usize> = Vec::new();
        let mut last_time = 0;
        for k in 0..commits {
            let (lo, hi) = (k * n / commits, (k + 1) * n / commits);
            for &i in &pending {
                w.write(i, false)?;
            }
            let finished = pending.len();
            pending.clear();
            for i in lo..hi {
                let draft = k + 1 < commits && rng.chance(25);
                w.write(i, draft)?;
                if draft {
                    pending.push(i);
                }
            }
            let when = (metas[hi - 1].day + rng.range(1, 5)) * DAY + rng.range(8 * 60, 19 * 60);
            let when = when.max(last_time + 7);
            last_time = when;
            let mut msg = String::new();
            let _ = write!(msg, "Add {} retros (", hi - lo);
            w_date(&mut msg, metas[lo].day);
            msg.push_str(" to ");
            w_date(&mut msg, metas[hi - 1].day);
            msg.push(')');
            if finished > 0 {
                let _ = write!(msg, "; complete {finished} drafts");
            }
            git_run(&args.out, &["add", "-A"], None)?;
            git_run(&args.out, &["commit", "-q", "-m", &msg], Some((rng.pick(&PEOPLE), when)))?;
        }
    }

    let secs = t0.elapsed().as_secs_f64();
    Ok(format!(
        "synth: {n} retros ({} B of Markdown, avg {} B, min {} B, max {} B; {} B total in {} files), \
         timeline entries {}..{}, seed {}, {} commits, {:.3} s -> {}",
        w.md_bytes,
        w.md_bytes / n as u64,
        w.min_size,
        w.max_size,
        w.md_bytes + w.other_bytes,
        w.files,
        w.min_entries,
        w.max_entries,
        args.seed,
        args.commits.min(n),
        secs,
        args.out.display()
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("synth: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("synth: {e}");
            ExitCode::FAILURE
        }
    }
}

//! The HTTP client of the tracker commands: one `ureq` agent with a timeout per request,
//! retries that honour `Retry-After` and GitHub's `x-ratelimit-*` headers, and errors that say
//! what went wrong with which link.

use crate::config::TrackerConfig;
use anyhow::{Context, anyhow, bail};
use serde_json::Value;
use std::time::Duration;

/// How the client behaves; the defaults suit the public services.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The longest one request may take, answer included.
    pub timeout: Duration,
    /// Tries per request (the first one included) on 429, rate-limited 403 and 502/503/504.
    pub attempts: u32,
    /// The longest a retry waits; a longer `Retry-After` or rate-limit reset is an error.
    pub max_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { timeout: Duration::from_secs(10), attempts: 3, max_wait: Duration::from_secs(60) }
    }
}

/// A blocking client, shared by the worker threads.
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
}

/// The parts of a request that differ between trackers.
pub struct Request<'a> {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The whole URL, query included.
    pub url: String,
    /// Extra headers (authentication, API version).
    pub headers: Vec<(&'static str, String)>,
    /// A JSON body to send, for `POST`.
    pub body: Option<&'a Value>,
    /// Name of the token variable, for the message of a 401 or 403.
    pub token_env: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A `GET` of `url` with `headers`, naming `t`'s token variable in authentication errors.
    pub fn get(url: String, headers: Vec<(&'static str, String)>, t: Option<&'a TrackerConfig>) -> Self {
        Request { method: "GET", url, headers, body: None, token_env: t.and_then(|t| t.token_env.as_deref()) }
    }

    /// A `POST` of `body` as JSON to `url`.
    pub fn post(url: String, headers: Vec<(&'static str, String)>, body: &'a Value, t: &'a TrackerConfig) -> Self {
        Request { method: "POST", url, headers, body: Some(body), token_env: t.token_env.as_deref() }
    }
}

/// Appends `&labels=a,b` to a listing URL when the tracker has labels.
pub fn with_labels(mut url: String, labels: &[String]) -> String {
    if !labels.is_empty() {
        url.push_str("&labels=");
        url.extend(url::form_urlencoded::byte_serialize(labels.join(",").as_bytes()));
    }
    url
}

impl Client {
    /// A client with the timeout and retry limits of `settings`.
    pub fn new(settings: Settings) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("retrobook/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, settings }
    }

    /// Sends the request, retrying when the service asks to wait, and reads a JSON answer.
    pub fn json(&self, req: &Request) -> anyhow::Result<Value> {
        self.json_with_next(req).map(|(v, _)| v)
    }

    /// A GET of a list, following the `Link: <…>; rel="next"` headers GitHub and GitLab send,
    /// up to `max_pages`; the items of every page, in order.
    pub fn json_pages(&self, req: &Request, max_pages: usize) -> anyhow::Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut url = Some(req.url.clone());
        for _ in 0..max_pages {
            let Some(u) = url.take() else { break };
            let page =
                Request { method: "GET", url: u, headers: req.headers.clone(), body: None, token_env: req.token_env };
            let (v, next) = self.json_with_next(&page)?;
            match v {
                Value::Array(list) => items.extend(list),
                _ => anyhow::bail!("{} did not answer with a list", page.url),
            }
            url = next;
        }
        Ok(items)
    }

    fn json_with_next(&self, req: &Request) -> anyhow::Result<(Value, Option<String>)> {
        let mut attempt = 1;
        loop {
            let mut res = self.send(req)?;
            let status = res.status().as_u16();
            if (200..300).contains(&status) {
                let next = res.headers().get("link").and_then(|v| v.to_str().ok()).and_then(next_link);
                let text = res
                    .body_mut()
                    .with_config()
                    .limit(8 * 1024 * 1024)
                    .read_to_string()
                    .with_context(|| format!("reading the answer of {}", req.url))?;
                let v = serde_json::from_str(&text)
                    .with_context(|| format!("the answer of {} is not the JSON the API documents", req.url))?;
                return Ok((v, next));
            }
            let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            if let Some(wait) = retry_wait(status, &header, jiff::Timestamp::now()) {
                if attempt >= self.settings.attempts {
                    bail!("{status}: still rate-limited after {attempt} tries; run the sync again later");
                }
                if wait > self.settings.max_wait {
                    bail!(
                        "{status}: rate-limited; the service asks to wait {} s, more than the {} s retrobook waits — \
                         run the sync again later",
                        wait.as_secs(),
                        self.settings.max_wait.as_secs()
                    );
                }
                std::thread::sleep(wait);
                attempt += 1;
                continue;
            }
            return Err(status_error(status, req.token_env));
        }
    }

    fn send(&self, req: &Request) -> anyhow::Result<ureq::http::Response<ureq::Body>> {
        let result = match req.method {
            "POST" => {
                let mut r = self.agent.post(&req.url);
                for (k, v) in &req.headers {
                    r = r.header(*k, v);
                }
                let body = req.body.map(Value::to_string).unwrap_or_default();
                r.header("Content-Type", "application/json").send(body)
            }
            _ => {
                let mut r = self.agent.get(&req.url);
                for (k, v) in &req.headers {
                    r = r.header(*k, v);
                }
                r.call()
            }
        };
        result.map_err(|e| match e {
            ureq::Error::Timeout(_) => {
                anyhow!("no answer within {} s (timed out)", self.settings.timeout.as_secs_f32())
            }
            e => anyhow!("cannot reach {}: {e}", req.url),
        })
    }
}

/// The `rel="next"` address of a `Link` header (RFC 8288), as GitHub and GitLab paginate.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        is_next.then(|| url.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// How long to wait before trying again, when the answer asks for it: `Retry-After` (seconds or
/// an HTTP date) on any 429 or 403, GitHub's `x-ratelimit-reset` when `x-ratelimit-remaining`
/// is 0, a short pause on 502, 503 and 504 (gateways that recover).
pub fn retry_wait(status: u16, header: &dyn Fn(&str) -> Option<String>, now: jiff::Timestamp) -> Option<Duration> {
    if matches!(status, 403 | 429 | 503)
        && let Some(after) = header("retry-after")
    {
        let after = after.trim();
        if let Ok(secs) = after.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        if let Ok(t) = jiff::fmt::rfc2822::parse(after) {
            let secs = (t.timestamp().as_second() - now.as_second()).max(0);
            return Some(Duration::from_secs(secs as u64));
        }
    }
    if matches!(status, 403 | 429) && header("x-ratelimit-remaining").as_deref() == Some("0") {
        let reset = header("x-ratelimit-reset").and_then(|r| r.trim().parse::<i64>().ok())?;
        return Some(Duration::from_secs((reset - now.as_second()).max(0) as u64 + 1));
    }
    match status {
        429 => Some(Duration::from_secs(1)),
        502..=504 => Some(Duration::from_millis(500)),
        _ => None,
    }
}

/// What a failed answer means for the user.
fn status_error(status: u16, token_env: Option<&str>) -> anyhow::Error {
    let token = token_env.map_or("no token is configured (`token-env` in [trackers.*])".to_string(), |v| {
        if std::env::var(v).is_ok_and(|t| !t.is_empty()) {
            format!("the token in ${v} was used")
        } else {
            format!("${v} is not set, so no token was sent")
        }
    });
    match status {
        401 => anyhow!("401 Unauthorized: the tracker refused the credentials; {token}"),
        403 => anyhow!("403 Forbidden: the token may not read this item; {token}"),
        404 => anyhow!(
            "404 Not Found: the item does not exist or was deleted — or it is private and the token cannot see it ({token})"
        ),
        410 => anyhow!("410 Gone: the item was deleted"),
        s => anyhow!("the tracker answered {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| list.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn next_page_from_the_link_header() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(next_link(h).as_deref(), Some("https://api.github.com/repositories/1/issues?page=2"));
        assert_eq!(next_link(r#"<https://x/issues?page=1>; rel="prev", <https://x/issues?page=1>; rel="first""#), None);
    }

    #[test]
    fn waits_follow_the_answer() {
        let now: jiff::Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
        let w = |status, h: &dyn Fn(&str) -> Option<String>| retry_wait(status, h, now);
        assert_eq!(w(429, &headers(&[("retry-after", "7")])), Some(Duration::from_secs(7)));
        assert_eq!(
            w(403, &headers(&[("retry-after", "Sun, 01 Mar 2026 10:00:30 GMT")])),
            Some(Duration::from_secs(30))
        );
        let reset = &headers(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1772359220")]);
        assert_eq!(w(403, reset), Some(Duration::from_secs(21)));
        // A 403 that is not a rate limit is a permission problem: no retry.
        assert_eq!(w(403, &headers(&[("x-ratelimit-remaining", "4999")])), None);
        assert_eq!(w(404, &headers(&[])), None);
        assert_eq!(w(503, &headers(&[])), Some(Duration::from_millis(500)));
    }
}

//! Jira REST v2: `GET /rest/api/2/issue/{key}?fields=status,resolutiondate,assignee` (done when
//! the status category is `done`) and `POST /rest/api/2/issue`.

use super::http::{Client, Request};
use super::{Fetched, auth_token};
use crate::config::TrackerConfig;
use crate::tracking::store::State;
use anyhow::{Context, anyhow};
use base64::Engine as _;
use serde_json::{Value, json};

/// Basic auth (user and API token, Jira Cloud) when `user-env` is set, else a bearer personal
/// access token (Jira Data Center).
fn headers(t: Option<&TrackerConfig>) -> Vec<(&'static str, String)> {
    let token = auth_token(t.and_then(|t| t.token_env.as_deref()));
    let user = auth_token(t.and_then(|t| t.user_env.as_deref()));
    let auth = match (user, token) {
        (Some(u), Some(tok)) => {
            Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{u}:{tok}"))))
        }
        (None, Some(tok)) => Some(format!("Bearer {tok}")),
        _ => None,
    };
    let mut h = vec![("Accept", "application/json".to_string())];
    h.extend(auth.map(|a| ("Authorization", a)));
    h
}

/// The state of issue `key`.
pub fn fetch(client: &Client, api: &str, t: Option<&TrackerConfig>, key: &str) -> anyhow::Result<Fetched> {
    let v = client.json(&Request::get(
        format!("{api}/issue/{key}?fields=status,resolutiondate,assignee"),
        headers(t),
        t,
    ))?;
    read_issue(&v)
}

/// Reads an issue object: closed when `fields.status.statusCategory.key` is `done`; the
/// reason is the status name; `resolutiondate` is written like `2026-03-02T10:00:00.000+0000`.
pub fn read_issue(v: &Value) -> anyhow::Result<Fetched> {
    let f = &v["fields"];
    let category = f["status"]["statusCategory"]["key"].as_str().ok_or_else(|| {
        anyhow!("the issue has no `fields.status.statusCategory.key` (was `fields=status` dropped by a proxy?)")
    })?;
    let state = if category == "done" { State::Closed } else { State::Open };
    let closed_at = match f["resolutiondate"].as_str() {
        Some(s) => Some(jira_time(s)?),
        None => None,
    };
    let assignee = f["assignee"]["displayName"].as_str().or(f["assignee"]["name"].as_str()).map(str::to_string);
    let reason = f["status"]["name"].as_str().filter(|_| state == State::Closed).map(str::to_string);
    Ok(Fetched { state, closed_at: closed_at.filter(|_| state == State::Closed), reason, assignee })
}

fn jira_time(s: &str) -> anyhow::Result<jiff::Timestamp> {
    s.parse::<jiff::Timestamp>()
        .or_else(|_| jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s).and_then(|t| t.to_timestamp()))
        .with_context(|| format!("`resolutiondate` `{s}` is not a time"))
}

/// Creates an issue in project `key`; returns its web address (`<site>/browse/<KEY-N>`).
pub fn create(
    client: &Client,
    api: &str,
    site: &str,
    t: &TrackerConfig,
    project: &str,
    title: &str,
    body: &str,
) -> anyhow::Result<String> {
    let payload = json!({ "fields": {
        "project": { "key": project },
        "summary": title,
        "description": body,
        "issuetype": { "name": t.issue_type.as_deref().unwrap_or("Task") },
        "labels": t.labels,
    }});
    let v = client.json(&Request::post(format!("{api}/issue"), headers(Some(t)), &payload, t))?;
    let key = v["key"].as_str().context("the created issue has no `key`")?;
    Ok(format!("{site}/browse/{key}"))
}

//! GitHub REST: `GET /repos/{owner}/{repo}/issues/{number}` (pull requests are issues there, with a
//! `pull_request` key) and `POST /repos/{owner}/{repo}/issues`.

use super::http::{Client, Request, with_labels};
use super::{Fetched, auth_token, timestamp};
use crate::config::TrackerConfig;
use crate::tracking::store::State;
use anyhow::{Context, anyhow};
use serde_json::{Value, json};

fn headers(t: Option<&TrackerConfig>) -> Vec<(&'static str, String)> {
    let mut h =
        vec![("Accept", "application/vnd.github+json".to_string()), ("X-GitHub-Api-Version", "2022-11-28".into())];
    if let Some(token) = auth_token(t.and_then(|t| t.token_env.as_deref())) {
        h.push(("Authorization", format!("Bearer {token}")));
    }
    h
}

/// The state of issue or pull request `number`.
pub fn fetch(
    client: &Client,
    api: &str,
    t: Option<&TrackerConfig>,
    owner: &str,
    repo: &str,
    number: u64,
) -> anyhow::Result<Fetched> {
    let url = format!("{api}/repos/{owner}/{repo}/issues/{number}");
    let v = client.json(&Request::get(url, headers(t), t))?;
    read_issue(&v)
}

/// Reads the fields retrobook keeps from an issue object.
pub fn read_issue(v: &Value) -> anyhow::Result<Fetched> {
    let state = match v["state"].as_str() {
        Some("open") => State::Open,
        Some("closed") => State::Closed,
        other => return Err(anyhow!("the issue has no `state` open or closed (found {other:?})")),
    };
    let merged = v["pull_request"]["merged_at"].as_str().is_some();
    let reason = if merged { Some("merged".to_string()) } else { v["state_reason"].as_str().map(str::to_string) };
    let assignee = v["assignees"]
        .as_array()
        .and_then(|a| a.first())
        .or_else(|| v.get("assignee").filter(|a| !a.is_null()))
        .and_then(|a| a["login"].as_str())
        .map(str::to_string);
    Ok(Fetched {
        state,
        closed_at: timestamp(&v["closed_at"])?,
        reason: reason.filter(|_| state == State::Closed),
        assignee,
    })
}

/// Creates an issue in `owner/repo`; returns its web address.
pub fn create(
    client: &Client,
    api: &str,
    t: &TrackerConfig,
    project: &str,
    title: &str,
    body: &str,
) -> anyhow::Result<String> {
    let payload = json!({ "title": title, "body": body, "labels": t.labels });
    let v = client.json(&Request::post(format!("{api}/repos/{project}/issues"), headers(Some(t)), &payload, t))?;
    v["html_url"].as_str().map(str::to_string).context("the created issue has no `html_url`")
}

/// Titles and addresses of the issues already in `owner/repo` (every state, with the tracker's
/// labels when it has some; pull requests left out), following the pages.
pub fn existing(client: &Client, api: &str, t: &TrackerConfig, project: &str) -> anyhow::Result<Vec<(String, String)>> {
    let url = format!("{api}/repos/{project}/issues?state=all&per_page=100");
    let req = Request::get(with_labels(url, &t.labels), headers(Some(t)), Some(t));
    let items = client.json_pages(&req, 50)?;
    Ok(items
        .iter()
        .filter(|i| i.get("pull_request").is_none())
        .filter_map(|i| Some((i["title"].as_str()?.to_string(), i["html_url"].as_str()?.to_string())))
        .collect())
}

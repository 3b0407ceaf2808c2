//! GitLab REST v4: `GET /projects/:id/issues/:iid` and `/projects/:id/merge_requests/:iid` (`:id`
//! is the URL-encoded project path), and `POST /projects/:id/issues`.

use super::http::{Client, Request, with_labels};
use super::{Fetched, auth_token, timestamp};
use crate::config::TrackerConfig;
use crate::tracking::store::State;
use anyhow::{Context, anyhow};
use serde_json::{Value, json};

fn headers(t: Option<&TrackerConfig>) -> Vec<(&'static str, String)> {
    auth_token(t.and_then(|t| t.token_env.as_deref())).map(|tok| ("PRIVATE-TOKEN", tok)).into_iter().collect()
}

/// The project path as the API's `:id`.
fn project_id(project: &str) -> String {
    url::form_urlencoded::byte_serialize(project.as_bytes()).collect()
}

/// The state of an issue or merge request.
pub fn fetch(
    client: &Client,
    api: &str,
    t: Option<&TrackerConfig>,
    project: &str,
    iid: u64,
    mr: bool,
) -> anyhow::Result<Fetched> {
    let kind = if mr { "merge_requests" } else { "issues" };
    let v =
        client.json(&Request::get(format!("{api}/projects/{}/{kind}/{iid}", project_id(project)), headers(t), t))?;
    read_item(&v)
}

/// Reads an issue or merge request object: `state` is `opened`, `closed`, `merged` or `locked`.
pub fn read_item(v: &Value) -> anyhow::Result<Fetched> {
    let (state, reason) = match v["state"].as_str() {
        Some("opened") | Some("locked") => (State::Open, None),
        Some("closed") => (State::Closed, Some("closed")),
        Some("merged") => (State::Closed, Some("merged")),
        other => return Err(anyhow!("the item has no `state` opened, closed or merged (found {other:?})")),
    };
    let closed_at = match timestamp(&v["closed_at"])? {
        Some(t) => Some(t),
        None => timestamp(&v["merged_at"])?,
    };
    let assignee = v["assignees"]
        .as_array()
        .and_then(|a| a.first())
        .or_else(|| v.get("assignee").filter(|a| !a.is_null()))
        .and_then(|a| a["username"].as_str())
        .map(str::to_string);
    Ok(Fetched { state, closed_at, reason: reason.map(str::to_string), assignee })
}

/// Creates an issue in `project` (its path); returns its web address.
pub fn create(
    client: &Client,
    api: &str,
    t: &TrackerConfig,
    project: &str,
    title: &str,
    body: &str,
) -> anyhow::Result<String> {
    let payload = json!({ "title": title, "description": body, "labels": t.labels.join(",") });
    let v = client.json(&Request::post(
        format!("{api}/projects/{}/issues", project_id(project)),
        headers(Some(t)),
        &payload,
        t,
    ))?;
    v["web_url"].as_str().map(str::to_string).context("the created issue has no `web_url`")
}

/// Titles and addresses of the issues already in `project` (every state, with the tracker's
/// labels when it has some), following the pages.
pub fn existing(client: &Client, api: &str, t: &TrackerConfig, project: &str) -> anyhow::Result<Vec<(String, String)>> {
    let url = format!("{api}/projects/{}/issues?state=all&per_page=100", project_id(project));
    let req = Request::get(with_labels(url, &t.labels), headers(Some(t)), Some(t));
    let items = client.json_pages(&req, 50)?;
    Ok(items
        .iter()
        .filter_map(|i| Some((i["title"].as_str()?.to_string(), i["web_url"].as_str()?.to_string())))
        .collect())
}

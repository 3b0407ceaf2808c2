//! A client for the Prometheus HTTP API (`/api/v1/query_range`), which Thanos, Mimir and
//! VictoriaMetrics speak too. Blocking: `monitoring pull` makes a few requests, one after another.

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// One series of a range query: its labels and its samples (Unix seconds, the value exactly as
/// Prometheus wrote it, e.g. `"0.25"`, `"NaN"`, `"+Inf"`).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSeries {
    /// The series' labels (`__name__` included when Prometheus returns it).
    pub labels: BTreeMap<String, String>,
    /// The samples: Unix seconds and the value as written.
    pub values: Vec<(i64, String)>,
}

/// A source that answers range queries.
pub struct Client {
    /// The base URL as configured, e.g. `http://prometheus.internal:9090`.
    base: url::Url,
    /// The bearer token, read from the environment; only ever sent in a header.
    token: Option<String>,
    agent: ureq::Agent,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Vec<RawSeries>,
}

#[derive(Deserialize)]
struct RawSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

impl Client {
    /// A client for the source at `base`, sending `token` (if any) as a bearer token.
    pub fn new(base: &str, token: Option<String>) -> Result<Client> {
        let base = url::Url::parse(base).with_context(|| format!("the source URL `{base}` is not a URL"))?;
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Client { base, token, agent })
    }

    /// The URL of an API path under the base (a base with a path prefix, such as Thanos behind
    /// `/thanos/`, keeps it).
    fn endpoint(&self, path: &str) -> Result<url::Url> {
        let mut base = self.base.clone();
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        base.join(path).with_context(|| format!("cannot form the API URL from `{}`", redact(&self.base)))
    }

    /// Runs `query` from `start` to `end` (Unix seconds, inclusive) every `step` seconds.
    pub fn query_range(&self, query: &str, start: i64, end: i64, step: i64) -> Result<Vec<RangeSeries>> {
        let url = self.endpoint("api/v1/query_range")?;
        let shown = redact(&url);
        let mut req = self
            .agent
            .get(url.as_str())
            .query("query", query)
            .query("start", start.to_string())
            .query("end", end.to_string())
            .query("step", step.to_string());
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {t}"));
        }
        let mut resp = req.call().with_context(|| format!("cannot reach the Prometheus API at {shown}"))?;
        let status = resp.status();
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .with_context(|| format!("cannot read the answer of {shown} (HTTP {status})"))?;
        parse_answer(&body, status.as_u16()).with_context(|| format!("query_range at {shown} for `{query}`"))
    }
}

/// Reads a `query_range` answer: the series of a `matrix`, or Prometheus's own error.
pub fn parse_answer(body: &str, http_status: u16) -> Result<Vec<RangeSeries>> {
    let envelope: Envelope = match serde_json::from_str(body) {
        Ok(e) => e,
        Err(_) => {
            let start: String = body.chars().take(200).collect();
            bail!(
                "HTTP {http_status}, and the answer is not the Prometheus API's JSON (it starts: {start:?}); is the URL the server's base URL?"
            );
        }
    };
    if envelope.status != "success" {
        let kind = envelope.error_type.unwrap_or_else(|| "error".into());
        let msg = envelope.error.unwrap_or_else(|| "no message".into());
        bail!("Prometheus answered HTTP {http_status}, {kind}: {msg}");
    }
    let data = envelope.data.ok_or_else(|| anyhow!("Prometheus answered `success` without `data`"))?;
    if data.result_type != "matrix" {
        bail!("Prometheus answered a `{}` where a range query gives a `matrix`", data.result_type);
    }
    data.result
        .into_iter()
        .map(|s| {
            let values = s
                .values
                .into_iter()
                .map(|(t, v)| {
                    if !t.is_finite() {
                        bail!("a sample has the time {t}");
                    }
                    Ok((t.round() as i64, v))
                })
                .collect::<Result<_>>()?;
            Ok(RangeSeries { labels: s.metric, values })
        })
        .collect()
}

/// A URL without user name, password, query or fragment: what may be printed and recorded.
pub fn redact(url: &url::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_matrix_with_nan_and_inf() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"job":"api","code":"500"},"values":[[1700000000,"1.5"],[1700000060.0,"NaN"],[1700000120,"+Inf"]]}]}}"#;
        let s = parse_answer(body, 200).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].labels["code"], "500");
        assert_eq!(
            s[0].values,
            vec![(1700000000, "1.5".into()), (1700000060, "NaN".into()), (1700000120, "+Inf".into())]
        );
    }

    #[test]
    fn prometheus_errors_carry_its_message() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#;
        let e = parse_answer(body, 400).unwrap_err().to_string();
        assert!(e.contains("bad_data") && e.contains("unexpected end of input") && e.contains("400"), "{e}");
        let e = parse_answer("<html>proxy</html>", 502).unwrap_err().to_string();
        assert!(e.contains("502") && e.contains("not the Prometheus API"), "{e}");
        let e = parse_answer(r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#, 200).unwrap_err();
        assert!(e.to_string().contains("vector"));
    }

    #[test]
    fn urls_are_recorded_without_credentials() {
        let u = url::Url::parse("https://user:secret@prom.example:9090/thanos/?token=abc#x").unwrap();
        assert_eq!(redact(&u), "https://prom.example:9090/thanos/");
        let c = Client::new("http://prom.example/thanos", None).unwrap();
        assert_eq!(c.endpoint("api/v1/query_range").unwrap().as_str(), "http://prom.example/thanos/api/v1/query_range");
    }
}

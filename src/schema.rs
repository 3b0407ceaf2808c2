//! The JSON Schema of retro front matter (schemars), for editors' YAML support.

use crate::config::Config;
use schemars::JsonSchema;
use std::collections::BTreeMap;

/// Front matter of a retro (spec §2.1).
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(title = "retrobook retro front matter")]
struct FrontMatter {
    /// Stable, unique across the book; the URL slug of its page. Letters, digits, `.`, `_`, `-`; not starting with `.`.
    #[schemars(pattern(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$"))]
    id: String,
    /// The retro's title.
    title: String,
    /// Day the incident started, `YYYY-MM-DD`.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    date: String,
    /// One of the book's severities.
    severity: String,
    /// State of the document, not of the incident.
    status: Option<Status>,
    /// One or two sentences for lists, feeds and search results.
    summary: Option<String>,
    services: Option<Vec<String>>,
    teams: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    /// People or handles; default to git history.
    authors: Option<Vec<String>>,
    reviewers: Option<Vec<String>>,
    /// Who did what: role → person, e.g. `incident-commander: Ana`.
    roles: Option<BTreeMap<String, String>>,
    /// Include this retro in the customer-facing build.
    external: Option<bool>,
    /// Ids of related retros.
    related: Option<Vec<String>>,
    impact: Option<Impact>,
    /// Contributing factors.
    factors: Option<Vec<Factor>>,
    /// Follow-up actions.
    actions: Option<Vec<Action>>,
    /// Metrics to chart, and monitoring gaps.
    monitoring: Option<Vec<Series>>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Status {
    Draft,
    InReview,
    Published,
}

/// The four moments (in this order) and plain statements of impact.
#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
struct Impact {
    /// RFC 3339 timestamp, or `YYYY-MM-DD HH:MM` in the book's time zone.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"))]
    started: Option<String>,
    /// RFC 3339 timestamp, or `YYYY-MM-DD HH:MM` in the book's time zone.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"))]
    detected: Option<String>,
    /// RFC 3339 timestamp, or `YYYY-MM-DD HH:MM` in the book's time zone.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"))]
    mitigated: Option<String>,
    /// RFC 3339 timestamp, or `YYYY-MM-DD HH:MM` in the book's time zone.
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"))]
    resolved: Option<String>,
    /// Plain statement of who lost what.
    users: Option<String>,
    /// Explicit statement; required for an external retro.
    data_loss: Option<bool>,
    slo: Option<Slo>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
struct Slo {
    name: Option<String>,
    /// Fraction 0..1, or a percentage such as "35%".
    budget_burned: Option<serde_json::Value>,
}

/// A contributing factor.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Factor {
    /// The cross-incident key (slug); aliases in book.toml map variants to it.
    id: String,
    /// One of the book's factor categories (the Ishikawa bones).
    category: Option<String>,
    summary: Option<String>,
    /// Five-whys chain, first why first.
    whys: Option<Vec<String>>,
}

/// A follow-up action.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Action {
    /// Unique within the retro; the global key is `<retro-id>#<id>`.
    id: String,
    title: String,
    /// Team or person; required while open or in progress.
    owner: Option<String>,
    status: Option<ActionStatus>,
    priority: Option<Priority>,
    #[schemars(pattern(r"^\d{4}-\d{2}-\d{2}$"))]
    due: Option<String>,
    /// Tracker link.
    link: Option<String>,
    /// Factor ids this action is meant to prevent.
    addresses: Option<Vec<String>>,
    /// Why this action was chosen.
    why: Option<String>,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum ActionStatus {
    Open,
    InProgress,
    Done,
    WontDo,
}

#[allow(dead_code)]
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Priority {
    High,
    Medium,
    Low,
}

/// A metric series (CSV beside the retro, columns `time,value`) or a monitoring gap.
#[allow(dead_code)]
#[derive(JsonSchema)]
struct Series {
    metric: Option<String>,
    unit: Option<String>,
    /// CSV path relative to the retro.
    data: Option<String>,
    /// Long-term baseline CSV in the same shape; for a pulled series, a duration such as `7d`
    /// (the same window that long before).
    baseline: Option<String>,
    /// A source under `[monitoring.sources]` in book.toml that `query` runs against.
    source: Option<String>,
    /// The query `retrobook monitoring pull` runs, e.g. PromQL.
    query: Option<String>,
    /// The alert threshold, drawn on the chart.
    threshold: Option<f64>,
    /// A monitoring gap, in words.
    gap: Option<String>,
}

/// The schema as JSON, with the book's severities and factor categories as enums.
pub fn front_matter_schema(config: &Config) -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(FrontMatter)).unwrap_or_default();
    if let Some(sev) = schema.pointer_mut("/properties/severity") {
        sev["enum"] = serde_json::json!(config.retros.severities);
    }
    let cats = serde_json::json!(config.retros.factor_categories);
    for defs in ["/$defs/Factor/properties/category", "/definitions/Factor/properties/category"] {
        if let Some(c) = schema.pointer_mut(defs) {
            // category is Option<String>: allow null or one of the categories
            *c = serde_json::json!({ "description": "One of the book's factor categories (the Ishikawa bones).", "enum": cats });
        }
    }
    schema
}

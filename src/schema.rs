//! The JSON Schema of retro front matter (schemars), for editors' YAML support.

use crate::config::Config;

/// The shape of front matter, for schemars only. The [`Reader`](crate::load::frontmatter::Reader)
/// fills the model's own types (with positions, parsed dates and the book's aliases applied);
/// these mirror the keys it reads, which the tests below hold to `frontmatter::SHAPES`.
// Never built, only described: every field is "never read".
#[allow(dead_code)]
mod shape {
    use schemars::JsonSchema;
    use std::collections::BTreeMap;

    /// Front matter of a retro (docs/format.md, "Front matter").
    #[derive(JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    #[schemars(title = "retrobook retro front matter")]
    pub(super) struct FrontMatter {
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

    #[derive(JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    enum Status {
        Draft,
        InReview,
        Published,
    }

    /// The four moments (in this order) and plain statements of impact.
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

    #[derive(JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    struct Slo {
        name: Option<String>,
        /// Fraction 0..1, or a percentage such as "35%".
        budget_burned: Option<serde_json::Value>,
    }

    /// A contributing factor.
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

    #[derive(JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    enum ActionStatus {
        Open,
        InProgress,
        Done,
        WontDo,
    }

    #[derive(JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    enum Priority {
        High,
        Medium,
        Low,
    }

    /// A metric series (CSV beside the retro, columns `time,value`) or a monitoring gap.
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
}

/// The schema as JSON, with the book's severities and factor categories as enums.
pub fn front_matter_schema(config: &Config) -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(shape::FrontMatter)).unwrap_or_default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::frontmatter::SHAPES;
    use serde_json::Value;
    use std::collections::BTreeMap;

    /// Every map the schema describes, by path (as in `SHAPES`), with its property names.
    fn maps(root: &Value, node: &Value, path: &str, out: &mut BTreeMap<String, Vec<String>>) {
        if let Some(target) = node.get("$ref").and_then(Value::as_str) {
            let def = target.trim_start_matches('#');
            let resolved = root.pointer(def).unwrap_or_else(|| panic!("{target} resolves"));
            return maps(root, resolved, path, out);
        }
        for alt in ["anyOf", "oneOf", "allOf"] {
            for v in node.get(alt).and_then(Value::as_array).into_iter().flatten() {
                maps(root, v, path, out);
            }
        }
        if let Some(items) = node.get("items") {
            maps(root, items, &format!("{path}[]"), out);
        }
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            let mut keys: Vec<String> = props.keys().cloned().collect();
            keys.sort();
            assert!(out.insert(path.to_string(), keys).is_none(), "{path} is described twice");
            for (k, v) in props {
                let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                maps(root, v, &child, out);
            }
        }
    }

    /// The schema editors see describes exactly the keys the reader reads, map by map: a key
    /// added to one and not the other fails here.
    #[test]
    fn schema_and_reader_have_the_same_keys() {
        let schema = front_matter_schema(&Config::default());
        let mut described = BTreeMap::new();
        maps(&schema, &schema, "", &mut described);
        let read: BTreeMap<String, Vec<String>> = SHAPES
            .iter()
            .map(|(path, keys)| {
                let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                keys.sort();
                (path.to_string(), keys)
            })
            .collect();
        assert_eq!(described, read);
    }

    /// The allowed values of the enums are the model's.
    #[test]
    fn schema_enums_are_the_models() {
        use crate::model::{ActionStatus, DocStatus, Priority};
        let schema = front_matter_schema(&Config::default());
        let values = |def: &str| -> Vec<String> {
            let list = schema.pointer(&format!("/$defs/{def}/enum")).and_then(Value::as_array);
            list.into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
        };
        assert_eq!(values("Status"), DocStatus::ALL.map(|s| s.as_str().to_string()));
        assert_eq!(values("ActionStatus"), ActionStatus::ALL.map(|s| s.as_str().to_string()));
        assert_eq!(values("Priority"), Priority::ALL.map(|s| s.as_str().to_string()));
        let config = Config::default();
        let severities = schema.pointer("/properties/severity/enum").cloned();
        assert_eq!(severities, Some(serde_json::json!(config.retros.severities)));
    }
}

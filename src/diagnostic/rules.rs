//! Every rule id, declared once. A [`Diagnostic`](super::Diagnostic) gets its rule from one of
//! these constants, `[lint]` in book.toml accepts [`RULES`], and docs/check.md documents each id
//! (the tests below keep the three in step).
//!
//! A new rule: add its constant below, use it where the diagnostic is made, describe it in
//! docs/check.md (with a fixture under tests/fixtures/rules/); the tests below say what is
//! missing.
//!
//! The ids live beside `Diagnostic` rather than in `check/`: `load` and `analyze`, which sit
//! below `check` in the layers, report problems too.

/// Declares each id as a constant and lists them all, in order, in `$list`.
macro_rules! rules {
    ($(#[$list_doc:meta])* $list:ident; $($(#[$doc:meta])* $name:ident = $id:literal;)*) => {
        $(#[doc = concat!("`", $id, "` (docs/check.md).")] $(#[$doc])* pub const $name: &str = $id;)*
        $(#[$list_doc])*
        pub const $list: &[&str] = &[$($name),*];
    };
}

rules! {
    /// Every rule id `check` reports about retros: the keys `[lint]` in book.toml accepts.
    RULES;
    FILE_EMPTY = "file-empty";
    FILE_BINARY = "file-binary";
    FILE_ENCODING = "file-encoding";
    FILE_READ = "file-read";
    FM_SYNTAX = "fm-syntax";
    FM_TYPE = "fm-type";
    FM_REQUIRED = "fm-required";
    FM_ENUM = "fm-enum";
    FM_DATE = "fm-date";
    FM_UNKNOWN_KEY = "fm-unknown-key";
    FM_FOREIGN = "fm-foreign";
    ID_CHARSET = "id-charset";
    ID_DUPLICATE = "id-duplicate";
    ID_RESERVED = "id-reserved";
    ID_LENGTH = "id-length";
    FACTOR_ID = "factor-id";
    MOMENTS_ORDER = "moments-order";
    TIMELINE_MOMENT = "timeline-moment";
    DATE_STARTED = "date-started";
    TIMELINE_KIND = "timeline-kind";
    TIMELINE_ORDER = "timeline-order";
    TIMELINE_DATE = "timeline-date";
    TIMELINE_NO_DATE = "timeline-no-date";
    TIMELINE_NO_TIME = "timeline-no-time";
    TIMELINE_UNREAD = "timeline-unread";
    TIMELINE_NO_CONVERSATION = "timeline-no-conversation";
    KEY_EVENT_TIME = "key-event-time";
    DURATION_STATED = "duration-stated";
    RELATED_UNRESOLVED = "related-unresolved";
    ACTION_OWNER = "action-owner";
    ACTION_DUE = "action-due";
    ACTION_DUPLICATE_ID = "action-duplicate-id";
    ACTION_LINK = "action-link";
    ACTION_UNTRACKED = "action-untracked";
    ACTION_DRIFT = "action-drift";
    TRACKERS_FILE = "trackers-file";
    ADDRESSES_UNKNOWN = "addresses-unknown";
    FACTOR_TWIN = "factor-twin";
    MONITORING_DATA = "monitoring-data";
    MONITORING_CSV = "monitoring-csv";
    MONITORING_NOT_PULLED = "monitoring-not-pulled";
    MONITORING_SOURCE = "monitoring-source";
    MONITORING_COVERAGE = "monitoring-coverage";
    STAKEHOLDER_MISSING = "stakeholder-missing";
    STAKEHOLDER_ALIAS = "stakeholder-alias";
    STAKEHOLDER_TEMPLATE = "stakeholder-template";
    STAKEHOLDER_DATA_LOSS = "stakeholder-data-loss";
    STAKEHOLDER_NAME = "stakeholder-name";
    STAKEHOLDER_INTERNAL_ID = "stakeholder-internal-id";
    STAKEHOLDER_PLAIN_LANGUAGE = "stakeholder-plain-language";
    BLAMELESS_HUMAN_ERROR = "blameless-human-error";
    BLAMELESS_SHOULD_HAVE = "blameless-should-have";
    BLAMELESS_FAILED_TO = "blameless-failed-to";
    BLAMELESS_CARELESS = "blameless-careless";
    BLAMELESS_FAULT = "blameless-fault";
    BLAMELESS_BLAME = "blameless-blame";
    BLAMELESS_PERSON = "blameless-person";
    BLAMELESS_ALLOW_REASON = "blameless-allow-reason";
    COMPLETENESS = "completeness";
}

rules! {
    /// Problems in book.toml itself: they come before the configuration exists, so `[lint]`
    /// cannot set them.
    CONFIG_RULES;
    CONFIG_READ = "config-read";
    CONFIG_SYNTAX = "config-syntax";
    CONFIG_TYPE = "config-type";
    CONFIG_VALUE = "config-value";
    CONFIG_UNKNOWN_KEY = "config-unknown-key";
    CONFIG_DIR = "config-dir";
}

rules! {
    /// Failures of `serve` itself, shown in the browser's overlay like a book's problems
    /// (docs/serve.md); `check` never reports them.
    SERVE_RULES;
    INTERNAL_ERROR = "internal-error";
    THEME = "theme";
    RENDER = "render";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    /// The ids docs/check.md documents: the first column of its tables headed `| rule |`, and
    /// the id a heading names (`### Completeness (`completeness`)`).
    fn documented() -> BTreeSet<String> {
        let docs = include_str!("../../docs/check.md");
        let mut ids = BTreeSet::new();
        let mut in_rules = false;
        for line in docs.lines() {
            if line.starts_with('#')
                && let Some(id) = line.strip_suffix("`)").and_then(|l| l.rsplit_once("(`")).map(|(_, id)| id)
            {
                ids.insert(id.to_string());
            }
            if !line.starts_with('|') {
                in_rules = false;
                continue;
            }
            if line.starts_with("| rule |") {
                in_rules = true;
            }
            if !in_rules || !line.starts_with("| `") {
                continue;
            }
            let first = line.split('|').nth(1).unwrap_or("");
            ids.extend(first.split('`').skip(1).step_by(2).filter(|id| !id.contains(' ')).map(str::to_string));
        }
        ids
    }

    /// docs/check.md is where users look a rule id up (and `[lint]` points there): every id the
    /// code can report is documented, and every documented id exists.
    #[test]
    fn every_rule_is_documented_and_every_documented_rule_exists() {
        let documented = documented();
        let declared: BTreeSet<String> = RULES.iter().chain(CONFIG_RULES).map(|s| s.to_string()).collect();
        let undocumented: Vec<_> = declared.difference(&documented).collect();
        assert!(undocumented.is_empty(), "not documented in docs/check.md: {undocumented:?}");
        let unknown: Vec<_> = documented.difference(&declared).collect();
        assert!(unknown.is_empty(), "documented in docs/check.md but not declared here: {unknown:?}");
        let serve = include_str!("../../docs/serve.md");
        for id in SERVE_RULES {
            assert!(
                serve.contains(&format!("(`{id}`)")) || serve.contains(&format!("an `{id}`")),
                "`{id}` in docs/serve.md"
            );
        }
    }

    #[test]
    fn ids_are_unique_and_config_rules_cannot_be_set() {
        let all: Vec<&str> = RULES.iter().chain(CONFIG_RULES).chain(SERVE_RULES).copied().collect();
        let unique: BTreeSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "an id is declared twice");
        assert!(CONFIG_RULES.iter().all(|r| r.starts_with("config-")));
        assert!(!RULES.iter().any(|r| r.starts_with("config-")));
    }

    /// The non-test part of a source file: up to its `#[cfg(test)] mod …`.
    fn non_test(text: &str) -> &str {
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            if line.trim() == "#[cfg(test)]" && text[at + line.len()..].trim_start().starts_with("mod ") {
                return &text[..at];
            }
            at += line.len();
        }
        text
    }

    /// The top-level arguments of the call whose `(` ends `s`'s prefix: `rest` starts after it.
    fn call_args(rest: &str) -> Vec<&str> {
        let (mut depth, mut start, mut in_str, mut escaped) = (0i32, 0, false, false);
        let mut args = Vec::new();
        for (i, c) in rest.char_indices() {
            if in_str {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => {
                    args.push(rest[start..i].trim());
                    return args;
                }
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(rest[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        args
    }

    /// Problems found in one file's code: a rule id spelled as a literal instead of one of the
    /// constants above.
    fn spelled_ids(file: &str, code: &str) -> Vec<String> {
        let mut found = Vec::new();
        // A literal in the rule position of a constructor: an id that may not be declared at all.
        for ctor in ["Diagnostic::new(", "Diagnostic::error(", "Diagnostic::warning(", "Diagnostic::note("] {
            for (at, _) in code.match_indices(ctor) {
                let args = call_args(&code[at + ctor.len()..]);
                if let Some(rule) = args.get(2).filter(|a| a.starts_with('"')) {
                    found.push(format!("{file}: {ctor}… gets the rule {rule} as a literal"));
                }
            }
        }
        // A declared id spelled again ("completeness" is also a `[lint]` key and a filter name).
        // "theme" and "render" are common words: the constructor check above covers them.
        for id in RULES.iter().chain(CONFIG_RULES).chain(SERVE_RULES).filter(|id| id.contains('-')) {
            if code.contains(&format!("\"{id}\"")) {
                found.push(format!("{file}: \"{id}\" is spelled out; use the constant in diagnostic/rules.rs"));
            }
        }
        found
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Ids are declared once, here: the code outside this file uses the constants, so a new rule
    /// cannot be reported without being declared (and then, by the test above, documented).
    #[test]
    fn rule_ids_are_spelled_only_in_this_file() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        files.sort();
        assert!(files.len() > 20, "found the sources: {files:?}");
        let mut found = Vec::new();
        for path in files.iter().filter(|p| !p.ends_with("diagnostic/rules.rs")) {
            let text = std::fs::read_to_string(path).expect("a source file is UTF-8");
            let rel = path.strip_prefix(&src).unwrap_or(path).display().to_string();
            found.extend(spelled_ids(&rel, non_test(&text)));
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// The scan above catches both ways an id could bypass the constants.
    #[test]
    fn the_scan_sees_literal_ids() {
        let code = "let d = Diagnostic::warning(\n    rel,\n    Pos::new(1, 2),\n    \"timeline-new\",\n    format!(\"a, b\"),\n);\nlet r = \"fm-type\";";
        let found = spelled_ids("x.rs", code);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("\"timeline-new\""), "{found:?}");
        assert!(found[1].contains("\"fm-type\""), "{found:?}");
        let fine = "Diagnostic::error(f, p, rules::FM_TYPE, \"`x` should be a string\")";
        assert!(spelled_ids("x.rs", fine).is_empty());
        assert_eq!(non_test("a\n#[cfg(test)]\nmod tests {\n\"fm-type\"\n}\n"), "a\n");
    }
}

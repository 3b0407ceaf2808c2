//! Real public postmortems, read in place from ../shared/corpus/real: each folder is adopted as it
//! is — warnings only, the right title and date, timeline entries found.

mod common;
use retrobook::diagnostic::Level;
use retrobook::load::load_book;

/// (folder, file, title, date, timeline entries)
const EXPECTED: &[(&str, &str, &str, Option<&str>, usize)] = &[
    (
        "dfds-postmortems",
        "PM2019-009 - Kubernetes network infrastructure IP starvation.md",
        "Kubernetes network infrastructure IP starvation",
        Some("2019-11-29"),
        13,
    ),
    ("dfds-postmortems", "PM2020-004 - CoreDNS upgrade issue.md", "CoreDNS upgrade issue", Some("2020-02-03"), 3),
    (
        "dfds-postmortems",
        "PM2021-006 - All services returning 503 in Kubernetes.md",
        "All services returning 503 in Kubernetes",
        Some("2021-06-30"),
        5,
    ),
    (
        "dfds-postmortems",
        "PM2022-002 -  Logs not shipped to CloudWatch.md",
        "Logs not shipped to CloudWatch",
        Some("2022-01-31"),
        7,
    ),
    (
        "dfds-postmortems",
        "PM2022-009 - Bad AWS EKS AMI causing Kubernetes issues",
        "Bad AWS EKS AMI",
        Some("2022-10-29"),
        20,
    ),
    // Its timeline rows carry a five-digit year ("20202-01-16"): no date can be trusted.
    ("dfds-postmortems", "PM2020-003 - Postmortem for ADSync migration.md", "ADSync migration issues", None, 0),
    ("mybinder.org-deploy", "2017-09-27-hub-403.md", "Hub 403", Some("2017-09-27"), 6),
    ("mybinder.org-deploy", "2018-01-18-reddit-hug.md", "reddit hugs mybinder", Some("2018-01-18"), 25),
    ("mybinder.org-deploy", "2018-03-26-no-space-left.md", "no space left on device", Some("2018-03-26"), 3),
    ("mybinder.org-deploy", "2019-02-20-no-logs.md", "kubectl logs unavailable", Some("2019-02-20"), 6),
    ("jenkins-infra-status", "2021-10-01-ldap-outage.md", "LDAP server down", Some("2021-10-01"), 0),
    (
        "jenkins-infra-status",
        "2021-05-29-no-aci-agents-for-ci-jenkins-io.md",
        "ACI agents fail to allocate for ci.jenkins.io",
        Some("2021-05-29"),
        14,
    ),
    (
        "blog.rust-lang.org",
        "crates-io-postmortem.md",
        "crates.io Postmortem: Broken Crate Downloads",
        Some("2023-07-21"),
        16,
    ),
    (
        "blog.rust-lang.org",
        "yaml-front-matter-era/2023-07-21-crates-io-postmortem.md",
        "crates.io Postmortem: Broken Crate Downloads",
        Some("2023-07-21"),
        16,
    ),
    ("blog.rust-lang.org", "docsrs-outage-postmortem.md", "docs.rs outage postmortem", Some("2019-10-24"), 13),
    (
        "blog.rust-lang.org",
        "Update-on-crates.io-incident.md",
        "Update on the October 15, 2018 incident on crates.io",
        Some("2018-10-19"),
        12,
    ),
    (
        "pypi-warehouse-blog",
        "2025-07-31-incident-report-phishing-attack.md",
        "PyPI Phishing Attack: Incident Report",
        Some("2025-07-31"),
        20,
    ),
    (
        "pypi-warehouse-blog",
        "2023-12-04-account-takeover.md",
        "Incident Report: User Account Takeover",
        Some("2023-12-04"),
        10,
    ),
];

/// The folders of ../shared/corpus/real (SOURCES.md lists them).
const FOLDERS: &[&str] = &[
    "2i2c-incident-reports",
    "blog.rust-lang.org",
    "cloud.gov.au",
    "dfds-postmortems",
    "etcd-postmortems",
    "hackney-addresses-api",
    "jenkins-infra-status",
    "kubernetes-test-infra",
    "mybinder.org-deploy",
    "obs-landing",
    "pypi-warehouse-blog",
    "rust-infra-team",
];

#[test]
fn every_corpus_folder_loads_with_warnings_only() {
    let Some(corpus) = common::corpus() else { return };
    let mut folders = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(FOLDERS.contains(&name.as_str()), "a corpus folder this test does not know: {name}");
        folders += 1;
        let loaded = load_book(&dir).unwrap_or_else(|d| panic!("{}: {d:?}", dir.display()));
        let mut diags = loaded.diagnostics;
        diags.extend(retrobook::check::check_book(&loaded.book));
        let errors: Vec<_> = diags.iter().filter(|d| d.level == Level::Error).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
        let files = retrobook::load::discover(&dir).len();
        assert_eq!(loaded.book.retros.len(), files, "every file of {} is a retro", dir.display());
        for r in &loaded.book.retros {
            assert!(!r.title.is_empty(), "{}", r.path);
            assert!(!r.id.is_empty() && !r.id.starts_with('.'), "{}", r.path);
            // A retro that has a timeline section with entries supplies dated moments.
            if r.timeline.is_empty()
                && r.sections.iter().any(|s| s.kind == Some(retrobook::model::SectionKind::Timeline))
            {
                assert!(
                    diags.iter().any(|d| d.file == r.path && d.rule.starts_with("timeline")),
                    "{}: a timeline section without entries must say why",
                    r.path
                );
            }
        }
    }
    assert_eq!(folders, FOLDERS.len(), "the corpus has these folders: {FOLDERS:?}");
}

#[test]
fn titles_dates_and_timelines_are_right() {
    let Some(corpus) = common::corpus() else { return };
    let mut books = std::collections::BTreeMap::new();
    for (folder, file, title, date, entries) in EXPECTED {
        let book = books.entry(*folder).or_insert_with(|| load_book(&corpus.join(folder)).unwrap().book);
        let r = book.retros.iter().find(|r| r.path == *file).unwrap_or_else(|| panic!("{folder}/{file} not loaded"));
        assert_eq!(r.title, *title, "{file}");
        assert_eq!(r.date.map(|d| d.to_string()).as_deref(), *date, "{file}");
        assert_eq!(r.timeline.len(), *entries, "{file}: timeline entries");
        let mut sorted = r.timeline.clone();
        sorted.sort_by_key(|e| e.line);
        assert_eq!(sorted, r.timeline, "{file}: entries in file order");
    }
}

#[test]
fn adopted_ids_come_from_file_names() {
    let Some(corpus) = common::corpus() else { return };
    let book = load_book(&corpus.join("dfds-postmortems")).unwrap().book;
    let ids: Vec<&str> = book.retros.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"pm2022-002-logs-not-shipped-to-cloudwatch"), "{ids:?}");
    assert!(
        ids.contains(&"pm2022-009-bad-aws-eks-ami-causing-kubernetes-issues"),
        "the file without extension: {ids:?}"
    );
    let r = book.retros.iter().find(|r| r.id == "pm2021-006-all-services-returning-503-in-kubernetes").unwrap();
    // The first timeline row is the start of the upgrade; detection and resolution are prose.
    assert_eq!(r.timeline[0].at.to_string(), "2021-06-30T08:32:00Z");
    let kinds: Vec<_> = r.sections.iter().filter_map(|s| s.kind).collect();
    assert!(kinds.contains(&retrobook::model::SectionKind::ContributingFactors));
    assert!(kinds.contains(&retrobook::model::SectionKind::FollowUpActions));

    let binder = load_book(&corpus.join("mybinder.org-deploy")).unwrap().book;
    let r = binder.retros.iter().find(|r| r.id == "2018-03-26-no-space-left").unwrap();
    // "All times in CEST": 10:34 CEST is 08:34 UTC.
    assert_eq!(r.timeline[0].at.to_string(), "2018-03-26T08:34:00Z");
    let rust = load_book(&corpus.join("blog.rust-lang.org")).unwrap().book;
    let r = rust.retros.iter().find(|r| r.path == "crates-io-postmortem.md").unwrap();
    assert_eq!(r.authors, ["Tobias Bieniek"]);
    assert_eq!(r.front_matter, retrobook::model::FrontMatterKind::Foreign);
}

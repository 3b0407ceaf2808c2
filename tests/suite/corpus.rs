//! Real public postmortems, read in place from ../shared/corpus/real: each folder is adopted as it
//! is — warnings only, the right title and date, timeline entries found.

use crate::common;
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

/// What a person reading each file of the seven newer corpus folders finds (written by hand from
/// the files, then compared with the loader): title, date, timeline entries (count, first and last
/// instant in UTC, in file order), the four moments (started, detected, mitigated, resolved) and
/// the follow-up actions (count, done). Where the loader reads a file differently from that
/// reading, `decided` says what was decided and why, or what is not read yet.
struct Expect {
    folder: &'static str,
    file: &'static str,
    title: &'static str,
    date: Option<&'static str>,
    entries: usize,
    first: Option<&'static str>,
    last: Option<&'static str>,
    moments: [Option<&'static str>; 4],
    actions: (usize, usize),
    #[allow(dead_code)] // documentation of the decision, read by people
    decided: &'static str,
}

const ADOPTED: &[Expect] = &[
    Expect {
        folder: "kubernetes-test-infra",
        file: "2019-01-23.md",
        title: "January 23rd, 2019 Prow Outage",
        date: Some("2019-01-23"),
        entries: 11,
        first: Some("2019-01-22T22:54:00Z"),
        last: Some("2019-01-23T16:36:00Z"),
        moments: [None, None, None, None],
        actions: (2, 0),
        decided: "",
    },
    Expect {
        folder: "kubernetes-test-infra",
        file: "2019-02-05.md",
        title: "February 5th, 2019 Partial Prow Outage",
        date: Some("2019-02-05"),
        entries: 12,
        first: Some("2019-02-05T16:47:00Z"),
        last: Some("2019-02-05T22:31:00Z"),
        moments: [Some("2019-02-05T16:47:00Z"), None, None, Some("2019-02-05T17:34:00Z")],
        actions: (1, 0),
        decided: "",
    },
    Expect {
        folder: "kubernetes-test-infra",
        file: "2019-02-08.md",
        title: "February 8th, 2019 - Prow responding slow & Partial outage",
        date: Some("2019-02-08"),
        entries: 13,
        first: Some("2019-02-08T21:20:00Z"),
        last: Some("2019-02-09T02:09:00Z"),
        moments: [None, None, None, None],
        actions: (1, 0),
        decided: "Not read yet: the moments a reader takes from the prose Impact ranges (started 21:46Z, detected 00:06Z, resolved 01:30Z); spec 2.7 reads key-event lines and markers, not ranges in sentences.",
    },
    Expect {
        folder: "kubernetes-test-infra",
        file: "2019-03-26.md",
        title: "March 26th, 2019 Boskos Outage",
        date: Some("2019-03-26"),
        entries: 10,
        first: Some("2018-12-05T23:21:00Z"),
        last: Some("2019-03-26T15:10:00Z"),
        moments: [None, None, None, None],
        actions: (3, 0),
        decided: "Decided: `[03-26 23:04]` is read as written (03-26, PDT = 2019-03-27T06:04Z), which puts the `outage starts` marker after the `outage ends` one (15:10Z); contradicting markers set no moment. The reader, from context, puts the start on the evening of 03-25 (started 2019-03-26T06:04Z, resolved 15:10Z); inventing a day from prose is not done.",
    },
    Expect {
        folder: "kubernetes-test-infra",
        file: "2019-05-30.md",
        title: "May 30th, 2019 Prow Flakiness",
        date: Some("2019-05-30"),
        entries: 10,
        first: Some("2019-05-30T20:26:00Z"),
        last: Some("2019-05-30T14:00:00Z"),
        moments: [None, None, None, None],
        actions: (2, 0),
        decided: "Decided (spec 2.6): a time earlier than the previous one with no date written stays on the same day, with a timeline-order warning; the reader puts the last entry on May 31.",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2020-10-28-memory-overload.md",
        title: "Memory overload on WER cluster",
        date: Some("2020-10-28"),
        entries: 6,
        first: Some("2020-10-28T15:22:00Z"),
        last: Some("2020-10-28T16:16:00Z"),
        moments: [None, None, None, None],
        actions: (5, 0),
        decided: "Decided: a date that opens a title is the retro's date, shown beside it, and is dropped from the title.",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2023-01-23-Upgrading-ingress-nginx-caused-brief-outage-in-carbonplan.md",
        title: "Upgrading ingress-nginx caused brief outage in carbonplan",
        date: Some("2023-01-23"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (0, 0),
        decided: "Decided: a date that opens a title is the retro's date, shown beside it, and is dropped from the title.",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2023-02-01-daskhub-induced-evictions.md",
        title: "Heavy use of dask-gateway induced critical pod evictions",
        date: Some("2023-02-01"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (5, 0),
        decided: "Decided: a date that opens a title is the retro's date, shown beside it, and is dropped from the title.",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2025-05-12-earthscope-resource-provisioning-issue.md",
        title: "Incident report May 12 2025 - Earthscope resource provisioning issue",
        date: Some("2025-05-12"),
        entries: 25,
        first: Some("2025-05-12T17:15:00Z"),
        last: Some("2025-05-16T08:00:00Z"),
        moments: [None, None, None, None],
        actions: (2, 0),
        decided: "",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2025-07-11-cloudbank-healthcheck.md",
        title: "Incident report July 11 2025 - CloudBank health check fail plus GroupExporter pod restarts",
        date: Some("2025-07-11"),
        entries: 15,
        first: Some("2025-07-11T11:42:00Z"),
        last: Some("2025-07-14T10:20:00Z"),
        moments: [None, None, None, Some("2025-07-11T15:22:00Z")],
        actions: (2, 0),
        decided: "",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2025-07-21-openscapes-hub-pods-dying.md",
        title: "Incident report July 21 2025 - Openscapes hub pods dying post-stress-testing",
        date: Some("2025-07-21"),
        entries: 13,
        first: Some("2025-07-22T05:03:00Z"),
        last: Some("2025-07-23T08:10:00Z"),
        moments: [None, None, None, Some("2025-07-23T08:10:00Z")],
        actions: (1, 0),
        decided: "",
    },
    Expect {
        folder: "2i2c-incident-reports",
        file: "2025-08-12-leap-outage.md",
        title: "Incident report August 12 2025 - LEAP hub outage",
        date: Some("2025-08-12"),
        entries: 12,
        first: Some("2025-08-12T16:00:00Z"),
        last: Some("2025-08-12T17:11:00Z"),
        moments: [None, None, None, Some("2025-08-12T17:11:00Z")],
        actions: (5, 2),
        decided: "",
    },
    Expect {
        folder: "cloud.gov.au",
        file: "2016-02-11.md",
        title: "February 11, 2016 incident report",
        date: Some("2016-02-11"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (5, 0),
        decided: "Not read: the dotted-time list sits in \"What happened\", not in a timeline section; the reader counts 3 entries (10:42 to 10:56).",
    },
    Expect {
        folder: "cloud.gov.au",
        file: "2016-06-05.md",
        title: "June 5, 2016 incident report",
        date: Some("2016-06-05"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (0, 0),
        decided: "",
    },
    Expect {
        folder: "cloud.gov.au",
        file: "2016-08-12.md",
        title: "August 12, 2016 incident report",
        date: Some("2016-08-12"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (5, 0),
        decided: "",
    },
    Expect {
        folder: "obs-landing",
        file: "2019-06-13-post-mortem.md",
        title: "Post-mortem: Downtime on June 13, 2019",
        date: Some("2019-06-13"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (0, 0),
        decided: "",
    },
    Expect {
        folder: "obs-landing",
        file: "2020-04-08-post-mortem.md",
        title: "Post-Mortem: Severe Service Degradation on April 8, 2020",
        date: Some("2020-04-08"),
        entries: 11,
        first: Some("2020-04-08T11:11:00Z"),
        last: Some("2020-04-08T13:11:00Z"),
        moments: [None, None, None, None],
        actions: (0, 0),
        decided: "Not read yet: the two actions are written as paragraphs, not list items or table rows (spec 2.7 reads lists).",
    },
    Expect {
        folder: "obs-landing",
        file: "2020-09-03-post-mortem.md",
        title: "Post-Mortem: Search Unavailable on September 3, 2020",
        date: Some("2020-09-03"),
        entries: 12,
        first: Some("2020-08-27T06:09:00Z"),
        last: Some("2020-09-03T18:30:00Z"),
        moments: [Some("2020-09-03T12:40:00Z"), None, Some("2020-09-03T12:47:00Z"), None],
        actions: (2, 0),
        decided: "",
    },
    Expect {
        folder: "obs-landing",
        file: "2022-12-06-post-mortem.md",
        title: "Post-mortem: Downtime on December 5, 2022",
        date: Some("2022-12-06"),
        entries: 6,
        first: Some("2022-12-06T09:49:00Z"),
        last: Some("2022-12-06T10:11:00Z"),
        moments: [None, None, None, None],
        actions: (2, 0),
        decided: "Decided (spec 2.1): the date comes from the file name, which for these Jekyll posts is the publication day; the reader takes the incident day from the title and text.",
    },
    Expect {
        folder: "obs-landing",
        file: "2023-02-24-post-mortem.md",
        title: "Post-mortem: Downtime on February 23, 2023",
        date: Some("2023-02-24"),
        entries: 6,
        first: Some("2023-02-24T10:00:00Z"),
        last: Some("2023-02-24T10:25:00Z"),
        moments: [None, None, None, None],
        actions: (2, 2),
        decided: "Decided (spec 2.1): the date comes from the file name, which for these Jekyll posts is the publication day; the reader takes the incident day from the title and text.",
    },
    Expect {
        folder: "obs-landing",
        file: "2023-04-12-post-mortem.md",
        title: "Post-mortem: Lack of Emails/Notifications from April 6 to April 11, 2023",
        date: Some("2023-04-12"),
        entries: 7,
        first: Some("2023-04-06T21:42:00Z"),
        last: Some("2023-04-11T08:35:00Z"),
        moments: [None, None, None, None],
        actions: (2, 0),
        decided: "Decided (spec 2.1): the date comes from the file name, which for these Jekyll posts is the publication day; the reader takes the incident day from the title and text.",
    },
    Expect {
        folder: "obs-landing",
        file: "2023-08-03-post-mortem.md",
        title: "Post-mortem: Database Cluster Crashes",
        date: Some("2023-08-03"),
        entries: 15,
        first: Some("2023-08-03T07:03:00Z"),
        last: Some("2023-08-03T17:16:00Z"),
        moments: [None, None, None, None],
        actions: (0, 0),
        decided: "",
    },
    Expect {
        folder: "obs-landing",
        file: "2024-03-21-post-mortem.md",
        title: "Service degradation when displaying Request's changes",
        date: Some("2024-03-21"),
        entries: 7,
        first: Some("2024-03-19T10:36:00Z"),
        last: Some("2024-03-20T16:40:00Z"),
        moments: [None, None, None, Some("2024-03-19T13:05:00Z")],
        actions: (0, 0),
        decided: "Decided (spec 2.1): the date comes from the file name, which for these Jekyll posts is the publication day; the reader takes the incident day from the title and text.",
    },
    Expect {
        folder: "rust-infra-team",
        file: "20260702-rust-outage/README.md",
        title: "rust-lang/rust CI outage postmortem",
        date: Some("2026-07-02"),
        entries: 13,
        first: Some("2026-07-02T14:21:00Z"),
        last: Some("2026-07-08T03:28:00Z"),
        moments: [None, None, None, None],
        actions: (7, 0),
        decided: "Decided: a date that opens a title is the retro's date, shown beside it, and is dropped from the title. Not read yet: the moments are bold tags inside multi-event table cells (detected 07:48Z, mitigated 2026-07-05T00:22Z, resolved 2026-07-08T03:28Z by the reader).",
    },
    Expect {
        folder: "etcd-postmortems",
        file: "v3.5-data-inconsistency.md",
        title: "v3.5 data inconsistency postmortem",
        date: Some("2022-04-20"),
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (10, 5),
        decided: "",
    },
    Expect {
        folder: "hackney-addresses-api",
        file: "incidents.md",
        title: "Incidents",
        date: None,
        entries: 0,
        first: None,
        last: None,
        moments: [None, None, None, None],
        actions: (3, 0),
        decided: "Not split: its incidents are recurring problems without dates. The actions sit under misspelt bold labels (`Remeidal action`, `Remidial action`), read as follow-up actions (two edits at most).",
    },
];

#[test]
fn newer_folders_read_as_a_person_reads_them() {
    let Some(corpus) = common::corpus() else { return };
    let mut books = std::collections::BTreeMap::new();
    let utc = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    for e in ADOPTED {
        let book = books.entry(e.folder).or_insert_with(|| load_book(&corpus.join(e.folder)).unwrap().book);
        let in_file: Vec<_> = book.retros.iter().filter(|r| r.path == e.file).collect();
        assert_eq!(in_file.len(), 1, "{}/{}: one retro (no file here is an incident log)", e.folder, e.file);
        let r = in_file[0];
        let at = |x: Option<&retrobook::model::TimelineEntry>| x.map(|x| utc(x.at));
        let got = (
            r.title.as_str(),
            r.date.map(|d| d.to_string()),
            r.timeline.len(),
            at(r.timeline.first()),
            at(r.timeline.last()),
        );
        let want = (e.title, e.date.map(String::from), e.entries, e.first.map(String::from), e.last.map(String::from));
        assert_eq!(got, want, "{}/{}: title, date, entries, first, last", e.folder, e.file);
        let moments: Vec<Option<String>> =
            retrobook::model::Moment::ALL.iter().map(|m| r.impact.moment(*m).map(|v| utc(v.at))).collect();
        let want: Vec<Option<String>> = e.moments.iter().map(|m| m.map(String::from)).collect();
        assert_eq!(moments, want, "{}/{}: started, detected, mitigated, resolved", e.folder, e.file);
        let done = r.actions.iter().filter(|a| a.status == retrobook::model::ActionStatus::Done).count();
        assert_eq!((r.actions.len(), done), e.actions, "{}/{}: actions (all, done)", e.folder, e.file);
    }
}

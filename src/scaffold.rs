//! The text `new` and `init` write: a retro skeleton with guidance, a starter book, a CI workflow.

use jiff::civil::Date;

/// A new retro with front matter filled in and all seven sections, each with short guidance in
/// HTML comments (invisible on the site, visible while writing).
pub fn new_retro(id: &str, title: &str, date: Date, severity: &str, categories: &[String]) -> String {
    new_retro_started(id, title, date, severity, categories, None)
}

/// [`new_retro`] with `impact.started` filled in when `started` (as the user wrote it) is given.
pub fn new_retro_started(
    id: &str,
    title: &str,
    date: Date,
    severity: &str,
    categories: &[String],
    started: Option<&str>,
) -> String {
    let title_yaml = serde_json::to_string(title).unwrap_or_else(|_| "\"\"".into());
    let started = match started {
        Some(s) => format!("  started: {}", serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())),
        None => format!("  # started: \"{date} 09:00\""),
    };
    format!(
        r#"---
id: {id}
title: {title_yaml}
# date: the day the incident STARTED, not the day of writing; it anchors every HH:MM below
date: {date}
severity: {severity}
status: draft            # draft | in-review | published
summary: ""              # one or two sentences for lists, feeds and search results
services: []
teams: []
tags: []
authors: []
reviewers: []
roles: {{}}                # e.g. incident-commander: Ana Ruiz, comms-lead: …, scribe: …
external: false          # true: part of the customer-facing incident history
related: []              # ids of related retros
impact:
  # RFC 3339 (2025-03-14T09:14:00Z) or "YYYY-MM-DD HH:MM" in the book's time zone, in this
  # order. A moment left out is taken from the timeline entry of the same kind ([detected]…).
{started}
  # detected:
  # mitigated:
  # resolved:
  users: ""              # who lost what, in plain words
  data-loss: false
factors: []
# - id: config-drift     # reuse the ids of other retros, so recurrences are counted
#   category: process    # {categories}
#   summary: "…"
#   whys:
#     - "Why did …? Because …"
actions: []
# - id: A1
#   title: "…"
#   owner: team-or-person
#   status: open         # open | in-progress | done | wont-do
#   priority: high       # high | medium | low
#   due: {due}
#   addresses: [config-drift]
#   why: "Why this action, rather than another."
monitoring: []
# - metric: checkout p99 latency
#   unit: ms
#   data: latency.csv    # CSV beside this file, columns time,value
# - gap: "No alert on replication lag."
---

## Stakeholder message

<!-- Plain words for customers and leadership: what they experienced and for how long, what did
     NOT go wrong (was any data lost?), and what the follow-up plan changes for them. No jargon. -->

## Narrative

<!-- Tell the story with the impact at its centre: who was affected, how it unfolded, what people
     knew at each point and why their actions made sense at the time. -->

## Timeline

<!-- One entry per line: `- HH:MM [kind] what happened (role)`. Kinds: started, detected,
     escalated, mitigated, resolved, comms, breakthrough, miscommunication, handoff.
     Note who held which role, the breakthroughs, and where communication went wrong. -->

## Monitoring

<!-- What the dashboards and alerts showed at the time, against their normal baseline; which
     signal would have caught this sooner, and the gaps (add them under `monitoring:` as `gap:`). -->

## Contributing factors

<!-- Ask "why?" until you reach conditions you can change (five whys), and sort factors into
     categories (Ishikawa). Look at conditions, information and safeguards, not at people. -->

## Technical analysis

<!-- How the system is meant to work, how it actually behaved, and why. Show the evidence:
     queries, logs, configuration, code. -->

## Follow-up actions

<!-- Each action has an owner, a due date, the factor it addresses and WHY it was chosen over
     the alternatives. Prefer fewer actions that change conditions over many reminders. -->
"#,
        due = date.checked_add(jiff::Span::new().days(30)).unwrap_or(date),
        categories = categories.join(", "),
    )
}

/// The starter `book.toml` written by `init`.
pub const INIT_BOOK_TOML: &str = r#"# retrobook configuration — every key is optional; these are the defaults unless noted.

[book]
title = "Incident retrospectives"
description = "What we learned from our incidents"
language = "en"

[retros]
dir = "retros"
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]   # most severe first
timezone = "UTC"                                # for times written without an offset
factor-categories = ["people", "process", "tooling", "technology", "environment", "communication", "external"]

# A shared taxonomy of contributing factors: titles, categories, and aliases that merge variants.
[factors.config-drift]
title = "Configuration drift between environments"
category = "process"
aliases = ["configuration-drift"]

# Elements a retro must have, by severity, once it is in review (otherwise `check` suggests them).
# [retros.required]
# five-whys = ["SEV1", "SEV2"]
# follow-up-actions = ["SEV1", "SEV2"]

[lint]
blameless = "warn"                              # off | warn | error
completeness = true                             # suggest what each retro still lacks

[output.html]
# Where the site is served: GitHub Pages serves a repository's site under /<repository>/, so init
# wrote the name of the book's folder; use "/" for a <owner>.github.io repository or your own domain.
site-url = "@SITE_URL@"
# git-repository-url = "https://github.com/acme/retros"
# edit-url-template = "https://github.com/acme/retros/edit/main/{path}"

# The customer-facing incident history: `retrobook build --audience external` (into site-external/).
[output.external]
title = "Incident history"
# description = "Incidents that affected our customers, and what we changed."
# site-url = "https://status.example.com/history/"
# severity-labels = { SEV1 = "Major outage", SEV2 = "Partial outage" }
"#;

/// The GitHub Actions workflow written by `init`: on a pull request, checks the retros it changed
/// (annotations on the diff) and comments what the change does to the book; on main, builds the
/// site and publishes it to GitHub Pages; every Monday, also syncs the follow-up actions with
/// their trackers and keeps one "Overdue follow-up actions" issue up to date. See docs/git.md
/// and docs/actions.md.
const INIT_GITHUB_WORKFLOW: &str = r#"# retrobook: check retros in pull requests, comment what changed, publish the site from main;
# weekly, sync follow-up actions with their trackers and refresh the overdue digest.
# See https://github.com/retrobook/retrobook/blob/main/docs/git.md and docs/actions.md
name: retros
on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "17 6 * * 1"      # Mondays 06:17 UTC: "overdue" is never frozen at the last merge
  workflow_dispatch:

permissions:
  contents: read

env:
  RETROBOOK_VERSION: "@VERSION@"   # pinned: the release init came from; raise it to upgrade

jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write    # to post the diff as a comment
    env:
      PROMETHEUS_URL: ${{ secrets.PROMETHEUS_URL }}      # optional: see the monitoring step
      PROMETHEUS_TOKEN: ${{ secrets.PROMETHEUS_TOKEN }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0      # full history: --since, diff, created/updated dates and authors need it
@INSTALL@
      - name: Check the retros this pull request changes
        run: retrobook check --since origin/${{ github.base_ref }} --format github
      # Optional: with a PROMETHEUS_URL secret (and PROMETHEUS_TOKEN if your source sets
      # bearer-token-env = "PROMETHEUS_TOKEN"), pull the monitoring data that the changed retros
      # query but do not have yet, from the source named `prometheus` in book.toml. Nothing is
      # committed: the step lists the files for the author to pull and commit (docs/monitoring.md).
      - name: Pull missing monitoring data
        if: always() && env.PROMETHEUS_URL != ''
        run: |
          changed=$(git diff --name-only --diff-filter=AM origin/${{ github.base_ref }}... -- retros | grep '\.md$' || true)
          [ -n "$changed" ] || exit 0
          retrobook monitoring pull --source prometheus --url "$PROMETHEUS_URL" $changed
          pulled=$(git status --porcelain --untracked-files=all)
          if [ -n "$pulled" ]; then
            echo "::notice title=Monitoring data to add::Run \`retrobook monitoring pull\` and commit: $(echo "$pulled" | awk '{print $2}' | tr '\n' ' ')"
            echo "$pulled"
          fi
      - name: What the change does to the book
        if: always()
        run: retrobook diff origin/${{ github.base_ref }} > retrobook-diff.md
      - name: Comment on the pull request
        if: always() && github.event.pull_request.head.repo.full_name == github.repository
        env:
          GH_TOKEN: ${{ github.token }}
        run: gh pr comment ${{ github.event.pull_request.number }} --body-file retrobook-diff.md --edit-last || gh pr comment ${{ github.event.pull_request.number }} --body-file retrobook-diff.md

  site:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    permissions:
      contents: write         # the weekly run commits .retrobook/trackers.json
      issues: write           # …and edits the "Overdue follow-up actions" issue
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
@INSTALL@
      - name: Sync follow-up actions with their trackers
        if: github.event_name != 'push'
        continue-on-error: true   # one deleted issue must not stop the site
        env:
          # Names from [trackers.*] token-env in book.toml. github.token reads this repository
          # only; use a fine-grained token secret for issues in other repositories.
          GITHUB_TOKEN: ${{ secrets.TRACKERS_GITHUB_TOKEN || github.token }}
          GITLAB_TOKEN: ${{ secrets.GITLAB_TOKEN }}
          JIRA_USER: ${{ secrets.JIRA_USER }}
          JIRA_TOKEN: ${{ secrets.JIRA_TOKEN }}
        run: retrobook actions sync
      - name: Commit what the trackers said
        if: github.event_name != 'push'
        run: |
          git add .retrobook/trackers.json 2>/dev/null || exit 0
          git diff --cached --quiet && exit 0
          git -c user.name="retrobook" -c user.email="retrobook@users.noreply.github.com" \
            commit -m "actions sync: tracker states of follow-up actions"
          git push
      - name: Keep one "Overdue follow-up actions" issue up to date
        if: github.event_name != 'push'
        env:
          GH_TOKEN: ${{ github.token }}
        run: |
          title="Overdue follow-up actions"
          retrobook report actions --overdue --format markdown > overdue.md
          number=$(gh issue list --state all --search "\"$title\" in:title" --json number,title \
            --jq "map(select(.title == \"$title\")) | .[0].number // empty")
          if [ -n "$number" ]; then
            gh issue edit "$number" --body-file overdue.md
          else
            gh issue create --title "$title" --body-file overdue.md
          fi
      - run: retrobook build --dest-dir site
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site

  deploy:
    needs: site
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"#;

/// The GitLab CI example written by `init` as `.gitlab-ci.example.yml` (rename it to
/// `.gitlab-ci.yml` to use it): the same check and diff on merge requests, Pages from main.
pub const INIT_GITLAB_CI: &str = r#"# retrobook on GitLab: rename this file to .gitlab-ci.yml. See docs/git.md.
# Merge requests: check the changed retros and print the diff (post it with the API if you like);
# the default branch: build the site and publish it with GitLab Pages.
image: debian:stable-slim

variables:
  GIT_DEPTH: 0               # full history: --since, diff, dates and authors need it
  RETROBOOK_VERSION: "@VERSION@"   # pinned: the release init came from; raise it to upgrade

# The released binary for Linux x86_64, checksum verified. Without it, build from source:
# `cargo install --locked --git https://github.com/retrobook/retrobook --tag "v$RETROBOOK_VERSION" retrobook`
before_script:
  - apt-get update -qq && apt-get install -qq -y curl git ca-certificates >/dev/null
  - cd /tmp                  # downloads stay out of the checkout
  - release="https://github.com/retrobook/retrobook/releases/download/v${RETROBOOK_VERSION}"
  - archive="retrobook-v${RETROBOOK_VERSION}-x86_64-unknown-linux-gnu.tar.gz"
  - curl -fsSL --retry 3 -O "$release/$archive" -O "$release/SHA256SUMS"
  - awk -v f="$archive" '$2 == f' SHA256SUMS > "$archive.sha256" && test -s "$archive.sha256"
  - sha256sum --check "$archive.sha256"
  - tar -xzf "$archive" -C /usr/local/bin retrobook
  - cd "$CI_PROJECT_DIR"

check:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - retrobook check --since "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    - retrobook diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" | tee retrobook-diff.md
  artifacts:
    paths: [retrobook-diff.md]

pages:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  script:
    - retrobook build --dest-dir public
  artifacts:
    paths: [public]
"#;

/// The `book.toml` written by `init`, with `site-url` set to `site_url`.
pub fn init_book_toml(site_url: &str) -> String {
    INIT_BOOK_TOML.replace("@SITE_URL@", site_url)
}

/// The steps that install the pinned, checksum-verified release on a runner: written into each
/// job of the GitHub workflow that runs retrobook (`@INSTALL@`).
const INSTALL_STEPS: &str = r#"      - name: Cache retrobook
        id: retrobook-cache
        uses: actions/cache@v4
        with:
          path: ~/.retrobook/bin
          key: retrobook-${{ env.RETROBOOK_VERSION }}-${{ runner.os }}-${{ runner.arch }}
      - name: Install retrobook (the released binary, checksum verified)
        if: steps.retrobook-cache.outputs.cache-hit != 'true'
        run: |
          set -euo pipefail
          cd "$RUNNER_TEMP"                    # downloads stay out of the checkout
          case "${{ runner.os }}-${{ runner.arch }}" in
            Linux-X64) target=x86_64-unknown-linux-gnu ;;
            Linux-ARM64) target=aarch64-unknown-linux-gnu ;;
            macOS-X64) target=x86_64-apple-darwin ;;
            macOS-ARM64) target=aarch64-apple-darwin ;;
            *) echo "no retrobook release for ${{ runner.os }}-${{ runner.arch }}: build it from source (the commented step below)" >&2; exit 1 ;;
          esac
          release="https://github.com/retrobook/retrobook/releases/download/v${RETROBOOK_VERSION}"
          archive="retrobook-v${RETROBOOK_VERSION}-${target}.tar.gz"
          curl -fsSL --retry 3 -O "$release/$archive" -O "$release/SHA256SUMS"
          awk -v f="$archive" '$2 == f' SHA256SUMS > "$archive.sha256"
          test -s "$archive.sha256"            # the release lists this archive
          shasum -a 256 --check "$archive.sha256"
          mkdir -p ~/.retrobook/bin
          tar -xzf "$archive" -C ~/.retrobook/bin retrobook
      # Without a release for the runner, build the same version from source instead (slower):
      # - run: cargo install --locked --git https://github.com/retrobook/retrobook --tag "v$RETROBOOK_VERSION" retrobook
      - run: echo "$HOME/.retrobook/bin" >> "$GITHUB_PATH"
"#;

/// The GitHub Actions workflow written by `init`, pinned to `version` of retrobook.
pub fn init_github_workflow(version: &str) -> String {
    INIT_GITHUB_WORKFLOW.replace("@INSTALL@\n", INSTALL_STEPS).replace("@VERSION@", version)
}

/// The GitLab CI example written by `init`, pinned to `version` of retrobook.
pub fn init_gitlab_ci(version: &str) -> String {
    INIT_GITLAB_CI.replace("@VERSION@", version)
}

/// The `.gitignore` written by `init`: built sites and what builds leave beside them.
pub const INIT_GITIGNORE: &str = "# retrobook: built sites, their search caches and interrupted builds\n\
/site/\n\
/site-external/\n\
/.site*-cache/\n\
/.site*.tmp-*/\n\
/.site*.old-*/\n";

/// How many days before `init` ran its example incident is dated: recent, so that its action is
/// not overdue, and the statistics do not span empty months before the book's own retros.
pub const EXAMPLE_DAYS_AGO: i64 = 7;

/// The example retro's id when `init` runs on `today`.
pub fn init_example_id(today: Date) -> String {
    format!("{}-example-checkout-errors", example_date(today))
}

fn example_date(today: Date) -> Date {
    today.checked_sub(jiff::Span::new().days(EXAMPLE_DAYS_AGO)).unwrap_or(today)
}

/// The example retro written by `init` on `today`: dated [`EXAMPLE_DAYS_AGO`] days before, its
/// action due three weeks after `today`.
pub fn init_example_retro(today: Date) -> String {
    let date = example_date(today);
    let due = today.checked_add(jiff::Span::new().days(21)).unwrap_or(today);
    let day = date.strftime("%B %-d").to_string();
    EXAMPLE_RETRO
        .replace("@ID@", &init_example_id(today))
        .replace("@DATE@", &date.to_string())
        .replace("@DUE@", &due.to_string())
        .replace("@DAY@", &day)
}

const EXAMPLE_RETRO: &str = r#"---
id: @ID@
title: "Checkout errors after a payment-config change (example)"
date: @DATE@
severity: SEV3
status: draft
summary: "For 24 minutes about 6% of checkouts failed after a payment configuration change reached one region."
services: [checkout]
teams: [payments]
tags: [config, example]
authors: [your-name]
roles:
  incident-commander: your-name
impact:
  started: "@DATE@ 14:02"
  detected: "@DATE@ 14:09"
  mitigated: "@DATE@ 14:26"
  resolved: "@DATE@ 15:10"
  users: "About 6% of checkout attempts in the EU region failed; customers could retry."
  data-loss: false
factors:
  - id: config-drift
    category: process
    summary: "The EU region kept an older payment configuration after a partial push."
    whys:
      - "Why did checkouts fail? The EU region used a configuration with a retired key."
      - "Why was the key retired there? The config push skipped regions that were deploying."
actions:
  - id: A1
    title: "Compare payment configuration across regions in CI"
    owner: payments
    status: open
    priority: high
    due: @DUE@
    addresses: [config-drift]
    why: "The drift existed for two days; a CI comparison would catch it on the first push."
---

## Stakeholder message

On @DAY@ between 14:02 and 14:26 UTC, about 6% of checkout attempts in Europe failed.
No payment was taken twice and no data was lost. We now check that every region runs the same
payment configuration before a change is released.

## Narrative

Replace this example with your own retro, or keep it as a model: `retrobook new "Title"` writes
a fresh skeleton with guidance for each of the seven sections.

## Timeline

- 14:02 [started] A configuration push completes in all regions but EU.
- 14:09 [detected] The checkout error-rate alert pages the on-call engineer.
- 14:15 [escalated] The on-call engineer opens an incident; an incident commander joins.
- 14:21 [breakthrough] The error logs show the retired key name.
- 14:26 [mitigated] The EU configuration is re-pushed; errors stop.
- 15:10 [resolved] Reconciliation confirms no duplicate charges.

## Monitoring

The checkout error rate rose from a 0.2% baseline to 6.1%; the alert fires at 5% for 5 minutes.

## Contributing factors

See the five whys in the front matter.

## Technical analysis

The push tool marks regions in the middle of a deploy as "busy" and skips them.

## Follow-up actions

A CI comparison of regional configuration catches drift before it reaches customers.
"#;

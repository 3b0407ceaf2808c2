//! `retrobook new "TITLE"`: a new retro from the template. Never overwrites.

use super::{EXIT_OK, Outcome, exit, usage};
use anyhow::{Context, anyhow, bail};
use retrobook::text::slugify;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Options of `new`.
pub(crate) struct NewArgs {
    pub title: String,
    pub severity: Option<String>,
    pub date: Option<jiff::civil::Date>,
    /// `impact.started` as the user wrote it (`YYYY-MM-DD HH:MM` or RFC 3339).
    pub started: Option<String>,
    pub id: Option<String>,
}

/// Writes the retro and prints its path; returns the exit code.
pub(crate) fn run(root: &Path, args: &NewArgs, today: Option<jiff::civil::Date>) -> Outcome {
    let config = super::config_or_report(root)?;
    let severities = &config.retros.severities;
    let severity = args.severity.clone().unwrap_or_else(|| severities.last().cloned().unwrap_or_else(|| "SEV4".into()));
    if !severities.contains(&severity) {
        return Err(usage(anyhow!("unknown severity `{severity}`; expected one of {}", severities.join(", "))));
    }
    let date = incident_date(args, today, &config.timezone())?;
    let slug = file_slug(&args.title);
    if slug.is_empty() && args.id.is_none() {
        eprintln!(
            "note: the title has no Latin letters or digits for a file name; naming the retro `{date}-incident` \
             (pass --id to choose another)"
        );
    }
    let slug = if slug.is_empty() { "incident".to_string() } else { slug };
    let base = args.id.clone().unwrap_or_else(|| format!("{date}-{slug}"));
    if slugify(&base) != base {
        return Err(usage(anyhow!(
            "id `{base}` is not a slug; use lower-case letters, digits, `.`, `_`, `-` (e.g. `{}`)",
            slugify(&base)
        )));
    }
    let dir = root.join(&config.retros.dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Never overwrite: the first free name among base, base-2, base-3, …
    let existing: Vec<String> = retrobook::load::discover(&dir)
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| t.lines().find_map(|l| l.strip_prefix("id:").map(|v| v.trim().trim_matches('"').to_string())))
        .collect();
    for n in 1..10_000 {
        let id = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if existing.contains(&id) {
            continue;
        }
        let path: PathBuf = dir.join(format!("{id}.md"));
        let categories = &config.retros.factor_categories;
        let started = args.started.as_deref().map(str::trim);
        let text = retrobook::scaffold::new_retro_started(&id, &args.title, date, &severity, categories, started);
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(text.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
                println!("{}", retrobook::text::relative(root, &path));
                if n > 1 {
                    eprintln!("note: a retro with the id `{base}` already exists, so this one is `{id}`");
                }
                eprintln!("created a {severity} retro; fill in the seven sections, then run `retrobook check`");
                return exit(EXIT_OK);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
        }
    }
    bail!("no free file name for `{base}`")
}

/// The day the incident started: `--date`, else the day of `--started` (in the book's time
/// zone), else today, with a note that says so. Both given must agree.
fn incident_date(
    args: &NewArgs,
    today: Option<jiff::civil::Date>,
    tz: &jiff::tz::TimeZone,
) -> anyhow::Result<jiff::civil::Date> {
    let started = match &args.started {
        Some(s) => Some(retrobook::load::parse_timestamp(s, tz).map_err(|e| {
            let why = match e {
                retrobook::load::DateError::Impossible(why) => format!("an impossible date: {why}"),
                retrobook::load::DateError::Format => "not a moment".to_string(),
            };
            usage(anyhow!("--started `{s}` is {why}; write `YYYY-MM-DD HH:MM` (book time zone) or RFC 3339"))
        })?),
        None => None,
    };
    let started_day = started.map(|t| t.to_zoned_datetime(tz.clone()).date());
    match (args.date, started_day) {
        (Some(d), Some(s)) if d != s => Err(usage(anyhow!(
            "--date {d} and --started {} disagree: the date is the day the incident started (leave --date out)",
            args.started.as_deref().unwrap_or_default()
        ))),
        (Some(d), _) | (None, Some(d)) => Ok(d),
        (None, None) => {
            let d = today.unwrap_or_else(|| jiff::ZonedDateTime::now().with_time_zone(tz.clone()).date());
            eprintln!(
                "note: `date` is set to today, {d}; it is the day the incident started and anchors every HH:MM of \
                 the timeline, so pass --date YYYY-MM-DD (or --started \"YYYY-MM-DD HH:MM\") if it began earlier"
            );
            Ok(d)
        }
    }
}

/// The longest slug kept from a title: ids stay readable in URLs, and file names far below the
/// 255-byte limit of common file systems.
const MAX_SLUG: usize = 60;

/// The title's slug, cut at a word boundary to at most [`MAX_SLUG`] characters.
fn file_slug(title: &str) -> String {
    let slug = slugify(title);
    if slug.len() <= MAX_SLUG {
        return slug;
    }
    let cut = &slug[..MAX_SLUG];
    cut.rfind('-').filter(|&i| i > 0).map_or(cut, |i| &cut[..i]).trim_end_matches(['-', '.']).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let title = "Checkout failed for customers in every region ".repeat(8);
        let slug = super::file_slug(&title);
        assert!(slug.len() <= super::MAX_SLUG, "{slug}");
        assert!(slug.starts_with("checkout-failed-for-customers") && !slug.ends_with('-'), "{slug}");
        assert_eq!(super::file_slug("短いタイトル"), "");
        assert_eq!(super::file_slug("DNS outage"), "dns-outage");
    }
}

//! Benchmark (not a test): writes a Slack export of 20,000 messages into a temporary folder, then
//! times `import slack` of it into a retro, and a second import of the same export (which adds
//! nothing). Run with `cargo run --release --example import_bench [MESSAGES]`.

use retrobook::import::{self, Target};
use std::fmt::Write as _;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let dir = tempfile::tempdir()?;
    let export = dir.path().join("export");
    let book = dir.path().join("book");
    write_export(&export, n)?;
    std::fs::create_dir_all(book.join("retros"))?;
    std::fs::write(book.join("book.toml"), "[retros]\ntimezone = \"Europe/Berlin\"\n")?;
    let retro = "retros/2026-05-04-queue-backlog.md";
    std::fs::write(
        book.join(retro),
        "---\nid: 2026-05-04-queue-backlog\ntitle: Queue backlog\ndate: 2026-05-04\nseverity: SEV2\n---\n\n\
         ## Timeline\n\n- 08:00 [started] Deploy 1 went out\n- 12:00 A note written by hand\n\n## Follow-up actions\n\nNone.\n",
    )?;
    let config = retrobook::config::Config::load(&book).map_err(|d| anyhow::anyhow!("{d:?}"))?;
    let target = Target::Into(retro.to_string());

    let start = Instant::now();
    let conversation = import::slack::read(&export, "incident")?;
    let read = start.elapsed();
    let outcome = import::import(&book, &config, conversation, &target, false)?;
    let total = start.elapsed();
    println!(
        "import slack: {n} messages in the export, {} entries written, {} dropped: read {:.0} ms, total {:.0} ms",
        outcome.added.len(),
        outcome.dropped.total(),
        read.as_secs_f64() * 1000.0,
        total.as_secs_f64() * 1000.0
    );

    let start = Instant::now();
    let again = import::import(&book, &config, import::slack::read(&export, "incident")?, &target, false)?;
    println!(
        "second import (idempotent): {} added, {} already there, {:.0} ms",
        again.added.len(),
        again.already,
        start.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// An export with 40 people, one incident channel and one other channel; a message every ten
/// seconds or so, a thread now and then, a join every 500 messages, one day file per UTC day.
fn write_export(dir: &std::path::Path, n: usize) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("incident"))?;
    std::fs::create_dir_all(dir.join("random"))?;
    let mut users = String::from("[");
    for u in 0..40 {
        let sep = if u == 0 { "" } else { "," };
        let display = if u % 3 == 0 { String::new() } else { format!("person{u}") };
        write!(
            users,
            r#"{sep}{{"id":"U{u:04}","name":"p{u}","deleted":{},"is_bot":false,"profile":{{"display_name":"{display}","real_name":"Person Number {u}"}}}}"#,
            u == 7
        )?;
    }
    users.push(']');
    std::fs::write(dir.join("users.json"), users)?;
    std::fs::write(dir.join("channels.json"), r#"[{"id":"C1","name":"incident"},{"id":"C2","name":"random"}]"#)?;
    let start: i64 = 1_777_881_600; // 2026-05-04T08:00:00Z
    let mut days: std::collections::BTreeMap<i64, Vec<String>> = Default::default();
    for i in 0..n {
        let t = start + (i as i64) * 10 + (i as i64 % 7);
        let ts = format!("{t}.{:06}", i % 1_000_000);
        let user = format!("U{:04}", i % 40);
        let msg = if i % 500 == 0 {
            format!(
                r#"{{"type":"message","subtype":"channel_join","ts":"{ts}","user":"{user}","text":"<@{user}> has joined the channel"}}"#
            )
        } else if i % 50 == 1 {
            format!(
                r#"{{"type":"message","ts":"{ts}","user":"{user}","text":"Reply {i} in a thread: <@U0001> checked &lt;queue-{i}&gt; <https://dash.example/q/{i}|dashboard>","thread_ts":"{start}.000000"}}"#
            )
        } else {
            format!(
                r#"{{"type":"message","ts":"{ts}","user":"{user}","text":"Message {i}: backlog at {} and falling, see <#C1|incident>\nsecond line of {i}"}}"#,
                100_000 - i
            )
        };
        days.entry(t.div_euclid(86_400)).or_default().push(msg);
    }
    for (day, msgs) in days {
        let date = jiff::Timestamp::from_second(day * 86_400)?.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        std::fs::write(dir.join(format!("incident/{date}.json")), format!("[{}]", msgs.join(",")))?;
    }
    std::fs::write(
        dir.join("random/2026-05-04.json"),
        r#"[{"type":"message","ts":"1777885200.000000","user":"U0001","text":"not this"}]"#,
    )?;
    Ok(())
}

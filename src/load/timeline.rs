//! TEMPORARY interface stand-in; replaced by the real parser.
use jiff::{
    Timestamp,
    civil::{Date, DateTime},
    tz::TimeZone,
};
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Started,
    Detected,
    Escalated,
    Mitigated,
    Resolved,
    Comms,
    Breakthrough,
    Miscommunication,
    Handoff,
}
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub local: DateTime,
    pub kind: Option<EntryKind>,
    pub text: String,
    pub line: u32,
}
pub struct TimelineContext<'a> {
    pub date: Option<Date>,
    pub tz: &'a TimeZone,
}
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineIssue {
    pub line: u32,
    pub column: u32,
    pub rule: &'static str,
    pub message: String,
}
pub fn parse_timeline(_s: &str, _f: u32, _h: u8, _c: &TimelineContext) -> (Vec<TimelineEntry>, Vec<TimelineIssue>) {
    (vec![], vec![])
}
impl EntryKind {
    pub fn as_str(self) -> &'static str {
        "x"
    }
}

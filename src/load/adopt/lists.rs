//! Actions from lists and tables, and factors from a root-cause section.

use super::*;

/// A top-level list item of a section: its own text (nested lists left out), checkbox, whether
/// all its text is struck through, its links and its line offset in the section.
#[derive(Debug, Default)]
pub(super) struct ListItem {
    pub(super) text: String,
    pub(super) checked: bool,
    pub(super) struck_chars: usize,
    pub(super) chars: usize,
    pub(super) links: Vec<String>,
    pub(super) offset: usize,
    pub(super) label: Option<String>,
}

/// A table's header cells and rows (cell text, links in the row, offset of the row).
#[derive(Debug, Default)]
pub(super) struct TableRows {
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<(Vec<String>, Vec<String>, usize)>,
}

/// Top-level list items, tables and bold-labelled paragraphs of a section's Markdown.
#[derive(Debug, Default)]
pub(super) struct Parts {
    pub(super) items: Vec<ListItem>,
    pub(super) tables: Vec<TableRows>,
    /// (label, plain text of the whole paragraph, offset)
    pub(super) labelled: Vec<(String, String, usize)>,
    /// Plain text of top-level paragraphs that do not start with a label, with offsets.
    pub(super) paragraphs: Vec<(String, usize)>,
}

pub(super) fn parts(md: &str) -> Parts {
    let mut r = PartsReader::default();
    for (ev, range) in Parser::new_ext(md, markdown_options()).into_offset_iter() {
        if !r.block(&ev, range.start) {
            r.inline(ev);
        }
    }
    r.p
}

/// The state of [`parts`]' walk over a section's events.
#[derive(Default)]
struct PartsReader {
    p: Parts,
    list_depth: usize,
    block_depth: usize,
    item: Option<ListItem>,
    strike: usize,
    strong: Option<String>,
    /// text, offset, label, first event seen
    para: Option<(String, usize, Option<String>, bool)>,
    table: Option<TableRows>,
    cell: Option<String>,
    row: Option<(Vec<String>, Vec<String>, usize)>,
    in_head: bool,
}

impl PartsReader {
    /// Lists, items, quotes and code, paragraphs and tables: where text goes. Whether `ev` was
    /// one of them.
    fn block(&mut self, ev: &Event, at: usize) -> bool {
        let top = self.list_depth == 0 && self.block_depth == 0;
        match ev {
            Event::Start(Tag::List(_)) => self.list_depth += 1,
            Event::End(TagEnd::List(_)) => self.list_depth = self.list_depth.saturating_sub(1),
            Event::Start(Tag::Item) if self.list_depth == 1 && self.block_depth == 0 => {
                self.item = Some(ListItem { offset: at, ..Default::default() })
            }
            Event::End(TagEnd::Item) if self.list_depth == 1 && self.block_depth == 0 => {
                if let Some(it) = self.item.take() {
                    self.p.items.push(it);
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::CodeBlock(_) | Tag::FootnoteDefinition(_)) => self.block_depth += 1,
            Event::End(TagEnd::BlockQuote(_) | TagEnd::CodeBlock | TagEnd::FootnoteDefinition) => {
                self.block_depth = self.block_depth.saturating_sub(1)
            }
            Event::Start(Tag::Paragraph) if top => self.para = Some((String::new(), at, None, false)),
            Event::End(TagEnd::Paragraph) if top => self.end_paragraph(),
            Event::Start(Tag::Table(_)) if top => self.table = Some(TableRows::default()),
            Event::Start(Tag::Paragraph | Tag::Item | Tag::Table(_)) | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
            }
            _ => return self.table_part(ev, at),
        }
        true
    }

    fn end_paragraph(&mut self) {
        if let Some((text, at, label, _)) = self.para.take() {
            let text = collapse(&text);
            match label {
                Some(l) if !text.is_empty() => self.p.labelled.push((l, text, at)),
                _ if !text.is_empty() => self.p.paragraphs.push((text, at)),
                _ => {}
            }
        }
    }

    /// Table heads, rows and cells. Whether `ev` was one of them.
    fn table_part(&mut self, ev: &Event, at: usize) -> bool {
        match ev {
            Event::End(TagEnd::Table) => self.p.tables.extend(self.table.take()),
            Event::Start(Tag::TableHead) => self.in_head = true,
            Event::End(TagEnd::TableHead) => self.in_head = false,
            Event::Start(Tag::TableRow) => self.row = Some((Vec::new(), Vec::new(), at)),
            Event::End(TagEnd::TableRow) => {
                if let (Some(t), Some(r)) = (self.table.as_mut(), self.row.take()) {
                    t.rows.push(r);
                }
            }
            Event::Start(Tag::TableCell) => self.cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let c = collapse(&self.cell.take().unwrap_or_default());
                if self.in_head {
                    if let Some(t) = self.table.as_mut() {
                        t.header.push(c);
                    }
                } else if let Some(r) = self.row.as_mut() {
                    r.0.push(c);
                }
            }
            _ => return false,
        }
        true
    }

    /// Strike-through, bold labels, checkboxes, links and text inside the current block.
    fn inline(&mut self, ev: Event) {
        match ev {
            Event::Start(Tag::Strikethrough) => self.strike += 1,
            Event::End(TagEnd::Strikethrough) => self.strike = self.strike.saturating_sub(1),
            Event::Start(Tag::Strong) => {
                if let Some((text, _, None, false)) = self.para.as_mut()
                    && text.is_empty()
                {
                    self.strong = Some(String::new());
                } else if let Some(it) = self.item.as_mut()
                    && self.list_depth == 1
                    && it.text.trim().is_empty()
                    && it.label.is_none()
                {
                    self.strong = Some(String::new());
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some(s) = self.strong.take() {
                    let s = collapse(s.trim_end_matches(':'));
                    if let Some((_, _, label, _)) = self.para.as_mut() {
                        *label = Some(s);
                    } else if let Some(it) = self.item.as_mut() {
                        it.label = Some(s);
                    }
                }
            }
            Event::TaskListMarker(done) => {
                if let Some(it) = self.item.as_mut()
                    && self.list_depth == 1
                {
                    it.checked = done;
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(it) = self.item.as_mut() {
                    it.links.push(dest_url.to_string());
                } else if let Some(r) = self.row.as_mut() {
                    r.1.push(dest_url.to_string());
                }
            }
            Event::Text(t) | Event::Code(t) => self.text(&t),
            Event::SoftBreak | Event::HardBreak => {
                if let Some(it) = self.item.as_mut()
                    && self.list_depth == 1
                {
                    it.text.push(' ');
                } else if let Some((text, ..)) = self.para.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(s) = self.strong.as_mut() {
            s.push_str(t);
        }
        if let Some(c) = self.cell.as_mut() {
            c.push_str(t);
            if let Some(r) = self.row.as_mut() {
                r.1.extend(bare_urls(t));
            }
        } else if let Some(it) = self.item.as_mut() {
            if self.list_depth == 1 {
                it.text.push_str(t);
                let n = t.chars().filter(|c| !c.is_whitespace()).count();
                it.chars += n;
                if self.strike > 0 {
                    it.struck_chars += n;
                }
            }
            it.links.extend(bare_urls(t));
        } else if let Some((text, _, _, seen)) = self.para.as_mut() {
            text.push_str(t);
            *seen = true;
        }
    }
}

pub(super) static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"https?://[^\s<>()\[\]|]+").expect("valid regex"));
pub(super) static TRACKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)^https?://[^/\s]+/(?:
            (?:.*/)?(?:issues|pull|pulls|merge_requests)/\d+
          | (?:.*/)?browse/[A-Z][A-Z0-9]+-\d+
          | .*[?&]id=\d+
          | .*/(?:ticket|tickets|issue|bug|bugs|show_bug\.cgi)\b.*
        )",
    )
    .expect("valid regex")
});

pub(super) fn bare_urls(t: &str) -> impl Iterator<Item = String> + '_ {
    URL.find_iter(t).map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':']).to_string())
}

/// Whether a word of the text marks it done: a standalone `DONE`, `Done`, `(done)` or `✅`.
pub(super) fn says_done(text: &str) -> bool {
    text.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| matches!(c, ':' | ',' | '.' | ';' | '-' | '[' | ']'));
        matches!(w, "DONE" | "Done" | "(done)" | "(DONE)" | "(Done)" | "✅" | "✔️" | "✔")
    })
}

pub(super) fn without_done_markers(text: &str) -> String {
    let kept: Vec<&str> = text
        .split_whitespace()
        .filter(|w| {
            let w = w.trim_matches(|c: char| matches!(c, ':' | ',' | '.' | ';' | '-' | '[' | ']'));
            !matches!(w, "DONE" | "Done" | "(done)" | "(DONE)" | "(Done)" | "✅" | "✔️" | "✔" | "")
        })
        .collect();
    let t = kept.join(" ");
    t.trim_matches(|c: char| c == '-' || c == ':' || c.is_whitespace()).to_string()
}

/// Actions from the follow-up actions sections (headings or labels): each top-level list item,
/// and each row of a table with a Status column, in order: `A1`, `A2`, …
pub(crate) fn actions(sections: &[Section]) -> Vec<Action> {
    let mut out = Vec::new();
    for s in sections.iter().filter(|s| s.kind == Some(SectionKind::FollowUpActions)) {
        let p = parts(&s.markdown);
        let lines = crate::load::value::LineIndex::new(&s.markdown, s.body_line);
        // A table of actions makes the section's lists what they are around such tables: legends
        // and explanations ("Types: Prevent - …").
        let before = out.len();
        for t in &p.tables {
            table_actions(t, &lines, &mut out);
        }
        if out.len() > before {
            continue;
        }
        for it in &p.items {
            let text = collapse(&it.text);
            if text.is_empty() || text.eq_ignore_ascii_case("n/a") {
                continue;
            }
            let struck = it.chars > 0 && it.struck_chars * 2 > it.chars;
            let done = it.checked || struck || says_done(&text);
            let title = without_done_markers(&text);
            let link = it.links.iter().find(|l| TRACKER.is_match(l)).cloned();
            out.push(action(out.len(), if title.is_empty() { text } else { title }, done, link, lines.line(it.offset)));
        }
    }
    out
}

/// The rows of an actions table: one with a Status column (its title in the first other text
/// column), or one whose title column is named as actions (`Action item`, `Description`, …).
pub(super) fn table_actions(t: &TableRows, lines: &crate::load::value::LineIndex, out: &mut Vec<Action>) {
    let col = |names: &[&str]| t.header.iter().position(|h| names.contains(&h.to_lowercase().trim()));
    let named =
        col(&["action", "action item", "action items", "title", "description", "task", "item", "what", "measure"]);
    let status = col(&["status", "state", "done"]);
    let title = named.or_else(|| {
        status?;
        (0..t.header.len()).find(|&i| {
            Some(i) != status
                && !["type", "kind", "priority", "owner", "bug", "issue", "link", "ticket", "due", "#", "id"]
                    .contains(&t.header[i].to_lowercase().trim())
        })
    });
    let Some(title) = title else { return };
    let owner = col(&["owner", "assignee", "who"]);
    for (cells, links, at) in &t.rows {
        let text = cells.get(title).cloned().unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        let st = status.and_then(|c| cells.get(c)).map(|c| c.to_lowercase()).unwrap_or_default();
        let st = st.trim();
        let status_v = if st.is_empty() {
            ActionStatus::Open
        } else if ["done", "completed", "complete", "closed", "fixed", "resolved", "yes", "✅"].contains(&st) {
            ActionStatus::Done
        } else if st.starts_with("in progress") || st == "in-progress" || st == "ongoing" {
            ActionStatus::InProgress
        } else if ["won't do", "wont-do", "wontfix", "won't fix", "dropped"].contains(&st) {
            ActionStatus::WontDo
        } else {
            ActionStatus::Open
        };
        let link = links.iter().find(|l| TRACKER.is_match(l)).cloned();
        let mut a = action(out.len(), text, status_v == ActionStatus::Done, link, lines.line(*at));
        a.status = status_v;
        a.owner = owner.and_then(|o| cells.get(o)).filter(|o| !o.is_empty()).cloned();
        out.push(a);
    }
}

pub(super) fn action(n: usize, title: String, done: bool, link: Option<String>, line: u32) -> Action {
    Action {
        id: format!("A{}", n + 1),
        title,
        owner: None,
        status: if done { ActionStatus::Done } else { ActionStatus::Open },
        priority: None,
        due: None,
        link: link.map(|l| Spanned::new(l, Pos::new(line, 1))),
        addresses: Vec::new(),
        why: None,
        pos: Pos::new(line, 1),
    }
}

/// Factors from the contributing-factors sections (headings or labels): each top-level list
/// item and each bold-labelled paragraph; a bold-label section without a list is one factor
/// (its label paragraph). Plain prose paragraphs under a heading make none.
pub(crate) fn factors(sections: &[Section], config: &Config) -> Vec<Factor> {
    let mut out: Vec<Factor> = Vec::new();
    let mut push = |label: Option<&str>, summary: String, line: u32| {
        let source = label.filter(|l| !l.is_empty()).unwrap_or(&summary);
        let written = factor_slug(source);
        if written.is_empty() || summary.is_empty() {
            return;
        }
        let mut written = written;
        let base = written.clone();
        let mut n = 2;
        while out.iter().any(|f| f.written_id == written) {
            written = format!("{base}-{n}");
            n += 1;
        }
        let id = config.canonical_factor(&written).to_string();
        let category = config.factors.get(&id).and_then(|d| d.category.clone());
        out.push(Factor {
            id,
            written_id: written,
            category,
            summary: Some(truncate(&summary, 300)),
            whys: Vec::new(),
            pos: Pos::new(line, 1),
        });
    };
    for s in sections.iter().filter(|s| s.kind == Some(SectionKind::ContributingFactors)) {
        let p = parts(&s.markdown);
        let lines = crate::load::value::LineIndex::new(&s.markdown, s.body_line);
        let line_in = |offset: usize| lines.line(offset);
        let mut any = false;
        for it in &p.items {
            let text = collapse(&it.text);
            if !text.is_empty() {
                any = true;
                push(it.label.as_deref(), text, line_in(it.offset));
            }
        }
        for (label, text, at) in &p.labelled {
            any = true;
            push(Some(label), text.clone(), line_in(*at));
        }
        if !any
            && s.bold_label
            && let Some((text, at)) = p.paragraphs.first()
            && *at == 0
        {
            push(None, text.clone(), line_in(*at));
        }
    }
    out
}

/// A factor id from the first (at most five) words of a text.
pub(crate) fn factor_slug(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_lowercase())
        .filter(|w| !w.is_empty())
        .take(5)
        .collect();
    crate::text::slugify(&words.join("-")).chars().take(60).collect::<String>().trim_end_matches('-').to_string()
}

pub(super) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max).collect();
    if let Some(i) = t.rfind(' ') {
        t.truncate(i);
    }
    t.push('…');
    t
}

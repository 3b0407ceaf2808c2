//! The terminal table engine of the reports: aligned columns that fit in the terminal's width
//! (ids are never cut), headings between row groups, colour that never moves a column, and
//! control characters from retros shown escaped.

use super::{Terminal, line};
use crate::diagnostic::printable;
/// Space between table columns.
const GAP: usize = 2;
/// Indent of table rows under a heading.
const INDENT: usize = 2;

/// Cuts `s` to `width` characters, ending with `…` when cut.
pub(super) fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Terminal colours used by the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Style {
    #[default]
    Plain,
    Bold,
    Dim,
    Red,
    RedBold,
    Yellow,
}

/// `s` in `style`; control characters in `s` are shown escaped (they come from retros).
pub(super) fn paint(s: &str, style: Style, color: bool) -> String {
    let s = &*printable(s);
    let code = match style {
        Style::Plain => return s.to_string(),
        Style::Bold => "1",
        Style::Dim => "2",
        Style::Red => "31",
        Style::RedBold => "1;31",
        Style::Yellow => "33",
    };
    if color && !s.is_empty() { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Align {
    Left,
    Right,
}

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fit {
    /// Never shrinks: ids, dates, numbers.
    Fixed,
    /// Shrinks; long text is cut at the end with `…`.
    Cut,
}

pub(super) struct Cell {
    pub(super) text: String,
    pub(super) style: Style,
}

impl Cell {
    pub(super) fn plain(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), style: Style::Plain }
    }
    pub(super) fn styled(s: impl Into<String>, style: Style) -> Cell {
        Cell { text: s.into(), style }
    }
}

pub(super) enum Row {
    /// The column headers.
    Header,
    /// A line of text at the left margin (an owner, a section).
    Heading(String),
    Cells(Vec<Cell>),
    /// A dim line of text under the rows' indent (e.g. a run of empty months).
    Note(String),
    Blank,
}

/// Aligned columns that fit in a terminal's width: flexible columns shrink (their text cut with `…`)
/// when the natural widths do not fit.
pub(super) struct Table {
    /// Header, alignment, how it fits.
    columns: Vec<(String, Align, Fit)>,
    /// (first column, number of columns, label) drawn centred above the header.
    pub(super) super_headers: Vec<(usize, usize, String)>,
    pub(super) rows: Vec<Row>,
}

impl Table {
    pub(super) fn new(columns: &[(&str, Align, Fit)]) -> Table {
        Table {
            columns: columns.iter().map(|(h, a, f)| (h.to_string(), *a, *f)).collect(),
            super_headers: Vec::new(),
            rows: Vec::new(),
        }
    }

    fn widths(&self, width: usize) -> Vec<usize> {
        let mut w: Vec<usize> = self.columns.iter().map(|(h, _, _)| h.chars().count()).collect();
        for r in &self.rows {
            if let Row::Cells(cells) = r {
                for (i, c) in cells.iter().enumerate().take(w.len()) {
                    w[i] = w[i].max(printable(&c.text).chars().count());
                }
            }
        }
        for (first, span, label) in &self.super_headers {
            let have: usize = w[*first..first + span].iter().sum::<usize>() + GAP * (span - 1);
            let need = label.chars().count();
            if need > have {
                w[first + span - 1] += need - have;
            }
        }
        let total = |w: &[usize]| INDENT + w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
        while total(&w) > width {
            // Shrink the widest flexible column that can still give (down to 10 characters).
            let pick =
                (0..w.len()).filter(|&i| self.columns[i].2 != Fit::Fixed && w[i] > 10).max_by_key(|&i| (w[i], i));
            match pick {
                Some(i) => w[i] -= 1,
                None => break,
            }
        }
        w
    }

    pub(super) fn render(&self, out: &mut String, term: Terminal) {
        let (w, color) = (self.widths(term.width), term.color);
        let fmt_row = |cells: Vec<(&str, Style)>| {
            let mut s = " ".repeat(INDENT);
            for (i, (text, style)) in cells.into_iter().enumerate() {
                if i > 0 {
                    s.push_str(&" ".repeat(GAP));
                }
                let text = printable(text);
                let text = truncate(&text, w[i]);
                let pad = " ".repeat(w[i] - text.chars().count());
                let painted = paint(&text, style, color);
                match self.columns[i].1 {
                    Align::Left => {
                        s.push_str(&painted);
                        s.push_str(&pad);
                    }
                    Align::Right => {
                        s.push_str(&pad);
                        s.push_str(&painted);
                    }
                }
            }
            s.trim_end().to_string()
        };
        for r in &self.rows {
            match r {
                Row::Header => {
                    if !self.super_headers.is_empty() {
                        let mut s = " ".repeat(INDENT);
                        // Visible columns written so far (escape codes take none).
                        let mut cur = 0;
                        let start = |i: usize| w[..i].iter().sum::<usize>() + GAP * i;
                        for (first, span, label) in &self.super_headers {
                            let from = start(*first);
                            let width = start(first + span) - GAP - from;
                            let len = label.chars().count();
                            let at = from + (width - len.min(width)) / 2;
                            s.push_str(&" ".repeat(at.saturating_sub(cur)));
                            s.push_str(&paint(label, Style::Dim, color));
                            cur = cur.max(at) + len;
                        }
                        line(out, s.trim_end());
                    }
                    line(out, fmt_row(self.columns.iter().map(|(h, _, _)| (h.as_str(), Style::Bold)).collect()));
                }
                Row::Heading(text) => line(out, paint(text, Style::Bold, color)),
                Row::Note(text) => line(out, format!("{}{}", " ".repeat(INDENT), paint(text, Style::Dim, color))),
                Row::Cells(cells) => line(out, fmt_row(cells.iter().map(|c| (c.text.as_str(), c.style)).collect())),
                Row::Blank => out.push('\n'),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_fit_and_cut_with_an_ellipsis() {
        let mut t = Table::new(&[
            ("ID", Align::Left, Fit::Fixed),
            ("TITLE", Align::Left, Fit::Cut),
            ("N", Align::Right, Fit::Fixed),
        ]);
        t.rows.push(Row::Header);
        t.rows.push(Row::Cells(vec![Cell::plain("a"), Cell::plain("x".repeat(150)), Cell::plain("12")]));
        let mut out = String::new();
        t.render(&mut out, Terminal::plain());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], format!("  ID  TITLE{}   N", " ".repeat(85)));
        assert_eq!(lines[1].chars().count(), Terminal::DEFAULT_WIDTH);
        assert!(lines[1].ends_with("x…  12"));
    }

    #[test]
    fn tables_use_the_width_given_and_never_cut_fixed_columns() {
        let id = "2025-05-20-orders-database-failover-in-the-eu-region#A2";
        let mut t = Table::new(&[("ACTION", Align::Left, Fit::Fixed), ("TITLE", Align::Left, Fit::Cut)]);
        t.rows.push(Row::Header);
        t.rows.push(Row::Cells(vec![Cell::plain(id), Cell::plain("word ".repeat(40).trim_end())]));
        t.rows.push(Row::Note("3 months without incidents".into()));
        for width in [60, 100, 200] {
            let mut out = String::new();
            t.render(&mut out, Terminal { color: false, width });
            let row = out.lines().nth(1).unwrap();
            assert!(row.starts_with(&format!("  {id}  word")), "{width}: {row}");
            assert_eq!(row.chars().count(), width.max(2 + id.len() + 2 + 10), "{width}: {row}");
            assert_eq!(out.lines().nth(2), Some("  3 months without incidents"));
        }
    }

    #[test]
    fn colour_does_not_move_columns() {
        let mut t = Table::new(&[("A", Align::Left, Fit::Fixed), ("B", Align::Right, Fit::Fixed)]);
        t.super_headers = vec![(0, 1, "first".into()), (1, 1, "second".into())];
        t.rows.push(Row::Header);
        t.rows.push(Row::Cells(vec![Cell::styled("x", Style::Red), Cell::plain("1")]));
        let (mut plain, mut coloured) = (String::new(), String::new());
        t.render(&mut plain, Terminal::plain());
        t.render(&mut coloured, Terminal { color: true, ..Terminal::plain() });
        let strip = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
        assert!(coloured.contains('\x1b'));
        assert_eq!(strip.replace_all(&coloured, ""), plain);
        assert_eq!(plain, "  first  second\n  A           B\n  x           1\n");
    }

    #[test]
    fn table_cells_show_control_characters_escaped() {
        let mut t = Table::new(&[("A", Align::Left, Fit::Cut), ("B", Align::Right, Fit::Fixed)]);
        t.rows.push(Row::Header);
        t.rows.push(Row::Heading("owner \u{1b}]0;pwned\u{7}".into()));
        t.rows.push(Row::Cells(vec![Cell::plain("x\u{1b}[2Jy"), Cell::styled("1", Style::Red)]));
        for color in [false, true] {
            let mut out = String::new();
            t.render(&mut out, Terminal { color, ..Terminal::plain() });
            assert!(!out.contains("\u{1b}]") && !out.contains("\u{1b}[2J") && !out.contains('\u{7}'), "{out:?}");
            assert!(out.contains("x\\u{1b}[2Jy"), "{out:?}");
        }
    }
}

//! The fishbone (Ishikawa) chart of an incident's contributing factors by category.

use super::*;

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FishboneFactor {
    /// Short label (factor id or summary); truncated to 40 characters and wrapped on two lines.
    pub label: String,
    /// Optional link target for the label.
    pub href: Option<String>,
}

/// One bone of a fishbone diagram.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FishboneCategory {
    /// Category name, e.g. "Process".
    pub name: String,
    /// Factors; categories without factors are not drawn.
    pub factors: Vec<FishboneFactor>,
}

/// Input of [`fishbone_svg`].
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Fishbone {
    /// Accessible title.
    pub title: String,
    /// The effect shown in the head box (usually the incident title).
    pub effect: String,
    /// Categories, drawn left to right alternating above and below the spine.
    pub categories: Vec<FishboneCategory>,
}

// ---------------------------------------------------------------- 2. fishbone

/// Ishikawa diagram: categories as bones alternating above and below a spine ending in the effect box.
pub(crate) fn fishbone_svg(input: &Fishbone, id_prefix: &str) -> String {
    const W: f64 = 960.0;
    const SLANT: f64 = 0.4; // horizontal run of a bone per unit of rise
    const FONT: f64 = 11.5;
    const LH: f64 = 14.0; // factor line height
    let cats: Vec<&FishboneCategory> = input.categories.iter().filter(|c| !c.factors.is_empty()).collect();
    let mut desc = format!("Cause and effect diagram for: {}.", input.effect.trim());
    for c in &cats {
        let labels: Vec<&str> = c.factors.iter().map(|f| f.label.as_str()).collect();
        w!(desc, " {}: {}.", c.name, labels.join(", "));
    }
    let head = wrap(&input.effect, 22, 4);
    let head = if head.is_empty() { vec!["(untitled)".to_string()] } else { head };
    let (head_w, head_h) = (200.0, (head.len() as f64 * 17.0 + 22.0).max(60.0));
    let head_x = W - 8.0 - head_w;
    let cols = cats.len().div_ceil(2).max(1);
    let max_factors = cats.iter().map(|c| c.factors.len()).max().unwrap_or(0) as f64;
    let colw = ((head_x - 40.0 - SLANT * (20.0 + max_factors * (2.0 * LH + 6.0))) / cols as f64).min(300.0);
    let chars = ((colw - 26.0) / (FONT * 0.56)).floor().max(8.0) as usize;
    let attach = |c: usize| head_x - 28.0 - (cols - 1 - c) as f64 * colw;
    let wrapped: Vec<Vec<Vec<String>>> =
        cats.iter().map(|c| c.factors.iter().map(|f| wrap(&truncate(&f.label, 40), chars, 2)).collect()).collect();
    let slot = |l: &Vec<String>| l.len().max(1) as f64 * LH + 6.0;
    let need = |i: usize| 20.0 + wrapped[i].iter().map(slot).sum::<f64>();
    let side_len = |up: bool| (0..cats.len()).filter(|i| (i % 2 == 0) == up).map(need).fold(0.0, f64::max);
    let (l_up, l_down) = (side_len(true), side_len(false));
    let spine_y = (if l_up > 0.0 { l_up + 26.0 } else { 0.0 }).max(head_h / 2.0 + 8.0);
    let h = spine_y + (if l_down > 0.0 { l_down + 26.0 } else { 0.0 }).max(head_h / 2.0 + 8.0);

    let mut o = String::new();
    open(&mut o, id_prefix, "fishbone", (W, h), &input.title, &desc, "");
    let spine_x0 = if cats.is_empty() { 24.0 } else { (attach(0) - colw - SLANT * l_up.max(l_down)).max(8.0) };
    line(&mut o, (spine_x0, spine_y), (head_x, spine_y), "rb-spine", r#" stroke-width="3""#);
    rect(&mut o, (head_x, spine_y - head_h / 2.0), (head_w, head_h), "rb-head", r#" rx="6""#);
    let y0 = spine_y - (head.len() as f64 - 1.0) * 8.5 + 4.5;
    for (i, l) in head.iter().enumerate() {
        text(&mut o, (head_x + head_w / 2.0, y0 + i as f64 * 17.0), 13.0, "middle", "rb-head", l);
    }
    for (i, cat) in cats.iter().enumerate() {
        let up = i % 2 == 0;
        let (sign, len) = if up { (-1.0, l_up) } else { (1.0, l_down) };
        let ax = attach(i / 2);
        let bone_x = |y: f64| ax - SLANT * (y - spine_y).abs();
        line(&mut o, (ax, spine_y), (bone_x(spine_y + len), spine_y + sign * len), "rb-bone", r#" stroke-width="1.5""#);
        let name = truncate(&cat.name, ((colw - 24.0) / (11.0 * 0.8)) as usize);
        let cy = spine_y + sign * (len + 8.0) + if up { 0.0 } else { 9.0 };
        text(&mut o, (bone_x(spine_y + len), cy), 11.0, "middle", "rb-category", &name);
        let mut cursor = if up { spine_y - len + 8.0 } else { spine_y + 14.0 };
        for (factor, lines) in cat.factors.iter().zip(&wrapped[i]) {
            let (top, bottom) = (cursor, cursor + lines.len() as f64 * LH);
            cursor += slot(lines);
            let dot_y = (top + bottom) / 2.0;
            let far = if up { top } else { bottom };
            w!(o, "<g><title>{}</title>", escape(&factor.label));
            w!(o, r#"<circle cx="{}" cy="{}" r="3.5" class="rb-factor"/>"#, f(bone_x(dot_y)), f(dot_y));
            let href = factor.href.as_deref().filter(|h| {
                let h = h.trim_start().to_ascii_lowercase();
                !["javascript:", "data:", "vbscript:"].iter().any(|s| h.starts_with(s))
            });
            if let Some(href) = href {
                w!(o, r#"<a href="{}">"#, escape(href));
            }
            for (j, l) in lines.iter().enumerate() {
                text(&mut o, (bone_x(far) - 9.0, top + (j as f64 + 1.0) * LH - 3.5), FONT, "end", "rb-factor", l);
            }
            o.push_str(if href.is_some() { "</a></g>" } else { "</g>" });
        }
    }
    o.push_str("</svg>");
    o
}

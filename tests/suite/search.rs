//! The search bundle: one record per retro with its readable text, years grouped into bundles, and
//! nothing of the raw front matter.

use crate::common;
use common::*;
use std::io::Read;

fn fragments(site: &std::path::Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    for shard in std::fs::read_dir(site.join("pagefind")).unwrap() {
        let shard = shard.unwrap().path();
        if !shard.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(shard.join("fragment")).unwrap() {
            let bytes = std::fs::read(f.unwrap().path()).unwrap();
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
            let json = text.strip_prefix("pagefind_dcd").expect("a pagefind fragment");
            out.push(serde_json::from_str(json).unwrap());
        }
    }
    out
}

#[test]
fn a_word_only_in_one_technical_analysis_finds_that_retro() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let out = run(&["--today", "2026-11-28", "build", "--dest-dir", site.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("16 search records"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("pagefind/shards.json")).unwrap()).unwrap();
    let shards: Vec<&str> =
        manifest["shards"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(shards, ["2024-2026"], "a small book's years make one bundle");
    // The files the search page preloads are the bundle's own: its metadata and WebAssembly.
    let bundle = site.join("pagefind/2024-2026");
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("pagefind-entry.json")).unwrap()).unwrap();
    let hash = entry["languages"]["en"]["hash"].as_str().unwrap();
    let shard = &manifest["shards"][0];
    assert_eq!(shard["meta"], format!("pagefind.{hash}.pf_meta"));
    assert_eq!(shard["wasm"], "wasm.en.pagefind");
    for file in ["meta", "wasm"] {
        assert!(bundle.join(shard[file].as_str().unwrap()).is_file(), "{file}: {shard}");
    }

    let frags = fragments(&site);
    assert_eq!(frags.len(), 16, "one record per retro");
    let book = retrobook::load::load_book(&repo()).unwrap().book;
    let raw: Vec<String> =
        book.retros.iter().map(|r| std::fs::read_to_string(&r.abs_path).unwrap().to_lowercase()).collect();
    let mut checked = 0;
    for (i, r) in book.retros.iter().enumerate() {
        let Some(analysis) = r.section(retrobook::model::SectionKind::TechnicalAnalysis) else { continue };
        let text = retrobook::render::markdown::plain_text(&analysis.markdown).to_lowercase();
        let unique = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 9)
            .find(|w| raw.iter().enumerate().all(|(j, other)| j == i || !other.contains(w)));
        let Some(word) = unique else { continue };
        let hits: Vec<&str> = frags
            .iter()
            .filter(|f| f["content"].as_str().unwrap().to_lowercase().contains(word))
            .map(|f| f["url"].as_str().unwrap())
            .collect();
        assert_eq!(hits, [format!("retros/{}/", r.id)], "`{word}` from {}'s technical analysis", r.id);
        checked += 1;
    }
    assert!(checked >= 5, "checked {checked} retros");
    for f in &frags {
        let content = f["content"].as_str().unwrap();
        for raw_yaml in ["incident-commander:", "severity: SEV", "addresses: [", "data-loss:"] {
            assert!(!content.contains(raw_yaml), "raw front matter `{raw_yaml}` in {}", f["url"]);
        }
        // Every facet is one Pagefind filter (one file for the browser to fetch), as `name:value`.
        let facets: Vec<&str> =
            f["filters"]["rb_facet"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert!(facets.iter().any(|v| v.starts_with("severity:SEV")), "{}: {facets:?}", f["url"]);
        assert!(facets.iter().any(|v| v.starts_with("year:20")), "{}: {facets:?}", f["url"]);
        assert_eq!(f["filters"].as_object().unwrap().len(), 1, "{}", f["url"]);
    }
}

#[test]
fn no_search_skips_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let out = run(&["--today", "2026-11-28", "build", "--no-search", "--dest-dir", site.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!site.join("pagefind").exists());
    assert!(!site.join("search/index.html").exists());
}

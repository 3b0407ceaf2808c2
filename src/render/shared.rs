//! Links that many rows and actions show (a service, a tag, a factor, an action's retro) made into
//! one template value each and shared, instead of a fresh map with two strings for every row that
//! lists them.
//!
//! A template value's map sits behind an `Arc`, and Tera's serialiser takes a `tera::Value` it
//! meets inside a struct as it is (a clone of the `Arc`). A field marked
//! `#[serde(serialize_with = "shared::links")]` is serialised as such values while
//! [`value`] (or [`context`]) makes a template value on this thread, and as plain links
//! otherwise, so JSON digests and keys do not change. At 100,000 synthetic retros the incident
//! rows and the actions board hold about 700,000 links of this kind. Each thread keeps the values
//! it made until [`forget`], which `Renderer::run` calls when the pages are done.
//!
//! An incident's row is made into a template value once per build, and every page that lists it
//! holds it as a [`SharedValue`], which a page's key writes as its digest.

use super::context::Link;
use serde::{Serialize, Serializer};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

thread_local! {
    /// True while this thread makes a template value through [`value`] or [`context`].
    static SHARING: Cell<bool> = const { Cell::new(false) };
    /// The values of the links this thread has made.
    static LINKS: RefCell<HashMap<Link, tera::Value>> = RefCell::new(HashMap::new());
}

/// The template value of `x`, its shared links included.
pub(crate) fn value<T: Serialize + ?Sized>(x: &T) -> tera::Value {
    sharing(|| tera::Value::from_serializable(x))
}

/// The template context of `x`, its shared links included.
pub(crate) fn context<T: Serialize + ?Sized>(x: &T) -> tera::TeraResult<tera::Context> {
    sharing(|| tera::Context::from_serialize(x))
}

fn sharing<R>(make: impl FnOnce() -> R) -> R {
    let before = SHARING.replace(true);
    let made = make();
    SHARING.set(before);
    made
}

/// Serialises `links` as shared template values while one is being made, else as they are.
pub(crate) fn links<S: Serializer>(links: &[Link], s: S) -> Result<S::Ok, S::Error> {
    if !SHARING.get() {
        return links.serialize(s);
    }
    links.iter().map(made).collect::<Vec<_>>().serialize(s)
}

/// [`links`] for at most one link.
pub(crate) fn link<S: Serializer>(link: &Option<Link>, s: S) -> Result<S::Ok, S::Error> {
    match link {
        Some(link) if SHARING.get() => s.serialize_some(&made(link)),
        _ => link.serialize(s),
    }
}

/// The value of `link` this thread made, made now if it has none.
fn made(link: &Link) -> tera::Value {
    LINKS.with_borrow_mut(|made| match made.get(link) {
        Some(v) => v.clone(),
        None => made.entry(link.clone()).or_insert_with(|| tera::Value::from_serializable(link)).clone(),
    })
}

/// A template value that many pages show (an incident's row) with the digest of what it was made
/// from (see `page::known_value`). While a template value is made it is its value (a clone of the
/// `Arc`); otherwise — in the JSON of a page's key, `Renderer::plain_key` — it is its digest, so a
/// page listing thousands of incidents is keyed without walking their values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SharedValue {
    pub value: tera::Value,
    pub digest: [u8; 32],
}

impl Serialize for SharedValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if SHARING.get() {
            self.value.serialize(s)
        } else {
            s.serialize_str(blake3::Hash::from_bytes(self.digest).to_hex().as_str())
        }
    }
}

/// Drops the values every thread of the pool and this one keep: what a render made stays shared
/// by the values that hold it, and nothing is kept for the next render.
pub(crate) fn forget() {
    let clear = || LINKS.with_borrow_mut(HashMap::clear);
    rayon::broadcast(|_| clear());
    clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        title: &'static str,
        #[serde(serialize_with = "links")]
        tags: Vec<Link>,
    }

    fn row(tags: &[&str]) -> Row {
        let link = |t: &&str| Link { label: t.to_string(), url: format!("tags/{t}/") };
        Row { title: "A", tags: tags.iter().map(link).collect() }
    }

    fn tag_maps(v: &tera::Value) -> Vec<usize> {
        let tags = v.get_from_path("tags").expect("a row has tags");
        let tags = tags.as_array().expect("tags are a list");
        tags.iter().map(|t| std::ptr::from_ref(t.as_map().expect("a link is a map")) as usize).collect()
    }

    #[test]
    fn a_link_shown_twice_is_one_value_and_the_same_as_a_fresh_one() {
        let (a, b) = (value(&row(&["db", "dns"])), value(&row(&["dns"])));
        assert_eq!(a, tera::Value::from_serializable(&row(&["db", "dns"])));
        assert_eq!(b, tera::Value::from_serializable(&row(&["dns"])));
        assert_eq!(tag_maps(&a)[1], tag_maps(&b)[0], "the dns link is one map");
        let fresh = tera::Value::from_serializable(&row(&["dns"]));
        assert_ne!(tag_maps(&fresh)[0], tag_maps(&b)[0], "outside `value` links are made afresh");
    }

    #[test]
    fn outside_a_template_value_links_serialise_as_plain_json() {
        let json = serde_json::to_string(&row(&["db"])).expect("json");
        assert_eq!(json, r#"{"title":"A","tags":[{"label":"db","url":"tags/db/"}]}"#);
        let _ = value(&row(&["db"]));
        assert_eq!(serde_json::to_string(&row(&["db"])).expect("json"), json);
    }

    #[test]
    fn a_shared_value_is_its_value_in_a_template_value_and_its_digest_in_json() {
        let made = value(&row(&["db"]));
        let shared = SharedValue { value: made.clone(), digest: [0xab; 32] };
        let list = value(&vec![shared.clone()]);
        let first = &list.as_array().expect("a list")[0];
        assert_eq!(first, &made);
        assert!(std::ptr::eq(first.as_map().expect("a map"), made.as_map().expect("a map")), "the same map");
        assert_eq!(serde_json::to_string(&shared).expect("json"), format!("\"{}\"", "ab".repeat(32)));
    }
}

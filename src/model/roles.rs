//! A retro's `roles:`: a few role → person pairs, kept in a list sorted by role.

use serde::Serialize;

/// Incident role → person (`incident-commander: Ana Ruiz`), sorted by role, each role once. A
/// retro names two or three; a `BTreeMap` would allocate a node with room for eleven pairs (544
/// bytes for `String` pairs) in every retro of the book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roles(Vec<(String, String)>);

impl Roles {
    /// Sets the person holding `role`, replacing an earlier one (as a map would).
    pub fn insert(&mut self, role: String, person: String) {
        match self.0.binary_search_by(|(r, _)| r.as_str().cmp(&role)) {
            Ok(i) => self.0[i].1 = person,
            Err(i) => self.0.insert(i, (role, person)),
        }
    }
    /// The person holding `role`.
    pub fn get(&self, role: &str) -> Option<&String> {
        self.0.binary_search_by(|(r, _)| r.as_str().cmp(role)).ok().map(|i| &self.0[i].1)
    }
    /// Role and person, sorted by role.
    pub fn iter(&self) -> RolesIter<'_> {
        self.0.iter().map(|(r, p)| (r, p))
    }
    /// The people, in the order of their roles.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(_, p)| p)
    }
    /// No role is named.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many roles are named.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Gives back the spare room of the list and its texts (the book keeps it for the whole run).
    pub(crate) fn shrink_to_fit(&mut self) {
        for (r, p) in &mut self.0 {
            r.shrink_to_fit();
            p.shrink_to_fit();
        }
        self.0.shrink_to_fit();
    }
}

/// What [`Roles::iter`] returns.
pub type RolesIter<'a> =
    std::iter::Map<std::slice::Iter<'a, (String, String)>, fn(&'a (String, String)) -> (&'a String, &'a String)>;

impl<'a> IntoIterator for &'a Roles {
    type Item = (&'a String, &'a String);
    type IntoIter = RolesIter<'a>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for Roles {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn roles_read_like_the_map_they_replace() {
        let pairs = [("scribe", "Ana"), ("incident-commander", "Raj"), ("comms-lead", "Lena"), ("scribe", "Mo")];
        let mut roles = Roles::default();
        let mut map = BTreeMap::new();
        for (r, p) in pairs {
            roles.insert(r.to_string(), p.to_string());
            map.insert(r.to_string(), p.to_string());
        }
        assert_eq!(roles.iter().collect::<Vec<_>>(), map.iter().collect::<Vec<_>>());
        assert_eq!(roles.values().collect::<Vec<_>>(), map.values().collect::<Vec<_>>());
        assert_eq!((roles.len(), roles.get("scribe").map(String::as_str), roles.get("x")), (3, Some("Mo"), None));
        assert_eq!(serde_json::to_string(&roles).ok(), serde_json::to_string(&map).ok());
        assert!(Roles::default().is_empty() && !roles.is_empty());
    }
}

//! What the book knows about its follow-up actions' trackers, as plain data: tracker links
//! parsed against book.toml's `[trackers.*]` (`links`) and the state the last `actions sync`
//! wrote to `.retrobook/trackers.json` (`store`). Read by load; the network side is
//! `crate::trackers`.

pub mod links;
pub mod store;

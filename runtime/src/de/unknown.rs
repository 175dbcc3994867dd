//! Fields the documents lack: keys a generated struct does not know.
//!
//! The readers skip them, and while an answer is decoded inside
//! [`collect`] they note each one's path: the struct that meets the key
//! notes it, and every struct field and list item it sits in adds its own
//! name or index on the way out. Outside [`collect`] (a caller's own
//! `serde_json::from_str`) nothing is noted. The cost for an answer without
//! unknown fields is one thread-local read before and after each field.

use std::cell::{Cell, RefCell};

use crate::error::Error;

thread_local! {
    /// The paths noted so far, each from the leaf up; `None` outside
    /// [`collect`].
    static FOUND: RefCell<Option<Vec<Vec<Segment>>>> = const { RefCell::new(None) };
    /// How many paths [`FOUND`] holds, readable without borrowing it.
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

/// One step of a field path.
enum Segment {
    Key(String),
    Index(usize),
}

/// How many unknown fields have been noted; compare before and after
/// reading a value to learn whether the value held any.
pub(super) fn count() -> usize {
    COUNT.with(Cell::get)
}

/// Notes the key `key` that the struct being read does not know.
pub(super) fn note(key: &str) {
    FOUND.with_borrow_mut(|found| {
        if let Some(found) = found {
            found.push(vec![Segment::Key(key.to_owned())]);
            COUNT.set(found.len());
        }
    });
}

/// Puts the field `key` in front of the paths noted since `since`.
pub(super) fn under_key(since: usize, key: &str) {
    prefix(since, || Segment::Key(key.to_owned()));
}

/// Puts the list index `index` in front of the paths noted since `since`.
pub(super) fn under_index(since: usize, index: usize) {
    prefix(since, || Segment::Index(index));
}

fn prefix(since: usize, segment: impl Fn() -> Segment) {
    FOUND.with_borrow_mut(|found| {
        for path in found.iter_mut().flatten().skip(since) {
            path.push(segment());
        }
    });
}

/// Runs `decode` and returns, beside its result, the path of every unknown
/// field it met (`result.items[0].new_field`), in the order met.
pub fn collect<R>(decode: impl FnOnce() -> R) -> (R, Vec<String>) {
    struct Restore(Option<Vec<Vec<Segment>>>, usize);
    impl Drop for Restore {
        fn drop(&mut self) {
            FOUND.set(self.0.take());
            COUNT.set(self.1);
        }
    }
    let outer = Restore(FOUND.replace(Some(Vec::new())), COUNT.replace(0));
    let result = decode();
    let found = FOUND.with_borrow_mut(|f| f.take()).unwrap_or_default();
    drop(outer);
    (result, found.iter().map(|p| render(p)).collect())
}

/// Whether `path` is a field the platform adds to every answer, beside the
/// documented ones (`request_id` at the top).
pub fn is_platform_field(path: &str) -> bool {
    path == "request_id"
}

/// Reports the unknown fields of an answer of `api`: each one as a `debug`
/// event; with `strict`, the first one that is not the platform's own as
/// [`Error::UnknownField`].
pub(crate) fn report(api: &str, found: &[String], strict: bool) -> Result<(), Error> {
    for path in found {
        tracing::debug!(api, field = %path, "the answer has a field the documents lack");
    }
    match found.iter().find(|p| !is_platform_field(p)) {
        Some(path) if strict => Err(Error::UnknownField {
            api: api.to_owned(),
            path: path.clone(),
        }),
        _ => Ok(()),
    }
}

/// A path noted from the leaf up, written root first.
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path.iter().rev() {
        match segment {
            Segment::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_built_on_the_way_out() {
        let ((), found) = collect(|| {
            let before = count();
            note("new_field");
            under_index(before, 3);
            under_key(before, "items");
            note("request_id");
            assert_eq!(count(), 2);
            // Nested collection is separate.
            let ((), inner) = collect(|| note("x"));
            assert_eq!(inner, ["x"]);
            assert_eq!(count(), 2);
        });
        assert_eq!(found, ["items[3].new_field", "request_id"]);
        // Outside `collect` nothing is kept.
        note("lost");
        assert_eq!(count(), 0);
    }
}

//! A cache of results whose inputs did not change, so a regen after one
//! document changed redoes the work of that document only.
//!
//! Each cached step takes one input type, and an entry is found by a
//! [`Key`] derived from all of it: a BLAKE3 hash of the input's serialized
//! form, the step's kind and the generator's fingerprint (which changes
//! whenever the generator's code does). So a field a step starts to read is
//! a field of its input, and part of its key. An entry is an [`Entry`]: a
//! body kept as is and typed metadata as JSON, sealed with a hash keyed by
//! its key, so a missing, truncated, corrupt or misplaced entry reads as a
//! miss, never as a wrong result. Writing is best-effort: each entry is written to a
//! temporary file and renamed into place, and a failure only loses the entry.
//!
//! Entries live in `<dir>/<fingerprint>/<kind>/<xx>/<key>`; [`Cache::prune`]
//! drops the folders of fingerprints no longer in use.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bumped when the layout of an entry changes.
const FORMAT: &[u8] = b"topgen-regen-cache 2";

/// The cache's folder below cargo's target folder.
pub const DIR_NAME: &str = "regen-cache";

/// The file touched in a fingerprint's folder each time it is opened.
const USED: &str = "used";

/// The address of one entry: a hash of everything its result depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(blake3::Hash);

impl Key {
    fn hex(&self) -> String {
        self.0.to_hex().to_string()
    }
}

/// Builds a [`Key`] from parts; each part is length-prefixed, so
/// `("ab", "c")` and `("a", "bc")` differ.
#[derive(Debug, Clone)]
struct KeyBuilder(blake3::Hasher);

impl KeyBuilder {
    fn part(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    fn str(self, s: &str) -> Self {
        self.part(s.as_bytes())
    }

    /// The whole of `input`, as JSON: self-describing, so two inputs that
    /// differ in any field, or in which fields they have, differ here.
    fn input(mut self, input: &(impl serde::Serialize + ?Sized)) -> Option<Self> {
        serde_json::to_writer(&mut self.0, input).ok()?;
        Some(self)
    }

    fn finish(self) -> Key {
        Key(self.0.finalize())
    }
}

/// A cached result: a body stored as is (the largest part, read without a
/// copy) and typed metadata stored as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<M> {
    pub body: Vec<u8>,
    pub meta: M,
}

/// The BLAKE3 hash of `bytes`, for a key part that stands for a large input.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// Serializes bytes by their BLAKE3 hash, for an input that holds a large
/// byte string (`#[serde(serialize_with = "cache::by_digest")]`).
pub fn by_digest<S: serde::Serializer>(bytes: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&blake3::hash(bytes).to_hex())
}

/// A fingerprint of the running generator: the crate's version and a hash of
/// the executable's bytes, so a rebuilt generator never reads entries of an
/// older one. `None` when the executable cannot be read (then run uncached).
///
/// The hash is kept in `dir` under the executable's identity (path, device,
/// inode, size, modification and change times): any write to the file
/// changes its change time, so a file of the same identity has the same
/// bytes, and the hash is computed once per build rather than once per run.
pub fn exe_fingerprint(dir: &Path) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let m = fs::metadata(&exe).ok()?;
    let identity = format!("{} {}", exe.display(), file_identity(&m));
    let memo = Cache::open_quiet(dir, "executables");
    let key = memo.key_of("exe", &identity)?;
    let hash = match memo
        .get::<()>("exe", &key)
        .and_then(|e| String::from_utf8(e.body).ok())
    {
        Some(hash) => hash,
        None => {
            let bytes = fs::read(&exe).ok()?;
            let mut h = blake3::Hasher::new();
            h.update_rayon(&bytes);
            let hash = h.finalize().to_hex().to_string();
            let entry = Entry {
                body: hash.clone().into_bytes(),
                meta: (),
            };
            memo.put("exe", &key, &entry);
            hash
        }
    };
    Some(format!("topgen {} {hash}", env!("CARGO_PKG_VERSION")))
}

/// What tells one file from another on Unix: device, inode, size, and the
/// modification and change times (any write moves the change time).
#[cfg(unix)]
fn file_identity(m: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{} {} {} {}.{} {}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    )
}

/// Elsewhere: size and modification time, which a rebuild changes.
#[cfg(not(unix))]
fn file_identity(m: &fs::Metadata) -> String {
    let modified = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{} {modified}", m.len())
}

/// The cache folder for a repository: `regen-cache` in `CARGO_TARGET_DIR`
/// when it is set (relative to the working folder), else in `<repo>/target`.
pub fn default_dir(repo: &Path) -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) if !t.is_empty() => {
            let t = PathBuf::from(t);
            if t.is_absolute() {
                t
            } else {
                std::env::current_dir().map(|d| d.join(&t)).unwrap_or(t)
            }
        }
        _ => repo.join("target"),
    };
    target.join(DIR_NAME)
}

/// Entries of one generator fingerprint in one folder.
#[derive(Debug)]
pub struct Cache {
    /// `<dir>`, holding one folder per fingerprint.
    dir: PathBuf,
    /// `<dir>/<fingerprint>`.
    root: PathBuf,
    fingerprint: blake3::Hash,
}

/// Tells temporary files of one process apart.
static TEMP: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// The cache in `dir` for a generator with `fingerprint`. Touches
    /// nothing on disk but the fingerprint's `used` mark.
    pub fn open(dir: &Path, fingerprint: &str) -> Cache {
        let cache = Cache::open_quiet(dir, fingerprint);
        if fs::create_dir_all(&cache.root).is_ok() {
            let _ = fs::write(cache.root.join(USED), b"");
        }
        cache
    }

    /// [`Cache::open`] without marking it used: [`Cache::prune`] drops it
    /// unless it is among the most recently opened.
    fn open_quiet(dir: &Path, fingerprint: &str) -> Cache {
        let fingerprint = blake3::hash(fingerprint.as_bytes());
        let root = dir.join(&fingerprint.to_hex()[..16]);
        Cache {
            dir: dir.to_path_buf(),
            root,
            fingerprint,
        }
    }

    /// The folder the cache lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key of a step's result: the step's kind and the whole of its
    /// input. `None` when the input does not serialize (a path that is not
    /// UTF-8): the step then runs uncached.
    pub fn key_of(&self, kind: &str, input: &(impl serde::Serialize + ?Sized)) -> Option<Key> {
        let key = KeyBuilder(blake3::Hasher::new())
            .part(FORMAT)
            .part(self.fingerprint.as_bytes())
            .str(kind)
            .input(input)?;
        Some(key.finish())
    }

    fn path(&self, kind: &str, key: &Key) -> PathBuf {
        let hex = key.hex();
        self.root.join(kind).join(&hex[..2]).join(&hex)
    }

    /// The entry stored under `key`, or `None` for a missing or damaged
    /// one, or one whose metadata is not an `M`.
    pub fn get<M: serde::de::DeserializeOwned>(&self, kind: &str, key: &Key) -> Option<Entry<M>> {
        let [body, meta]: [Vec<u8>; 2] = self.get_parts(kind, key)?.try_into().ok()?;
        let meta = serde_json::from_slice(&meta).ok()?;
        Some(Entry { body, meta })
    }

    /// Store `entry` under `key`; a failure leaves no entry and no temporary file.
    pub fn put<M: serde::Serialize>(&self, kind: &str, key: &Key, entry: &Entry<M>) {
        if let Ok(meta) = serde_json::to_vec(&entry.meta) {
            self.put_parts(kind, key, &[&entry.body, &meta]);
        }
    }

    /// The parts stored under `key`. The first part is not copied.
    fn get_parts(&self, kind: &str, key: &Key) -> Option<Vec<Vec<u8>>> {
        let mut bytes = fs::read(self.path(kind, key)).ok()?;
        let (body, seal) = bytes.split_at_checked(bytes.len().checked_sub(32)?)?;
        if blake3::keyed_hash(key.0.as_bytes(), body).as_bytes() != seal {
            return None;
        }
        // The parts, then each one's length, then their count.
        let word = |at: usize| -> Option<usize> {
            let w = body.get(at..at.checked_add(8)?)?;
            usize::try_from(u64::from_le_bytes(w.try_into().ok()?)).ok()
        };
        let count = word(body.len().checked_sub(8)?)?;
        let table = body
            .len()
            .checked_sub(count.checked_add(1)?.checked_mul(8)?)?;
        let mut lens = Vec::with_capacity(count);
        for i in 0..count {
            lens.push(word(table + i * 8)?);
        }
        if lens.iter().try_fold(0usize, |a, l| a.checked_add(*l))? != table {
            return None;
        }
        let mut parts = vec![Vec::new(); count];
        let mut at = lens.first().copied().unwrap_or(0);
        for (part, len) in parts.iter_mut().zip(&lens).skip(1) {
            *part = body[at..at + len].to_vec();
            at += len;
        }
        if let Some(first) = parts.first_mut() {
            bytes.truncate(lens[0]);
            *first = bytes;
        }
        Some(parts)
    }

    fn put_parts(&self, kind: &str, key: &Key, parts: &[&[u8]]) {
        let path = self.path(kind, key);
        let Some(dir) = path.parent() else { return };
        if fs::create_dir_all(dir).is_err() {
            return;
        }
        let len = parts.iter().map(|p| p.len() + 8).sum::<usize>() + 8 + 32;
        let mut body = Vec::with_capacity(len);
        for p in parts {
            body.extend_from_slice(p);
        }
        for p in parts {
            body.extend_from_slice(&(p.len() as u64).to_le_bytes());
        }
        body.extend_from_slice(&(parts.len() as u64).to_le_bytes());
        let seal = blake3::keyed_hash(key.0.as_bytes(), &body);
        body.extend_from_slice(seal.as_bytes());
        let n = TEMP.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{}.{}-{n}.tmp", key.hex(), std::process::id()));
        let written = fs::File::create(&temp).and_then(|mut f| f.write_all(&body));
        if written.and_then(|()| fs::rename(&temp, &path)).is_err() {
            let _ = fs::remove_file(&temp);
        }
    }

    /// Remove the folders of other fingerprints, keeping the `keep` most
    /// recently opened besides this one. Best-effort, like every write.
    pub fn prune(&self, keep: usize) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut others: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| *p != self.root)
            .filter_map(|p| {
                // Only fingerprint folders have the mark; the executables' hashes do not.
                let used = fs::metadata(p.join(USED)).and_then(|m| m.modified());
                Some((used.ok()?, p))
            })
            .collect();
        others.sort();
        let drop = others.len().saturating_sub(keep);
        for (_, p) in others.into_iter().take(drop) {
            let _ = fs::remove_dir_all(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path) -> Cache {
        Cache::open(dir, "test fingerprint")
    }

    fn entry(body: &[u8], meta: &str) -> Entry<String> {
        Entry {
            body: body.to_vec(),
            meta: meta.to_string(),
        }
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let k = c.key_of("t", "a").unwrap();
        assert_eq!(c.get::<String>("t", &k), None);
        c.put("t", &k, &entry(b"one", "three"));
        assert_eq!(c.get("t", &k), Some(entry(b"one", "three")));
        // Metadata of another type is a miss.
        assert_eq!(c.get::<Vec<u32>>("t", &k), None);
    }

    #[test]
    fn keys_cover_the_whole_input() {
        #[derive(serde::Serialize)]
        struct Input<'a> {
            a: &'a str,
            b: Option<&'a str>,
            #[serde(serialize_with = "by_digest")]
            bytes: &'a [u8],
        }
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let key = |a, b, bytes| c.key_of("t", &Input { a, b, bytes }).unwrap();
        let base = key("ab", Some("c"), b"x");
        assert_eq!(base, key("ab", Some("c"), b"x"));
        for other in [
            key("a", Some("bc"), b"x"),
            key("ab", None, b"x"),
            key("ab", Some(""), b"x"),
            key("ab", Some("c"), b"y"),
        ] {
            assert_ne!(base, other);
        }
        assert_ne!(c.key_of("t", "x"), c.key_of("u", "x"));
    }

    #[test]
    fn a_damaged_or_misplaced_entry_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let k = c.key_of("t", "a").unwrap();
        let other = c.key_of("t", "b").unwrap();
        c.put("t", &k, &entry(b"payload", "m"));
        let path = c.path("t", &k);
        let good = fs::read(&path).unwrap();
        for len in [0, 5, 31, 32, good.len() - 1] {
            fs::write(&path, &good[..len]).unwrap();
            assert_eq!(c.get::<String>("t", &k), None, "truncated to {len}");
        }
        let mut flipped = good.clone();
        flipped[9] ^= 1;
        fs::write(&path, &flipped).unwrap();
        assert_eq!(c.get::<String>("t", &k), None);
        // The right bytes under another key's name.
        let moved = c.path("t", &other);
        fs::create_dir_all(moved.parent().unwrap()).unwrap();
        fs::write(&moved, &good).unwrap();
        assert_eq!(c.get::<String>("t", &other), None);
        fs::write(&path, &good).unwrap();
        assert_eq!(c.get("t", &k), Some(entry(b"payload", "m")));
    }

    #[test]
    fn another_fingerprint_sees_no_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let a = cache(tmp.path());
        let k = a.key_of("t", "x").unwrap();
        a.put("t", &k, &entry(b"1", ""));
        let b = Cache::open(tmp.path(), "another fingerprint");
        let kb = b.key_of("t", "x").unwrap();
        assert_ne!(k, kb);
        assert_eq!(b.get::<String>("t", &kb), None);
        // Pruning from b with nothing kept drops a's folder, not b's.
        b.put("t", &kb, &entry(b"2", ""));
        b.prune(0);
        assert_eq!(a.get::<String>("t", &k), None);
        assert_eq!(b.get("t", &kb), Some(entry(b"2", "")));
    }

    #[test]
    fn an_unwritable_cache_is_only_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        fs::write(&file, b"").unwrap();
        let c = cache(&file);
        let k = c.key_of("t", "").unwrap();
        c.put("t", &k, &entry(b"x", ""));
        assert_eq!(c.get::<String>("t", &k), None);
    }
}

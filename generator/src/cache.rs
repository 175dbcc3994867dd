//! A cache of results whose inputs did not change, so a regen after one
//! document changed redoes the work of that document only.
//!
//! An entry is found by a [`Key`]: a BLAKE3 hash of everything that
//! determines the result, always including the generator's fingerprint
//! (which changes whenever the generator's code does). An entry is a few
//! byte strings and their lengths, sealed with a hash keyed by its key, so a
//! missing, truncated, corrupt or misplaced entry reads as a miss, never as a
//! wrong result. Writing is best-effort: each entry is written to a
//! temporary file and renamed into place, and a failure only loses the entry.
//!
//! Entries live in `<dir>/<fingerprint>/<kind>/<xx>/<key>`; [`Cache::prune`]
//! drops the folders of fingerprints no longer in use.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bumped when the layout of an entry changes.
const FORMAT: &[u8] = b"topgen-regen-cache 1";

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
pub struct KeyBuilder(blake3::Hasher);

impl KeyBuilder {
    pub fn part(mut self, bytes: &[u8]) -> Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn str(self, s: &str) -> Self {
        self.part(s.as_bytes())
    }

    /// A path, by its bytes as the platform spells them.
    pub fn path(self, p: &Path) -> Self {
        self.part(p.as_os_str().as_encoded_bytes())
    }

    /// An optional string: absent and empty differ.
    pub fn opt(self, s: Option<&str>) -> Self {
        match s {
            None => self.part(b"\0none"),
            Some(s) => self.part(b"\0some").str(s),
        }
    }

    pub fn finish(self) -> Key {
        Key(self.0.finalize())
    }
}

/// The BLAKE3 hash of `bytes`, for a key part that stands for a large input.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    *blake3::hash(bytes).as_bytes()
}

/// The BLAKE3 hash of a value's JSON form, written straight into the hasher;
/// `None` when it does not serialize.
pub fn digest_json<T: serde::Serialize>(value: &T) -> Option<[u8; 32]> {
    let mut h = blake3::Hasher::new();
    serde_json::to_writer(&mut h, value).ok()?;
    Some(*h.finalize().as_bytes())
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
    use std::os::unix::fs::MetadataExt;
    let exe = std::env::current_exe().ok()?;
    let m = fs::metadata(&exe).ok()?;
    let identity = format!(
        "{} {} {} {} {}.{} {}.{}",
        m.dev(),
        m.ino(),
        m.size(),
        exe.display(),
        m.mtime(),
        m.mtime_nsec(),
        m.ctime(),
        m.ctime_nsec()
    );
    let memo = Cache::open_quiet(dir, "executables");
    let key = memo.key("exe").str(&identity).finish();
    let hash = match memo
        .get("exe", &key)
        .and_then(|mut p| String::from_utf8(p.pop()?).ok())
    {
        Some(hash) => hash,
        None => {
            let bytes = fs::read(&exe).ok()?;
            let mut h = blake3::Hasher::new();
            h.update_rayon(&bytes);
            let hash = h.finalize().to_hex().to_string();
            memo.put("exe", &key, &[hash.as_bytes()]);
            hash
        }
    };
    Some(format!("topgen {} {hash}", env!("CARGO_PKG_VERSION")))
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

    /// Start a key for entries of `kind` (`page`, `module`, …).
    pub fn key(&self, kind: &str) -> KeyBuilder {
        KeyBuilder(blake3::Hasher::new())
            .part(FORMAT)
            .part(self.fingerprint.as_bytes())
            .str(kind)
    }

    fn path(&self, kind: &str, key: &Key) -> PathBuf {
        let hex = key.hex();
        self.root.join(kind).join(&hex[..2]).join(&hex)
    }

    /// The parts stored under `key`, or `None` for a missing or damaged
    /// entry. The first part is not copied: put the largest first.
    pub fn get(&self, kind: &str, key: &Key) -> Option<Vec<Vec<u8>>> {
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

    /// Store `parts` under `key`; a failure leaves no entry and no temporary file.
    pub fn put(&self, kind: &str, key: &Key, parts: &[&[u8]]) {
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

/// A JSON entry part.
pub(crate) fn json<T: serde::de::DeserializeOwned>(part: &[u8]) -> Option<T> {
    serde_json::from_slice(part).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(dir: &Path) -> Cache {
        Cache::open(dir, "test fingerprint")
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let k = c.key("t").str("a").finish();
        assert_eq!(c.get("t", &k), None);
        c.put("t", &k, &[b"one", b"", b"three"]);
        let got = c.get("t", &k).unwrap();
        assert_eq!(got, vec![b"one".to_vec(), vec![], b"three".to_vec()]);
    }

    #[test]
    fn parts_are_length_prefixed_in_keys() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let a = c.key("t").str("ab").str("c").finish();
        let b = c.key("t").str("a").str("bc").finish();
        assert_ne!(a, b);
        assert_ne!(
            c.key("t").opt(None).finish(),
            c.key("t").opt(Some("")).finish()
        );
        assert_ne!(c.key("t").finish(), c.key("u").finish());
    }

    #[test]
    fn a_damaged_or_misplaced_entry_is_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let c = cache(tmp.path());
        let k = c.key("t").str("a").finish();
        let other = c.key("t").str("b").finish();
        c.put("t", &k, &[b"payload"]);
        let path = c.path("t", &k);
        let good = fs::read(&path).unwrap();
        for len in [0, 5, 31, 32, good.len() - 1] {
            fs::write(&path, &good[..len]).unwrap();
            assert_eq!(c.get("t", &k), None, "truncated to {len}");
        }
        let mut flipped = good.clone();
        flipped[9] ^= 1;
        fs::write(&path, &flipped).unwrap();
        assert_eq!(c.get("t", &k), None);
        // The right bytes under another key's name.
        let moved = c.path("t", &other);
        fs::create_dir_all(moved.parent().unwrap()).unwrap();
        fs::write(&moved, &good).unwrap();
        assert_eq!(c.get("t", &other), None);
        fs::write(&path, &good).unwrap();
        assert_eq!(c.get("t", &k), Some(vec![b"payload".to_vec()]));
    }

    #[test]
    fn another_fingerprint_sees_no_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let a = cache(tmp.path());
        let k = a.key("t").str("x").finish();
        a.put("t", &k, &[b"1"]);
        let b = Cache::open(tmp.path(), "another fingerprint");
        let kb = b.key("t").str("x").finish();
        assert_ne!(k, kb);
        assert_eq!(b.get("t", &kb), None);
        // Pruning from b with nothing kept drops a's folder, not b's.
        b.put("t", &kb, &[b"2"]);
        b.prune(0);
        assert_eq!(a.get("t", &k), None);
        assert_eq!(b.get("t", &kb), Some(vec![b"2".to_vec()]));
    }

    #[test]
    fn an_unwritable_cache_is_only_a_miss() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-dir");
        fs::write(&file, b"").unwrap();
        let c = cache(&file);
        let k = c.key("t").finish();
        c.put("t", &k, &[b"x"]);
        assert_eq!(c.get("t", &k), None);
    }
}

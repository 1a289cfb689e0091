//! Digests: SHA-256 over length-prefixed fields, for what must be the same on every
//! machine and operating system and must not collide even for crafted input: cache keys,
//! the identity of a run (which shards may be merged) and the assignment of files to
//! shards.
//!
//! Every field is written with its length first, so `("ab", "c")` and `("a", "bc")`
//! differ; integers are written little-endian whatever the platform.

use std::fmt;

use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// Lower-case hexadecimal, 64 characters.
    pub fn hex(&self) -> String {
        let mut out = String::with_capacity(64);
        for byte in self.0 {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// The first eight bytes as a number (big-endian), for spreading keys over buckets.
    pub fn prefix(&self) -> u64 {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(first)
    }

    /// The digest of `bytes` alone.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(Sha256::digest(bytes).into())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl std::str::FromStr for Digest {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(format!(
                "a digest has 64 hexadecimal digits, not {}",
                bytes.len()
            ));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks(2).enumerate() {
            let pair = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
            out[i] =
                u8::from_str_radix(pair, 16).map_err(|_| format!("`{pair}` is not hexadecimal"))?;
        }
        Ok(Digest(out))
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.hex())
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Builds a digest field by field.
#[derive(Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    /// A hasher for digests of one kind: `domain` keeps digests of different kinds apart.
    pub fn new(domain: &str) -> Hasher {
        let mut hasher = Hasher(Sha256::new());
        hasher.str(domain);
        hasher
    }

    /// Adds raw bytes, length first.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Hasher {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Adds a string.
    pub fn str(&mut self, text: &str) -> &mut Hasher {
        self.bytes(text.as_bytes())
    }

    /// Adds a number.
    pub fn u64(&mut self, n: u64) -> &mut Hasher {
        self.0.update(n.to_le_bytes());
        self
    }

    /// Adds a flag.
    pub fn bool(&mut self, flag: bool) -> &mut Hasher {
        self.0.update([u8::from(flag)]);
        self
    }

    /// Adds another digest.
    pub fn digest(&mut self, digest: &Digest) -> &mut Hasher {
        self.0.update(digest.0);
        self
    }

    /// Adds any value that serialises, as its JSON (for settings).
    pub fn json(&mut self, value: &impl serde::Serialize) -> &mut Hasher {
        let text = serde_json::to_string(value).unwrap_or_else(|e| format!("unserialisable: {e}"));
        self.str(&text)
    }

    /// The digest.
    pub fn finish(self) -> Digest {
        Digest(self.0.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_delimited_and_digests_round_trip() {
        let of = |fields: &[&str]| {
            let mut h = Hasher::new("test");
            for f in fields {
                h.str(f);
            }
            h.finish()
        };
        assert_ne!(of(&["ab", "c"]), of(&["a", "bc"]));
        assert_eq!(of(&["ab", "c"]), of(&["ab", "c"]));
        let d = of(&["x"]);
        assert_eq!(d.hex().parse::<Digest>(), Ok(d));
        assert!("xyz".parse::<Digest>().is_err());
        // The reference value of SHA-256("abc").
        assert_eq!(
            Digest::of(b"abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

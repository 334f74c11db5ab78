//! Tokens: made, stored hashed, checked in constant time; and the throttle on repeated failures.
//!
//! A token reads `ssepot_<id>_<secret>`: the id (6 random bytes, hex) finds the row, and the secret (32 random
//! bytes, hex) is compared as SHA-256 in constant time. SHA-256 rather than argon2 because the secret is
//! 256 random bits, not a password a person chose: there is no dictionary to slow down, and a memory-hard hash
//! on every request would hand anyone a way to burn the server's two cores. Only the hash is stored, so a
//! copy of the database (or its backup) gives no usable token. Tokens never appear in logs or error messages.

use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

const PREFIX: &str = "ssepot_";

/// A new token: (id, the whole token in clear, SHA-256 of its secret).
pub fn generate() -> Result<(String, String, [u8; 32]), String> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id).map_err(|e| format!("no randomness: {e}"))?;
    getrandom::fill(&mut secret).map_err(|e| format!("no randomness: {e}"))?;
    let (id, secret) = (hex(&id), hex(&secret));
    let hash = digest(&secret);
    Ok((id.clone(), format!("{PREFIX}{id}_{secret}"), hash))
}

/// Splits a token into (id, secret); `None` if it does not have the shape of one.
pub fn split(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.trim().strip_prefix(PREFIX)?.split_once('_')?;
    let hexy = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hexy(id, 12) && hexy(secret, 64)).then_some((id, secret))
}

/// Whether a secret matches a stored hash, in time that does not depend on where they differ.
pub fn verify(secret: &str, stored: &[u8; 32]) -> bool {
    digest(secret).ct_eq(stored).into()
}

/// The form token that proves a page was served to the holder of `token` (CSRF): SHA-256 of a label and the
/// token. A forged form from another site cannot know it.
pub fn form_token(token: &str) -> String {
    hex(&digest(&format!("ssepot-form:{token}")))
}

/// Constant-time comparison of two strings of any length.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// SHA-256 of a text.
pub fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// After this many failures from one client within [`WINDOW`], it is refused until the window passes.
pub const MAX_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts authentication failures per client (peer address) and slows down the ones that keep failing.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// `Some(seconds to wait)` when the client has failed too often.
    pub fn blocked(&self, client: &str) -> Option<u64> {
        let map = self.failures.lock().expect("not poisoned");
        let (count, since) = map.get(client)?;
        let left = WINDOW.checked_sub(since.elapsed())?;
        (*count >= MAX_FAILURES).then(|| left.as_secs().max(1))
    }

    pub fn failed(&self, client: &str) {
        let mut map = self.failures.lock().expect("not poisoned");
        if map.len() > 10_000 {
            map.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = map.entry(client.to_string()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, client: &str) {
        self.failures.lock().expect("not poisoned").remove(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_splits_and_verifies_against_its_hash_only() {
        let (id, token, hash) = generate().unwrap();
        let (got_id, secret) = split(&token).unwrap();
        assert_eq!(got_id, id);
        assert!(verify(secret, &hash));
        let other = format!("{}0", &secret[..63]);
        assert_eq!(verify(&other, &hash), secret.ends_with('0'));
        assert!(
            !token.contains(&hex(&hash)),
            "the stored hash is not the token"
        );
    }

    #[test]
    fn malformed_tokens_do_not_split() {
        assert!(split("ssepot_abc_def").is_none());
        assert!(split("Bearer x").is_none());
        assert!(split(&format!("ssepot_{}_{}", "z".repeat(12), "0".repeat(64))).is_none());
    }

    #[test]
    fn the_sixth_failure_in_a_row_is_throttled_and_a_success_clears_it() {
        let t = Throttle::default();
        for _ in 0..MAX_FAILURES - 1 {
            t.failed("10.0.0.1");
        }
        assert!(t.blocked("10.0.0.1").is_none());
        t.failed("10.0.0.1");
        assert!(t.blocked("10.0.0.1").is_some());
        assert!(
            t.blocked("10.0.0.2").is_none(),
            "other clients are not affected"
        );
        t.succeeded("10.0.0.1");
        assert!(t.blocked("10.0.0.1").is_none());
    }
}

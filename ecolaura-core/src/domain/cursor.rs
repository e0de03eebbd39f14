//! Cursors: a keyset page's position, handed to a client as an opaque,
//! tamper-evident string bound to the list it was made for.
//!
//! A cursor is `base64url(payload ‖ tag)`: the payload is the position and
//! its direction as JSON, and the tag is the first 16 bytes of an
//! HMAC-SHA256 over the list's scope (its filter and ordering, in canonical
//! form) and the payload. A changed byte, or a cursor made under another
//! scope, fails the tag, which is checked in constant time. The payload is
//! not secret: it is the sort key and id of an item the client was shown.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::keyset::Direction;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the tag kept in a cursor.
const TAG_BYTES: usize = 16;

/// The longest cursor accepted, in characters: a product name's position
/// (200 characters of up to 4 bytes) and its tag fit with room to spare.
pub const MAX_CURSOR_CHARS: usize = 2048;

/// Why a cursor is refused. One answer for every case, so that a client
/// learns nothing about which check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "cursor is not one this list handed out: it was changed, or made for other filters or another ordering"
)]
pub struct CursorError;

/// The key cursors are sealed with. Hosts that serve one shop must share
/// it, so it is derived from a configured secret.
#[derive(Clone)]
pub struct CursorKey(HmacSha256);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(…)")
    }
}

/// The payload of a cursor: which way and from where.
#[derive(Serialize, serde::Deserialize)]
struct Payload<P> {
    d: Direction,
    p: P,
}

impl CursorKey {
    /// The cursor key derived from `secret`: a full HMAC block made of two
    /// SHA-256 digests of the secret under labels of their own, so that the
    /// secret itself signs nothing but what it was made for.
    pub fn derive(secret: &[u8]) -> Self {
        let half = |label: &[u8]| {
            Sha256::new()
                .chain_update(label)
                .chain_update(secret)
                .finalize()
        };
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&half(b"ecolaura cursor key v1/0"));
        block[32..].copy_from_slice(&half(b"ecolaura cursor key v1/1"));
        Self(<HmacSha256 as KeyInit>::new(&block.into()))
    }

    fn mac(&self, scope: &str, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.0.clone();
        mac.update(&(scope.len() as u64).to_be_bytes());
        mac.update(scope.as_bytes());
        mac.update(payload);
        mac
    }

    /// The cursor for reading `direction` from `position` in the list `scope`.
    pub fn seal<P: Serialize>(&self, scope: &str, direction: Direction, position: &P) -> String {
        let payload = serde_json::to_vec(&Payload {
            d: direction,
            p: position,
        })
        .unwrap_or_default();
        let tag = self.mac(scope, &payload).finalize().into_bytes();
        let mut bytes = payload;
        bytes.extend_from_slice(&tag[..TAG_BYTES]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The direction and position a cursor of the list `scope` holds.
    ///
    /// # Errors
    /// [`CursorError`] for anything this key did not seal for `scope`.
    pub fn open<P: DeserializeOwned>(
        &self,
        scope: &str,
        cursor: &str,
    ) -> Result<(Direction, P), CursorError> {
        if cursor.len() > MAX_CURSOR_CHARS {
            return Err(CursorError);
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| CursorError)?;
        let split = bytes.len().checked_sub(TAG_BYTES).ok_or(CursorError)?;
        let (payload, tag) = bytes.split_at(split);
        self.mac(scope, payload)
            .verify_truncated_left(tag)
            .map_err(|_| CursorError)?;
        let Payload { d, p } = serde_json::from_slice(payload).map_err(|_| CursorError)?;
        Ok((d, p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> CursorKey {
        CursorKey::derive(b"a secret of the shop, shared by its hosts")
    }

    #[test]
    fn a_cursor_opens_to_what_was_sealed_in_its_scope() {
        let cursor = key().seal("products|c=bottles", Direction::Before, &("19.99", 7u32));
        assert!(cursor.len() < 100, "{cursor}");
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let opened: (Direction, (String, u32)) = key().open("products|c=bottles", &cursor).unwrap();
        assert_eq!(opened, (Direction::Before, ("19.99".to_owned(), 7)));
    }

    #[test]
    fn a_cursor_from_another_scope_or_key_is_refused() {
        let cursor = key().seal("products|c=bottles", Direction::After, &1u32);
        assert_eq!(
            key().open::<u32>("products|c=cups", &cursor),
            Err(CursorError)
        );
        let other = CursorKey::derive(b"another shop's secret, not this one");
        assert_eq!(
            other.open::<u32>("products|c=bottles", &cursor),
            Err(CursorError)
        );
    }

    #[test]
    fn every_changed_character_is_refused() {
        let cursor = key().seal("s", Direction::After, &("name", 12u64));
        for at in 0..cursor.len() {
            let mut forged = cursor.clone().into_bytes();
            forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
            let forged = String::from_utf8(forged).unwrap();
            assert_eq!(
                key().open::<(String, u64)>("s", &forged),
                Err(CursorError),
                "{at}"
            );
        }
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "x",
            "!!!!",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &"A".repeat(5000),
        ] {
            assert_eq!(key().open::<u32>("s", bad), Err(CursorError), "{bad}");
        }
    }

    #[test]
    fn a_well_sealed_position_of_another_type_is_refused() {
        let cursor = key().seal("s", Direction::After, &"text");
        assert_eq!(key().open::<u32>("s", &cursor), Err(CursorError));
    }
}

//! Signed checkpoints: the log's size and root hash, signed with Ed25519, in the formats
//! of the transparency-log ecosystem so that standard tools can check them.
//!
//! - The body is a C2SP `tlog-checkpoint`: `<origin>\n<size>\n<base64 root>\n`.
//! - It is wrapped in a C2SP `signed-note`: the body, a blank line, then one line per
//!   signature, `— <key name> <base64(key id || signature)>`, where the key id is the
//!   first 4 bytes of `SHA-256(key name || "\n" || 0x01 || public key)`.
//! - A verifier key is published as Go's `note` package writes it:
//!   `<name>+<hex key id>+<base64(0x01 || public key)>`.

use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD, Engine};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The origin line of this log's checkpoints, unless configured otherwise.
pub const DEFAULT_ORIGIN: &str = "citymirror.futian/audit";

/// The signature algorithm byte of an Ed25519 key in the signed-note format.
const ALG_ED25519: u8 = 0x01;

/// What a checkpoint states: the log called `origin` had `size` entries and this root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The C2SP tlog-checkpoint body, the text that is signed.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        )
    }

    /// Reads a checkpoint body (lines after the first three are extensions, ignored).
    /// This checks no signature: use [`open`] for a signed note.
    pub fn parse_body(body: &str) -> Result<Checkpoint, CheckpointError> {
        let malformed = |what: &str| CheckpointError::Malformed(what.to_owned());
        let lines = body
            .strip_suffix('\n')
            .ok_or_else(|| malformed("the body does not end with a newline"))?;
        let mut lines = lines.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty());
        let origin = origin.ok_or_else(|| malformed("no origin line"))?;
        let size = lines.next().unwrap_or("");
        let canonical_number = size == "0" || !size.starts_with('0');
        let size = size
            .parse::<u64>()
            .ok()
            .filter(|_| canonical_number)
            .ok_or_else(|| malformed("the size is not a decimal number"))?;
        let root = STANDARD
            .decode(lines.next().unwrap_or(""))
            .ok()
            .and_then(|r| Hash::try_from(r).ok())
            .ok_or_else(|| malformed("the root is not a base64 SHA-256 hash"))?;
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        })
    }
}

/// Why a signed checkpoint was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    #[error("the checkpoint bears no signature by the key `{0}`")]
    NotSigned(String),
    #[error("the signature by `{0}` does not verify")]
    BadSignature(String),
}

/// Why a signing or verifier key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("a key name must be non-empty, without spaces or `+`: {0:?}")]
    BadName(String),
    #[error("audit signing key {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("audit signing key {0} does not hold 64 hex digits (a 32-byte Ed25519 seed)")]
    Malformed(PathBuf),
    #[error("not a verifier key `<name>+<key id>+<base64 key>`: {0}")]
    BadVerifierKey(String),
}

/// The log's signing key, with the name its signatures carry.
pub struct Signer {
    name: String,
    key: SigningKey,
    id: [u8; 4],
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field("key_id", &hex::encode(self.id))
            .finish_non_exhaustive()
    }
}

impl Signer {
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Signer, KeyError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Signer {
            name: name.to_owned(),
            key,
            id,
        })
    }

    /// A fresh random key.
    pub fn generate(name: &str) -> Result<Signer, KeyError> {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        Signer::from_seed(name, seed)
    }

    /// Reads the key at `path` (its 32-byte seed in hex), or creates one there, readable
    /// only by its owner, if there is none yet.
    pub fn load_or_create(path: &Path, name: &str) -> Result<Signer, KeyError> {
        let io_err = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                let seed = hex::decode(text.trim())
                    .ok()
                    .and_then(|s| <[u8; 32]>::try_from(s).ok())
                    .ok_or_else(|| KeyError::Malformed(path.to_owned()))?;
                Signer::from_seed(name, seed)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let signer = Signer::generate(name)?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(io_err)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io_err)?;
                writeln!(file, "{}", hex::encode(signer.key.to_bytes())).map_err(io_err)?;
                file.sync_all().map_err(io_err)?;
                tracing::info!(path = %path.display(), vkey = %signer.verifier().vkey(), "created the audit signing key");
                Ok(signer)
            }
            Err(e) => Err(io_err(e)),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public half, to publish.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
            id: self.id,
        }
    }

    /// The checkpoint as a signed note.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        self.sign_text(&checkpoint.body())
    }

    /// Any note text (ending in a newline) signed by this key.
    fn sign_text(&self, text: &str) -> String {
        let signature = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&self.id);
        blob.extend_from_slice(&signature.to_bytes());
        format!("{text}\n— {} {}\n", self.name, STANDARD.encode(blob))
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the audit signing key is readable by others than its owner");
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

/// A public key that checks the log's checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key: VerifyingKey,
    id: [u8; 4],
}

impl Verifier {
    pub fn new(name: &str, public_key: [u8; 32]) -> Result<Verifier, KeyError> {
        check_name(name)?;
        let key = VerifyingKey::from_bytes(&public_key)
            .map_err(|_| KeyError::BadVerifierKey("not an Ed25519 public key".into()))?;
        Ok(Verifier {
            name: name.to_owned(),
            id: key_id(name, &public_key),
            key,
        })
    }

    /// Reads a verifier key as [`Verifier::vkey`] writes it.
    pub fn from_vkey(vkey: &str) -> Result<Verifier, KeyError> {
        let bad = |why: &str| KeyError::BadVerifierKey(why.to_owned());
        let (name, rest) = vkey.split_once('+').ok_or_else(|| bad("no `+`"))?;
        let (id, key) = rest.split_once('+').ok_or_else(|| bad("no second `+`"))?;
        let key = STANDARD
            .decode(key)
            .map_err(|_| bad("the key is not base64"))?;
        let public_key = match key.split_first() {
            Some((&ALG_ED25519, public_key)) => {
                <[u8; 32]>::try_from(public_key).map_err(|_| bad("an Ed25519 key has 32 bytes"))?
            }
            _ => return Err(bad("not an Ed25519 key")),
        };
        let verifier = Verifier::new(name, public_key)?;
        if id.len() != 8 || hex::encode(verifier.id) != id {
            return Err(bad("the key id does not match the key"));
        }
        Ok(verifier)
    }

    /// `<name>+<hex key id>+<base64(0x01 || public key)>`.
    pub fn vkey(&self) -> String {
        let mut key = vec![ALG_ED25519];
        key.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.id),
            STANDARD.encode(key)
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn key_id(&self) -> [u8; 4] {
        self.id
    }

    /// Checks this key's signature on a signed note and returns the note's text.
    /// Signatures by other keys are ignored, as the signed-note format intends.
    fn open_text<'n>(&self, note: &'n str) -> Result<&'n str, CheckpointError> {
        let malformed = |what: &str| CheckpointError::Malformed(what.to_owned());
        let split = note
            .rfind("\n\n")
            .ok_or_else(|| malformed("no blank line before the signatures"))?;
        let (text, signatures) = (&note[..=split], &note[split + 2..]);
        let signatures = signatures
            .strip_suffix('\n')
            .ok_or_else(|| malformed("the signatures do not end with a newline"))?;
        for line in signatures.split('\n') {
            let (name, blob) = line
                .strip_prefix("— ")
                .and_then(|l| l.split_once(' '))
                .ok_or_else(|| malformed("a signature line is not `— <name> <signature>`"))?;
            let blob = STANDARD
                .decode(blob)
                .map_err(|_| malformed("a signature is not base64"))?;
            if name != self.name || blob.len() < 4 || blob[..4] != self.id {
                continue;
            }
            let signature = <[u8; 64]>::try_from(&blob[4..])
                .map_err(|_| CheckpointError::BadSignature(self.name.clone()))?;
            return self
                .key
                .verify_strict(text.as_bytes(), &Signature::from_bytes(&signature))
                .map(|()| text)
                .map_err(|_| CheckpointError::BadSignature(self.name.clone()));
        }
        Err(CheckpointError::NotSigned(self.name.clone()))
    }
}

/// Checks a signed checkpoint against `verifier` and reads it.
pub fn open(note: &str, verifier: &Verifier) -> Result<Checkpoint, CheckpointError> {
    Checkpoint::parse_body(verifier.open_text(note)?)
}

/// Reads a signed checkpoint without checking any signature: only to tell, when the
/// signature fails, what the checkpoint claims.
pub fn open_unverified(note: &str) -> Result<Checkpoint, CheckpointError> {
    let (text, _) = note
        .rsplit_once("\n\n")
        .ok_or_else(|| CheckpointError::Malformed("no blank line before the signatures".into()))?;
    Checkpoint::parse_body(&note[..=text.len()])
}

fn check_name(name: &str) -> Result<(), KeyError> {
    if name.is_empty() || name.contains(|c: char| c == '+' || c.is_whitespace()) {
        return Err(KeyError::BadName(name.to_owned()));
    }
    Ok(())
}

fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public_key);
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example key and note of Go's golang.org/x/mod/sumdb/note, an independent
    /// implementation of the same format.
    const GO_SKEY: &str = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const GO_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                           then you don't know what your problem is.\n";
    const GO_NOTE_SIGNATURE: &str = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn go_signer() -> Signer {
        let seed = STANDARD.decode(GO_SKEY).unwrap();
        Signer::from_seed("PeterNeumann", seed[1..].try_into().unwrap()).unwrap()
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: DEFAULT_ORIGIN.into(),
            size: 1234,
            root: [7; 32],
        }
    }

    #[test]
    fn keys_and_signatures_match_gos_note_package() {
        let signer = go_signer();
        assert_eq!(signer.verifier().vkey(), GO_VKEY);
        assert_eq!(Verifier::from_vkey(GO_VKEY).unwrap(), signer.verifier());
        let note = signer.sign_text(GO_TEXT);
        assert_eq!(note, format!("{GO_TEXT}\n{GO_NOTE_SIGNATURE}"));
        assert_eq!(signer.verifier().open_text(&note), Ok(GO_TEXT));
    }

    #[test]
    fn a_signed_checkpoint_opens_to_what_was_signed() {
        let signer = Signer::from_seed(DEFAULT_ORIGIN, [1; 32]).unwrap();
        let note = signer.sign(&checkpoint());
        let mut lines = note.lines();
        assert_eq!(lines.next(), Some(DEFAULT_ORIGIN));
        assert_eq!(lines.next(), Some("1234"));
        assert_eq!(lines.next(), Some(STANDARD.encode([7; 32]).as_str()));
        assert_eq!(lines.next(), Some(""));
        assert!(lines
            .next()
            .unwrap()
            .starts_with("— citymirror.futian/audit "));
        assert_eq!(open(&note, &signer.verifier()), Ok(checkpoint()));
        assert_eq!(open_unverified(&note), Ok(checkpoint()));
    }

    #[test]
    fn a_tampered_note_or_another_key_is_refused() {
        let signer = Signer::from_seed(DEFAULT_ORIGIN, [1; 32]).unwrap();
        let note = signer.sign(&checkpoint());
        let verifier = signer.verifier();

        let bigger = note.replacen("\n1234\n", "\n1235\n", 1);
        assert_eq!(
            open(&bigger, &verifier),
            Err(CheckpointError::BadSignature(DEFAULT_ORIGIN.into()))
        );
        let other = Signer::from_seed(DEFAULT_ORIGIN, [2; 32]).unwrap();
        assert_eq!(
            open(&note, &other.verifier()),
            Err(CheckpointError::NotSigned(DEFAULT_ORIGIN.into()))
        );
        let renamed = Signer::from_seed("someone-else", [1; 32]).unwrap();
        assert!(open(&note, &renamed.verifier()).is_err());
        for broken in ["", "no signatures\n", &note[..note.len() - 1]] {
            assert!(
                matches!(open(broken, &verifier), Err(CheckpointError::Malformed(_))),
                "{broken:?}"
            );
        }
        // A signature by another key (same name, another key id) is passed over.
        let (text, ours) = note.split_once("\n\n").unwrap();
        let their_note = other.sign(&checkpoint());
        let (_, theirs) = their_note.split_once("\n\n").unwrap();
        let cosigned = format!("{text}\n\n{theirs}{ours}");
        assert_eq!(open(&cosigned, &verifier), Ok(checkpoint()));
    }

    #[test]
    fn checkpoint_bodies_are_read_strictly() {
        let body = checkpoint().body();
        assert_eq!(Checkpoint::parse_body(&body), Ok(checkpoint()));
        assert_eq!(
            Checkpoint::parse_body(&format!("{body}extension line\n")),
            Ok(checkpoint())
        );
        for bad in [
            "",
            "origin\n",
            "origin\n01\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "origin\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "origin\n1\nBwcH\n",
            "\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "origin\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
        ] {
            assert!(Checkpoint::parse_body(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn key_names_and_vkeys_are_checked() {
        for bad in ["", "a b", "a+b", "a\nb"] {
            assert!(Signer::from_seed(bad, [1; 32]).is_err(), "{bad:?}");
        }
        let vkey = go_signer().verifier().vkey();
        assert!(Verifier::from_vkey(&vkey.replacen("c74f20a3", "c74f20a4", 1)).is_err());
        assert!(Verifier::from_vkey("PeterNeumann+c74f20a3").is_err());
        assert!(Verifier::from_vkey(&vkey.replacen("+AR", "+Ah", 1)).is_err());
    }

    #[test]
    fn a_key_file_is_created_once_then_reused() {
        let dir = std::env::temp_dir().join(format!("cm-audit-key-{}", std::process::id()));
        let path = dir.join("keys/audit.key");
        let _ = std::fs::remove_dir_all(&dir);
        let created = Signer::load_or_create(&path, DEFAULT_ORIGIN).unwrap();
        let loaded = Signer::load_or_create(&path, DEFAULT_ORIGIN).unwrap();
        assert_eq!(created.verifier(), loaded.verifier());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex\n").unwrap();
        assert!(matches!(
            Signer::load_or_create(&path, DEFAULT_ORIGIN),
            Err(KeyError::Malformed(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! The digest itself: the challenge, the credentials (read from and written to a header),
//! and the response computed from a password.

use std::collections::HashMap;

use md5::Md5;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The longest `Authorization` value accepted; real ones are under 400 bytes.
pub const MAX_HEADER_LEN: usize = 4096;

/// The hash behind the digest.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    /// The token as it appears in the header.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
        }
    }

    fn parse(token: &str) -> Option<Algorithm> {
        [
            Algorithm::Md5,
            Algorithm::Md5Sess,
            Algorithm::Sha256,
            Algorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(token))
    }

    fn is_session(self) -> bool {
        matches!(self, Algorithm::Md5Sess | Algorithm::Sha256Sess)
    }

    /// Lowercase hex of the hash of the parts joined by `:`.
    fn hash(self, parts: &[&str]) -> String {
        fn run<D: Digest>(parts: &[&str]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p.as_bytes());
            }
            hex::encode(d.finalize())
        }
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => run::<Md5>(parts),
            Algorithm::Sha256 | Algorithm::Sha256Sess => run::<Sha256>(parts),
        }
    }
}

/// Why an `Authorization` header value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("the credentials are not of the Digest scheme")]
    NotDigest,
    #[error("the Authorization header has {len} bytes; at most {MAX_HEADER_LEN} are accepted")]
    TooLong { len: usize },
    #[error("the Authorization header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the parameter `{0}` appears twice")]
    Duplicate(String),
    #[error("the parameter `{0}` is required")]
    Missing(&'static str),
    #[error("the algorithm `{0}` is not supported; use MD5 or SHA-256")]
    UnsupportedAlgorithm(String),
    #[error("the qop `{0}` is not supported; use auth")]
    UnsupportedQop(String),
    #[error("the nonce count must be 1 to 8 hexadecimal digits")]
    BadNonceCount,
    #[error("hashed user names (userhash) are not supported")]
    UserHash,
}

impl DigestError {
    /// A stable code for logs and counters.
    pub const fn code(&self) -> &'static str {
        match self {
            DigestError::NotDigest => "digest_not_digest",
            DigestError::TooLong { .. } => "digest_too_long",
            DigestError::Malformed(_) => "digest_malformed",
            DigestError::Duplicate(_) => "digest_duplicate_parameter",
            DigestError::Missing(_) => "digest_missing_parameter",
            DigestError::UnsupportedAlgorithm(_) => "digest_unsupported_algorithm",
            DigestError::UnsupportedQop(_) => "digest_unsupported_qop",
            DigestError::BadNonceCount => "digest_bad_nonce_count",
            DigestError::UserHash => "digest_userhash",
        }
    }
}

/// The `WWW-Authenticate` challenge the platform sends with a 401.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub realm: String,
    pub nonce: String,
    pub algorithm: Algorithm,
    /// Offer `qop="auth"`. Devices that ignore it answer without qop, which is accepted.
    pub qop: bool,
    pub opaque: Option<String>,
    /// The previous nonce was stale: the client should retry without asking its user.
    pub stale: bool,
}

impl Challenge {
    /// A fresh MD5 challenge offering qop, as most GB/T 28181 devices expect.
    pub fn new(realm: impl Into<String>, nonce: impl Into<String>) -> Challenge {
        Challenge {
            realm: realm.into(),
            nonce: nonce.into(),
            algorithm: Algorithm::Md5,
            qop: true,
            opaque: None,
            stale: false,
        }
    }

    /// The header value, e.g. `Digest realm="3402000000", nonce="…", algorithm=MD5, qop="auth"`.
    pub fn to_header_value(&self) -> String {
        let mut s = format!(
            "Digest realm={}, nonce={}, algorithm={}",
            quote(&self.realm),
            quote(&self.nonce),
            self.algorithm.name()
        );
        if self.qop {
            s.push_str(", qop=\"auth\"");
        }
        if let Some(opaque) = &self.opaque {
            s.push_str(", opaque=");
            s.push_str(&quote(opaque));
        }
        if self.stale {
            s.push_str(", stale=TRUE");
        }
        s
    }
}

fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

/// The `Authorization` credentials a device answers a challenge with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    /// The response as sent (hex; compared without regard to case).
    pub response: String,
    pub algorithm: Algorithm,
    /// `Some` with `qop=auth`: then `nc` and `cnonce` are present too.
    pub qop: Option<Qop>,
    /// The nonce count exactly as sent (it is hashed as text).
    pub nc: Option<String>,
    pub cnonce: Option<String>,
    pub opaque: Option<String>,
}

/// The quality of protection; only `auth` exists here.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Qop {
    Auth,
}

impl Credentials {
    /// Reads an `Authorization` (or `Proxy-Authorization`) header value.
    pub fn parse(value: &str) -> Result<Credentials, DigestError> {
        if value.len() > MAX_HEADER_LEN {
            return Err(DigestError::TooLong { len: value.len() });
        }
        let value = value.trim();
        let (scheme, rest) = value.split_once([' ', '\t']).unwrap_or((value, ""));
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(DigestError::NotDigest);
        }
        let mut params: HashMap<String, String> = HashMap::new();
        for (name, v) in Params::new(rest) {
            let v = v?;
            let name = name.to_ascii_lowercase();
            if params.contains_key(&name) {
                return Err(DigestError::Duplicate(name));
            }
            params.insert(name, v);
        }
        let mut take = |name: &'static str| params.remove(name);
        let required = |v: Option<String>, name| v.ok_or(DigestError::Missing(name));

        let algorithm = match take("algorithm") {
            None => Algorithm::Md5,
            Some(a) => Algorithm::parse(&a).ok_or(DigestError::UnsupportedAlgorithm(a))?,
        };
        if take("userhash").is_some_and(|u| u.eq_ignore_ascii_case("true")) {
            return Err(DigestError::UserHash);
        }
        let qop = match take("qop") {
            None => None,
            Some(q) if q.eq_ignore_ascii_case("auth") => Some(Qop::Auth),
            Some(q) => return Err(DigestError::UnsupportedQop(q)),
        };
        let (nc, cnonce) = (take("nc"), take("cnonce"));
        let creds = Credentials {
            username: required(take("username"), "username")?,
            realm: required(take("realm"), "realm")?,
            nonce: required(take("nonce"), "nonce")?,
            uri: required(take("uri"), "uri")?,
            response: required(take("response"), "response")?,
            algorithm,
            qop,
            nc: if qop.is_some() {
                Some(required(nc, "nc")?)
            } else {
                None
            },
            cnonce: if qop.is_some() || algorithm.is_session() {
                Some(required(cnonce, "cnonce")?)
            } else {
                None
            },
            opaque: take("opaque"),
        };
        if creds.qop.is_some() && creds.nonce_count().is_none() {
            return Err(DigestError::BadNonceCount);
        }
        Ok(creds)
    }

    /// The nonce count as a number, when `nc` is 1 to 8 hex digits.
    pub fn nonce_count(&self) -> Option<u32> {
        let nc = self.nc.as_deref()?;
        if nc.is_empty() || nc.len() > 8 || !nc.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(nc, 16).ok()
    }

    /// The response a client knowing `password` computes for `method` (`REGISTER`).
    pub fn expected_response(&self, method: &str, password: &str) -> String {
        let a = self.algorithm;
        let mut ha1 = a.hash(&[&self.username, &self.realm, password]);
        if a.is_session() {
            ha1 = a.hash(&[&ha1, &self.nonce, self.cnonce.as_deref().unwrap_or("")]);
        }
        let ha2 = a.hash(&[method, &self.uri]);
        match self.qop {
            Some(Qop::Auth) => a.hash(&[
                &ha1,
                &self.nonce,
                self.nc.as_deref().unwrap_or(""),
                self.cnonce.as_deref().unwrap_or(""),
                "auth",
                &ha2,
            ]),
            None => a.hash(&[&ha1, &self.nonce, &ha2]),
        }
    }

    /// True when the response is the one `password` gives. The comparison takes the same
    /// time wherever the first differing digit is.
    pub fn verify(&self, method: &str, password: &str) -> bool {
        let expected = self.expected_response(method, password);
        let got = self.response.to_ascii_lowercase();
        bool::from(expected.as_bytes().ct_eq(got.as_bytes()))
    }

    /// Answers a challenge as a device would (for simulators and tests). With `qop` offered,
    /// answers with `qop=auth`, the given `cnonce` and nonce count `nc`.
    pub fn answer(
        challenge: &Challenge,
        username: &str,
        password: &str,
        method: &str,
        uri: &str,
        cnonce: &str,
        nc: u32,
    ) -> Credentials {
        let qop = challenge.qop.then_some(Qop::Auth);
        let mut c = Credentials {
            username: username.to_owned(),
            realm: challenge.realm.clone(),
            nonce: challenge.nonce.clone(),
            uri: uri.to_owned(),
            response: String::new(),
            algorithm: challenge.algorithm,
            qop,
            nc: qop.map(|_| format!("{nc:08x}")),
            cnonce: (qop.is_some() || challenge.algorithm.is_session()).then(|| cnonce.to_owned()),
            opaque: challenge.opaque.clone(),
        };
        c.response = c.expected_response(method, password);
        c
    }

    /// The header value, for a client.
    pub fn to_header_value(&self) -> String {
        let mut s = format!(
            "Digest username={}, realm={}, nonce={}, uri={}, response={}, algorithm={}",
            quote(&self.username),
            quote(&self.realm),
            quote(&self.nonce),
            quote(&self.uri),
            quote(&self.response),
            self.algorithm.name()
        );
        if let Some(Qop::Auth) = self.qop {
            s.push_str(", qop=auth");
        }
        if let Some(nc) = &self.nc {
            s.push_str(", nc=");
            s.push_str(nc);
        }
        if let Some(cnonce) = &self.cnonce {
            s.push_str(", cnonce=");
            s.push_str(&quote(cnonce));
        }
        if let Some(opaque) = &self.opaque {
            s.push_str(", opaque=");
            s.push_str(&quote(opaque));
        }
        s
    }
}

/// The `name=value` pairs of an auth header, values unquoted; a hand-written reader because
/// the parameters are a comma list of tokens and quoted strings (RFC 7235 §2.1) and a quoted
/// string may hold commas.
struct Params<'a> {
    rest: &'a str,
}

impl<'a> Params<'a> {
    fn new(rest: &'a str) -> Params<'a> {
        Params { rest }
    }
}

impl<'a> Iterator for Params<'a> {
    type Item = (&'a str, Result<String, DigestError>);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let Some(eq) = rest.find('=') else {
            self.rest = "";
            return Some(("", Err(DigestError::Malformed("a parameter has no value"))));
        };
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.rest = "";
            return Some((
                "",
                Err(DigestError::Malformed("a parameter name is not a token")),
            ));
        }
        if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => value.push(e),
                        None => break,
                    },
                    '"' => {
                        let tail = quoted[i + 1..].trim_start();
                        if !(tail.is_empty() || tail.starts_with(',')) {
                            self.rest = "";
                            return Some((
                                name,
                                Err(DigestError::Malformed("text after a quoted value")),
                            ));
                        }
                        self.rest = tail;
                        return Some((name, Ok(value)));
                    }
                    c => value.push(c),
                }
            }
            self.rest = "";
            Some((
                name,
                Err(DigestError::Malformed("a quoted value is not closed")),
            ))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            let token = after[..end].trim();
            self.rest = &after[end..];
            if token.is_empty() || token.contains([' ', '\t', '"']) {
                return Some((
                    name,
                    Err(DigestError::Malformed("a bare value is not a token")),
                ));
            }
            Some((name, Ok(token.to_owned())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_2617_section_3_5_md5_example() {
        let header = r#"Digest username="Mufasa",
                 realm="testrealm@host.com",
                 nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 uri="/dir/index.html",
                 qop=auth,
                 nc=00000001,
                 cnonce="0a4f113b",
                 response="6629fae49393a05397450978507c4ef1",
                 opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let creds = Credentials::parse(header).unwrap();
        assert_eq!(creds.algorithm, Algorithm::Md5);
        assert_eq!(creds.nonce_count(), Some(1));
        assert_eq!(
            creds.expected_response("GET", "Circle Of Life"),
            "6629fae49393a05397450978507c4ef1"
        );
        assert!(creds.verify("GET", "Circle Of Life"));
        assert!(!creds.verify("GET", "Circle of Life"));
        assert!(!creds.verify("POST", "Circle Of Life"));
    }

    #[test]
    fn rfc_7616_section_3_9_1_sha256_and_md5_examples() {
        let answer = |algorithm, response: &str| {
            format!(
                r#"Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html",
                algorithm={algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth,
                response="{response}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
            )
        };
        let sha = Credentials::parse(&answer(
            "SHA-256",
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ))
        .unwrap();
        assert_eq!(sha.algorithm, Algorithm::Sha256);
        assert!(sha.verify("GET", "Circle of Life"));
        let md5 = Credentials::parse(&answer("MD5", "8ca523f5e9506fed4657c9700eebdbec")).unwrap();
        assert!(md5.verify("GET", "Circle of Life"));
    }

    #[test]
    fn a_gb28181_register_without_qop() {
        // What most cameras send: no qop, no nc, no cnonce (RFC 2069 form).
        let challenge = Challenge {
            qop: false,
            ..Challenge::new("3402000000", "9bd055ee56b4ab6b5a2f8b23ad5a9a59")
        };
        let creds = Credentials::answer(
            &challenge,
            "34020000001320000001",
            "12345678",
            "REGISTER",
            "sip:34020000002000000001@3402000000",
            "",
            0,
        );
        let header = creds.to_header_value();
        assert!(
            !header.contains("qop") && !header.contains("nc="),
            "{header}"
        );
        let parsed = Credentials::parse(&header).unwrap();
        assert_eq!(parsed, creds);
        assert!(parsed.verify("REGISTER", "12345678"));
        assert!(!parsed.verify("REGISTER", "87654321"));
        // Hex case does not matter.
        let upper = Credentials {
            response: parsed.response.to_ascii_uppercase(),
            ..parsed
        };
        assert!(upper.verify("REGISTER", "12345678"));
    }

    #[test]
    fn session_variants_hash_the_nonces_into_ha1() {
        for algorithm in [Algorithm::Md5Sess, Algorithm::Sha256Sess] {
            let challenge = Challenge {
                algorithm,
                ..Challenge::new("3402000000", "abc")
            };
            let creds = Credentials::answer(&challenge, "u", "p", "REGISTER", "sip:x", "cn", 1);
            let parsed = Credentials::parse(&creds.to_header_value()).unwrap();
            assert_eq!(parsed.algorithm, algorithm);
            assert!(parsed.verify("REGISTER", "p"));
            let plain = Credentials {
                algorithm: if algorithm == Algorithm::Md5Sess {
                    Algorithm::Md5
                } else {
                    Algorithm::Sha256
                },
                ..parsed.clone()
            };
            assert_ne!(plain.expected_response("REGISTER", "p"), parsed.response);
        }
    }

    #[test]
    fn the_challenge_reads_as_devices_expect() {
        let c = Challenge {
            opaque: Some("o".into()),
            stale: true,
            ..Challenge::new("3402000000", "n\"1")
        };
        assert_eq!(
            c.to_header_value(),
            r#"Digest realm="3402000000", nonce="n\"1", algorithm=MD5, qop="auth", opaque="o", stale=TRUE"#
        );
    }

    fn refused(header: &str) -> &'static str {
        Credentials::parse(header).unwrap_err().code()
    }

    #[test]
    fn malformed_headers_are_refused_with_a_stable_code() {
        let ok = r#"Digest username="a", realm="r", nonce="n", uri="sip:x", response="00""#;
        assert!(Credentials::parse(ok).is_ok());
        assert_eq!(
            refused(r#"Basic YWxhZGRpbjpvcGVuc2VzYW1l"#),
            "digest_not_digest"
        );
        assert_eq!(
            refused(&format!("{ok}, x=\"{}\"", "a".repeat(5000))),
            "digest_too_long"
        );
        assert_eq!(
            refused(r#"Digest username="a, realm="r""#),
            "digest_malformed"
        );
        assert_eq!(refused(r#"Digest username"a""#), "digest_malformed");
        assert_eq!(
            refused(r#"Digest username="a"x, realm="r""#),
            "digest_malformed"
        );
        assert_eq!(
            refused(&format!("{ok}, username=\"b\"")),
            "digest_duplicate_parameter"
        );
        assert_eq!(
            refused(&format!("{ok}, USERNAME=\"b\"")),
            "digest_duplicate_parameter"
        );
        assert_eq!(
            refused(r#"Digest username="a", realm="r", nonce="n", uri="sip:x""#),
            "digest_missing_parameter"
        );
        assert_eq!(
            refused(&format!("{ok}, algorithm=SHA-512")),
            "digest_unsupported_algorithm"
        );
        assert_eq!(
            refused(&format!("{ok}, qop=auth-int, nc=1, cnonce=\"c\"")),
            "digest_unsupported_qop"
        );
        assert_eq!(
            refused(&format!("{ok}, qop=auth, cnonce=\"c\"")),
            "digest_missing_parameter"
        );
        assert_eq!(
            refused(&format!("{ok}, qop=auth, nc=xyz, cnonce=\"c\"")),
            "digest_bad_nonce_count"
        );
        assert_eq!(
            refused(&format!("{ok}, qop=auth, nc=123456789, cnonce=\"c\"")),
            "digest_bad_nonce_count"
        );
        assert_eq!(refused(&format!("{ok}, userhash=true")), "digest_userhash");
    }

    #[test]
    fn quoted_values_may_hold_commas_and_escapes() {
        let c = Credentials::parse(
            r#"digest   uri="sip:a,b", username="x\"y", realm="r", nonce="n", response="0", unknown=ignored"#,
        )
        .unwrap();
        assert_eq!(c.uri, "sip:a,b");
        assert_eq!(c.username, "x\"y");
    }
}

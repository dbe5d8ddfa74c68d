//! Bearer tokens: who may call the text service.
//!
//! Tokens come from a file (`--auth-token-file`, one per line) and/or the
//! `TEXTPIPE_AUTH_TOKENS` variable (comma-separated). A call must carry
//! `authorization: Bearer <token>` with one of them. The presented token is
//! compared with every configured token in time that depends only on the
//! configured tokens' lengths, never on where the first differing byte is.
//! Tokens are never logged and never echoed in an answer.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use subtle::{Choice, ConstantTimeEq};
use tonic::{Request, Status};

/// Shortest token accepted at start-up: a guessable token protects nothing.
pub const MIN_TOKEN_BYTES: usize = 16;

/// A configuration problem with the tokens; names where the bad token came
/// from (file and line, or the variable and position), never the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token file cannot be read.
    #[error("cannot read --auth-token-file {path}: {source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A token is too short or holds characters a header cannot carry.
    #[error(
        "{origin}: a token must be at least {MIN_TOKEN_BYTES} bytes of visible ASCII without spaces"
    )]
    Malformed {
        /// Where the token came from.
        origin: String,
    },
    /// Token authentication was asked for but no token was given.
    #[error("{origin} holds no token")]
    Empty {
        /// Where tokens were expected.
        origin: String,
    },
}

/// A secret that prints as `<redacted>`, so no `Debug` of a settings or
/// state struct can leak it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub Option<String>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(<redacted>)"),
            None => f.write_str("None"),
        }
    }
}

impl Secret {
    /// The value of environment variable `name`, if set.
    pub fn from_env(name: &str) -> Self {
        Self(std::env::var(name).ok())
    }
}

/// The configured tokens, reloadable (the file part) on SIGHUP or change.
pub struct TokenSet {
    file: Option<PathBuf>,
    from_env: Vec<Vec<u8>>,
    current: RwLock<Arc<Vec<Vec<u8>>>>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("file", &self.file)
            .field("tokens", &self.len())
            .finish()
    }
}

impl TokenSet {
    /// Tokens from `file` and from `env` (the value of `TEXTPIPE_AUTH_TOKENS`).
    /// `None` when neither is given: calls are not checked.
    ///
    /// # Errors
    /// When the file cannot be read, a token is malformed, or a source that
    /// was given holds no token at all.
    pub fn load(file: Option<&Path>, env: &Secret) -> Result<Option<Self>, TokenError> {
        let from_env = match env.0.as_deref() {
            None => Vec::new(),
            Some(value) => {
                let origin = "TEXTPIPE_AUTH_TOKENS";
                let tokens = parse_tokens(value, ',', |i| format!("{origin} item {i}"))?;
                if tokens.is_empty() {
                    return Err(TokenError::Empty {
                        origin: origin.to_owned(),
                    });
                }
                tokens
            }
        };
        if file.is_none() && from_env.is_empty() {
            return Ok(None);
        }
        let set = Self {
            file: file.map(Path::to_path_buf),
            from_env,
            current: RwLock::new(Arc::new(Vec::new())),
        };
        set.reload()?;
        Ok(Some(set))
    }

    /// Re-reads the token file (the variable's tokens stay). On error the
    /// tokens in force stay in force.
    ///
    /// # Errors
    /// As [`TokenSet::load`].
    pub fn reload(&self) -> Result<(), TokenError> {
        let mut tokens = self.from_env.clone();
        if let Some(path) = &self.file {
            let text = std::fs::read_to_string(path).map_err(|source| TokenError::Unreadable {
                path: path.clone(),
                source,
            })?;
            let shown = path.display().to_string();
            let from_file = parse_tokens(&text, '\n', |line| {
                format!("--auth-token-file {shown} line {line}")
            })?;
            if from_file.is_empty() {
                return Err(TokenError::Empty {
                    origin: format!("--auth-token-file {shown}"),
                });
            }
            tokens.extend(from_file);
        }
        *self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(tokens);
        Ok(())
    }

    /// The token file, if any (watched for changes).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Number of tokens in force.
    pub fn len(&self) -> usize {
        self.tokens().len()
    }

    /// Whether no token is in force (never after a successful load).
    pub fn is_empty(&self) -> bool {
        self.tokens().is_empty()
    }

    fn tokens(&self) -> Arc<Vec<Vec<u8>>> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Whether `presented` is one of the tokens. Every configured token is
    /// compared, each in time independent of the presented bytes' values.
    pub fn accepts(&self, presented: &[u8]) -> bool {
        let tokens = self.tokens();
        let mut any = Choice::from(0);
        for token in tokens.iter() {
            any |= fixed_time_eq(token, presented);
        }
        any.into()
    }

    /// Checks a call's `authorization` metadata.
    ///
    /// # Errors
    /// Why the call is refused; see [`Refused::status`].
    pub fn check<T>(&self, request: &Request<T>) -> Result<(), Refused> {
        let value = request
            .metadata()
            .get("authorization")
            .ok_or(Refused::Missing)?;
        // The scheme is case-insensitive (RFC 7235), the token is not.
        let bytes = value.as_bytes();
        let presented = bytes
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
            .and_then(|_| bytes.get(7..))
            .ok_or(Refused::Malformed)?;
        if self.accepts(presented) {
            Ok(())
        } else {
            Err(Refused::Invalid)
        }
    }
}

/// Why a call was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No `authorization` metadata.
    Missing,
    /// `authorization` is not `Bearer <token>`.
    Malformed,
    /// The token is not one of the configured ones.
    Invalid,
}

impl Refused {
    /// A label for logs and metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::Invalid => "invalid",
        }
    }

    /// `UNAUTHENTICATED`, with a message that says what was wrong but never
    /// repeats what was sent.
    pub fn status(self) -> Status {
        Status::unauthenticated(match self {
            Self::Missing => {
                "missing credentials: send the metadata `authorization: Bearer <token>`"
            }
            Self::Malformed => {
                "malformed credentials: the authorization metadata must be `Bearer <token>`"
            }
            Self::Invalid => "invalid bearer token",
        })
    }
}

/// Equality of a configured token with a presented one. Runs over every
/// byte of `configured` whatever `presented` holds, so the time taken tells
/// nothing about how much of a guess was right (only the configured length,
/// which is no secret worth having, shapes it).
fn fixed_time_eq(configured: &[u8], presented: &[u8]) -> Choice {
    let same_len = (configured.len() as u64).ct_eq(&(presented.len() as u64));
    let mut equal = Choice::from(1);
    for (i, byte) in configured.iter().enumerate() {
        let other = presented.get(i).copied().unwrap_or(0);
        equal &= byte.ct_eq(&other);
    }
    same_len & equal
}

/// Splits `text` on `sep`, trims, skips blanks (and `#` comment lines), and
/// checks each token. `origin(n)` names the n-th item (1-based) for errors.
fn parse_tokens(
    text: &str,
    sep: char,
    origin: impl Fn(usize) -> String,
) -> Result<Vec<Vec<u8>>, TokenError> {
    let mut tokens = Vec::new();
    for (i, item) in text.split(sep).enumerate() {
        let item = item.trim();
        if item.is_empty() || (sep == '\n' && item.starts_with('#')) {
            continue;
        }
        let valid = item.len() >= MIN_TOKEN_BYTES && item.bytes().all(|b| b.is_ascii_graphic());
        if !valid {
            return Err(TokenError::Malformed {
                origin: origin(i + 1),
            });
        }
        tokens.push(item.as_bytes().to_vec());
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "alpha-token-0123456789";
    const B: &str = "bravo-token-9876543210";

    fn set(env: &str) -> TokenSet {
        TokenSet::load(None, &Secret(Some(env.to_owned())))
            .unwrap()
            .unwrap()
    }

    fn request(auth: Option<&str>) -> Request<()> {
        let mut r = Request::new(());
        if let Some(auth) = auth {
            r.metadata_mut()
                .insert("authorization", auth.parse().unwrap());
        }
        r
    }

    #[test]
    fn nothing_configured_means_no_check() {
        assert!(TokenSet::load(None, &Secret(None)).unwrap().is_none());
    }

    #[test]
    fn any_configured_token_is_accepted_and_nothing_else() {
        let s = set(&format!("{A}, {B}"));
        assert_eq!(s.len(), 2);
        assert!(s.accepts(A.as_bytes()));
        assert!(s.accepts(B.as_bytes()));
        assert!(!s.accepts(b""));
        assert!(!s.accepts(&A.as_bytes()[..A.len() - 1]));
        assert!(!s.accepts(format!("{A}x").as_bytes()));
        let mut flipped = A.as_bytes().to_vec();
        flipped[0] ^= 1;
        assert!(!s.accepts(&flipped));
    }

    #[test]
    fn fixed_time_eq_is_plain_equality() {
        for (a, b, eq) in [
            (&b"abc"[..], &b"abc"[..], true),
            (b"abc", b"abd", false),
            (b"abc", b"ab", false),
            (b"ab", b"abc", false),
            (b"ab\0", b"ab", false),
            (b"", b"", true),
        ] {
            assert_eq!(bool::from(fixed_time_eq(a, b)), eq, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn check_answers_unauthenticated_without_echoing_the_token() {
        let s = set(A);
        assert!(s.check(&request(Some(&format!("Bearer {A}")))).is_ok());
        assert!(s.check(&request(Some(&format!("BEARER {A}")))).is_ok());
        let upper = s.check(&request(Some(&format!("Bearer {}", A.to_uppercase()))));
        assert_eq!(upper.unwrap_err(), Refused::Invalid, "the token is exact");
        let missing = s.check(&request(None)).unwrap_err();
        assert_eq!(missing, Refused::Missing);
        let missing = missing.status();
        assert_eq!(missing.code(), tonic::Code::Unauthenticated);
        assert!(missing.message().contains("missing"), "{missing:?}");
        let wrong = s
            .check(&request(Some("Bearer wrong-token-wrong-token")))
            .unwrap_err()
            .status();
        assert_eq!(wrong.code(), tonic::Code::Unauthenticated);
        assert!(!wrong.message().contains("wrong-token"), "{wrong:?}");
        let basic = s.check(&request(Some(&format!("Basic {A}")))).unwrap_err();
        assert_eq!(basic, Refused::Malformed);
        let basic = basic.status();
        assert_eq!(basic.code(), tonic::Code::Unauthenticated);
        assert!(!basic.message().contains(A), "{basic:?}");
    }

    #[test]
    fn bad_tokens_stop_loading_and_the_error_hides_them() {
        let err = TokenSet::load(None, &Secret(Some(format!("{A},short"))))
            .unwrap_err()
            .to_string();
        assert!(err.contains("TEXTPIPE_AUTH_TOKENS item 2"), "{err}");
        assert!(!err.contains("short"), "{err}");
        let err = TokenSet::load(None, &Secret(Some(" , ".into())))
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds no token"), "{err}");
        let err = TokenSet::load(None, &Secret(Some("has a space in it, ok".into())))
            .unwrap_err()
            .to_string();
        assert!(err.contains("item 1"), "{err}");
    }

    #[test]
    fn the_file_is_read_and_reread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens");
        std::fs::write(&path, format!("# callers\n{A}\n\n")).unwrap();
        let s = TokenSet::load(Some(&path), &Secret(Some(B.into())))
            .unwrap()
            .unwrap();
        assert!(s.accepts(A.as_bytes()) && s.accepts(B.as_bytes()));
        std::fs::write(&path, "charlie-token-0123456789\n").unwrap();
        s.reload().unwrap();
        assert!(!s.accepts(A.as_bytes()), "a removed token stops working");
        assert!(s.accepts(b"charlie-token-0123456789"));
        assert!(s.accepts(B.as_bytes()), "the variable's tokens stay");
        // A broken file keeps the tokens in force.
        std::fs::write(&path, "tiny\n").unwrap();
        let err = s.reload().unwrap_err().to_string();
        assert!(err.contains("line 1") && !err.contains("tiny"), "{err}");
        assert!(s.accepts(b"charlie-token-0123456789"));
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let shown = format!("{:?} {:?}", Secret(Some(A.into())), set(A));
        assert!(!shown.contains(A), "{shown}");
    }
}

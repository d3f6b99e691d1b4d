//! Client configuration: the URL, credentials and write options, checked once when the
//! client is built. I/O-free.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use percent_encoding::percent_decode_str;
use reqwest::Url;
use reqwest::header::HeaderValue;

use crate::{Error, Precision, Result};

/// The timeout of a request when none is configured: long enough for a 25 MB write body on a
/// slow link, short enough that a hung server is noticed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest write body sent in one request unless configured otherwise: 10 MB, well under
/// the 25,000,000 bytes that InfluxDB 1.x accepts by default (its `[http] max-body-size`; a
/// larger body is answered with 413).
pub const DEFAULT_MAX_BODY_SIZE: usize = 10_000_000;

/// The write consistency of an InfluxDB Enterprise cluster (`consistency=`); the open-source
/// server accepts and ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Consistency {
    /// A write succeeds once any node accepted it, hinted handoff included.
    Any,
    /// A write succeeds once one node wrote it.
    One,
    /// A write succeeds once a quorum of nodes wrote it.
    Quorum,
    /// A write succeeds once every node wrote it.
    All,
}

impl Consistency {
    /// The parameter value: `any`, `one`, `quorum` or `all`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Consistency::Any => "any",
            Consistency::One => "one",
            Consistency::Quorum => "quorum",
            Consistency::All => "all",
        }
    }
}

impl FromStr for Consistency {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "any" => Ok(Consistency::Any),
            "one" => Ok(Consistency::One),
            "quorum" => Ok(Consistency::Quorum),
            "all" => Ok(Consistency::All),
            _ => Err(Error::config(format!(
                "unknown consistency {text:?}: expected any, one, quorum or all"
            ))),
        }
    }
}

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum Auth {
    /// InfluxDB 1.x users, and 2.x/3.x with the token as password: HTTP Basic.
    Basic {
        username: String,
        header: HeaderValue,
    },
    /// InfluxDB 2.x/3.x tokens: `Authorization: Token …`.
    Token { header: HeaderValue },
}

impl Auth {
    pub(crate) fn header(&self) -> &HeaderValue {
        match self {
            Auth::Basic { header, .. } | Auth::Token { header } => header,
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Auth::Token { .. } => f.debug_tuple("Token").field(&"<redacted>").finish(),
        }
    }
}

fn sensitive_header(value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::config("credentials may not contain control characters such as a line feed")
    })?;
    header.set_sensitive(true);
    Ok(header)
}

pub(crate) fn basic_auth(username: &str, password: &str) -> Result<Auth> {
    // HTTP Basic sends `user:password` and the server splits it at the first colon, so a colon
    // in the user name would authenticate another user, with the rest of the name taken as the
    // start of the password.
    if username.contains(':') {
        return Err(Error::config(
            "the user name contains a `:`, which HTTP Basic authentication cannot carry: \
             the server would read the user name only up to it",
        ));
    }
    let encoded = BASE64.encode(format!("{username}:{password}"));
    Ok(Auth::Basic {
        username: username.to_owned(),
        header: sensitive_header(&format!("Basic {encoded}"))?,
    })
}

pub(crate) fn token_auth(token: &str) -> Result<Auth> {
    if token.is_empty() {
        return Err(Error::config("the token is empty"));
    }
    Ok(Auth::Token {
        header: sensitive_header(&format!("Token {token}"))?,
    })
}

/// The server and database a client talks to, from `http://user:pass@host:8086/database`.
#[derive(Clone)]
pub(crate) struct Target {
    /// The server's base URL, with any path prefix and without credentials, ending in `/`.
    pub(crate) base: Url,
    pub(crate) database: String,
    pub(crate) auth: Option<Auth>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("base", &self.base.as_str())
            .field("database", &self.database)
            .field("auth", &self.auth)
            .finish()
    }
}

impl Target {
    /// Parses the client URL: scheme `http` or `https`, the database as the last path segment
    /// (anything before it is a path prefix, for a server behind a proxy), credentials from the
    /// user-info, percent-decoded.
    pub(crate) fn parse(url: &str) -> Result<Self> {
        // The message never repeats the URL: it may hold a password.
        check_user_info_is_encoded(url)?;
        let mut parsed = Url::parse(url).map_err(|err| {
            Error::config(format!(
                "the URL is malformed ({err}); expected http://[user:password@]host[:port]/database"
            ))
        })?;
        match parsed.scheme() {
            "http" | "https" => {}
            other => {
                return Err(Error::config(format!(
                    "unsupported URL scheme `{other}`: use http or https"
                )));
            }
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::config("the URL has no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::config(
                "the URL may not have a query (`?…`) or fragment (`#…`): set options on the builder",
            ));
        }
        let mut segments: Vec<String> = parsed
            .path_segments()
            .into_iter()
            .flatten()
            .filter(|segment| !segment.is_empty())
            .map(|segment| decode(segment, "database name"))
            .collect::<Result<_>>()?;
        let Some(database) = segments.pop() else {
            return Err(Error::config(
                "the URL names no database: put it in the path, as in http://localhost:8086/mydb",
            ));
        };
        let auth = match (parsed.username(), parsed.password()) {
            ("", None) => None,
            (username, password) => Some(basic_auth(
                &decode(username, "user name")?,
                &decode(password.unwrap_or(""), "password")?,
            )?),
        };
        let _ = parsed.set_username("");
        let _ = parsed.set_password(None);
        let mut prefix: String = segments
            .iter()
            .map(|segment| {
                format!(
                    "/{}",
                    percent_encoding::utf8_percent_encode(segment, SEGMENT)
                )
            })
            .collect();
        prefix.push('/');
        parsed.set_path(&prefix);
        Ok(Target {
            base: parsed,
            database,
            auth,
        })
    }

    /// Whether the server is on this machine: the host `localhost` or a loopback address.
    pub(crate) fn is_loopback(&self) -> bool {
        let Some(host) = self.base.host_str() else {
            return false;
        };
        // The URL keeps an IPv6 address in brackets and domain names in lower case.
        match host.trim_start_matches('[').trim_end_matches(']').parse() {
            Ok(IpAddr::V4(ip)) => ip.is_loopback(),
            Ok(IpAddr::V6(ip)) => {
                ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|ip| ip.is_loopback())
            }
            Err(_) => host == "localhost",
        }
    }

    pub(crate) fn endpoint(&self, name: &str) -> Url {
        // `base` ends in `/`, so joining a plain name appends it.
        self.base.join(name).unwrap_or_else(|_| self.base.clone())
    }
}

/// The characters that end a part of an `http` URL: in the user-info they must be
/// percent-encoded, or the URL parser reads a different URL than the one meant.
const DELIMITERS: [char; 5] = ['/', '?', '#', '\\', '@'];

/// Refuses a URL whose user name or password holds one of [`DELIMITERS`] unencoded.
///
/// A URL parser ends the authority (`user:password@host:port`) at the first `/`, `?`, `#` or
/// `\`, and takes the host from after the last `@` before that point. A password `pa/ss` in
/// `http://u:pa/ss@host/db` therefore makes `u` the host and `pa` its port (a misleading
/// error), and with digits (`http://u:12/34@host/db`) a URL to host `u`, port 12, that
/// carries `34@host` as a path and no credentials at all. So the check reads the raw text: an
/// `@` after the authority has ended, or a second `@` inside it, means the user-info runs over
/// a delimiter. The message names the part and the class of the character, never the text.
fn check_user_info_is_encoded(url: &str) -> Result<()> {
    // As the URL parser does: leading spaces and controls are dropped, the scheme is
    // case-insensitive, and any run of slashes or backslashes may follow it.
    let url = url.trim_start_matches(|c: char| c <= ' ');
    let Some((scheme, rest)) = url.split_once(':') else {
        return Ok(());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let at_after_authority = rest[authority_end..].contains('@');
    let user_info_end = if at_after_authority {
        rest.rfind('@')
    } else {
        rest[..authority_end].rfind('@')
    };
    let Some(user_info) = user_info_end.map(|end| &rest[..end]) else {
        return Ok(());
    };
    let Some(delimiter) = user_info.find(DELIMITERS) else {
        return Ok(());
    };
    // The user name ends at the first `:`; a delimiter after it is in the password.
    let part = if user_info[..delimiter].contains(':') {
        "password"
    } else {
        "user name"
    };
    let path_hint = if at_after_authority {
        "; an `@` in the database name or path prefix must be written %40 too"
    } else {
        ""
    };
    Err(Error::config(format!(
        "the {part} in the URL holds, unencoded, a character that URLs reserve as a delimiter \
         (`/`, `?`, `#`, `\\` or `@`), so the URL would be read wrongly: percent-encode it in the \
         {part} (`/` as %2F, `?` as %3F, `#` as %23, `\\` as %5C, `@` as %40), or pass the \
         credentials with `ClientBuilder::basic_auth`{path_hint}"
    )))
}

/// What a path segment must escape.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn decode(text: &str, what: &str) -> Result<String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| Error::config(format!("the {what} in the URL is not UTF-8 once decoded")))
}

/// Options of writes: where and how points go.
#[derive(Debug, Clone)]
pub(crate) struct WriteOptions {
    pub(crate) precision: Precision,
    pub(crate) retention_policy: Option<String>,
    pub(crate) consistency: Option<Consistency>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn parse_err(url: &str) -> String {
        let err = Target::parse(url).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        err.message().to_owned()
    }

    #[test]
    fn database_credentials_and_prefix_come_from_the_url() {
        let target = Target::parse("http://us%20er:p%40ss%3Aword@localhost:8086/my%20db").unwrap();
        assert_eq!(target.database, "my db");
        assert_eq!(target.base.as_str(), "http://localhost:8086/");
        let Some(Auth::Basic { username, header }) = &target.auth else {
            panic!("basic auth expected");
        };
        assert_eq!(username, "us er");
        assert_eq!(
            header.to_str().unwrap(),
            format!("Basic {}", BASE64.encode("us er:p@ss:word"))
        );
        assert!(header.is_sensitive());

        let target = Target::parse("https://example.com/influx/v1/telemetry/").unwrap();
        assert_eq!(target.database, "telemetry");
        assert_eq!(target.base.as_str(), "https://example.com/influx/v1/");
        assert_eq!(
            target.endpoint("write").as_str(),
            "https://example.com/influx/v1/write"
        );
        assert!(target.auth.is_none());
    }

    #[test]
    fn bad_urls_get_a_clear_error_without_the_password() {
        assert!(parse_err("localhost:8086/db").contains("unsupported URL scheme `localhost`"));
        assert!(parse_err("ftp://host/db").contains("unsupported URL scheme `ftp`"));
        assert!(parse_err("http://host:8086").contains("names no database"));
        assert!(parse_err("http://host:8086/").contains("names no database"));
        assert!(parse_err("http://host/db?precision=s").contains("may not have a query"));
        assert!(parse_err("http://host/db#x").contains("fragment"));
        let message = parse_err("http://user:s3cret@ho st/db");
        assert!(message.contains("malformed"), "{message}");
        assert!(!message.contains("s3cret"));
        assert!(parse_err("http://h/%FF").contains("not UTF-8"));
    }

    /// Secrets of different shapes around `delimiter`: letters, digits only (which a parser
    /// would take for a port), the delimiter first, and a `:` in the password.
    fn secrets(delimiter: char) -> [String; 4] {
        [
            format!("Qzw{delimiter}Xvk"),
            format!("7391{delimiter}8264"),
            format!("{delimiter}wKjq"),
            format!("hTmy:{delimiter}Rbf"),
        ]
    }

    fn assert_shows_no_piece_of(message: &str, secret: &str) {
        assert!(!message.contains(secret), "{message}");
        for piece in secret.split(DELIMITERS).flat_map(|piece| piece.split(':')) {
            assert!(
                piece.is_empty() || !message.contains(piece),
                "{piece} in {message}"
            );
        }
    }

    #[test]
    fn an_unencoded_delimiter_in_the_password_is_refused_without_showing_it() {
        for delimiter in DELIMITERS {
            for password in secrets(delimiter) {
                for url in [
                    format!("http://admin:{password}@host:8086/db"),
                    format!("HTTPS://admin:{password}@host/prefix/db"),
                ] {
                    let message = parse_err(&url);
                    assert!(
                        message.starts_with("the password in the URL holds, unencoded, a character that URLs reserve as a delimiter"),
                        "{url}: {message}"
                    );
                    assert!(
                        message.contains("percent-encode it in the password"),
                        "{message}"
                    );
                    assert_shows_no_piece_of(&message, &password);
                    assert!(!message.contains("host"), "{message}");
                    // Nor does the builder's Debug, which shows only a URL that parsed.
                    let shown = format!("{:?}", crate::Client::builder(url));
                    assert_shows_no_piece_of(&shown, &password);
                }
            }
        }
    }

    #[test]
    fn an_unencoded_delimiter_in_the_user_name_is_refused() {
        for delimiter in DELIMITERS {
            // A user name that starts with `/` or `\\` cannot be told from the slashes after
            // `http:`, which URL parsers skip however many there are.
            let secrets = secrets(delimiter);
            let users = secrets.iter().filter(|user| !user.starts_with(['/', '\\']));
            for user in users {
                let user = user.replace(':', "");
                for url in [
                    format!("http://{user}:Pw4rd@host:8086/db"),
                    format!("http://{user}@host:8086/db"),
                ] {
                    let message = parse_err(&url);
                    assert!(
                        message.starts_with("the user name in the URL holds, unencoded"),
                        "{url}: {message}"
                    );
                    assert_shows_no_piece_of(&message, &user);
                    assert!(!message.contains("Pw4rd"), "{message}");
                }
            }
        }
    }

    #[test]
    fn percent_encoded_delimiters_in_credentials_and_path_are_read_as_meant() {
        let target =
            Target::parse("http://u%40corp:pa%2F%3F%23%5C%40ss@localhost:8086/my%40db").unwrap();
        assert_eq!(target.database, "my@db");
        assert_eq!(target.base.as_str(), "http://localhost:8086/");
        let Some(Auth::Basic { username, header }) = &target.auth else {
            panic!("basic auth expected");
        };
        assert_eq!(username, "u@corp");
        assert_eq!(
            header.to_str().unwrap(),
            format!("Basic {}", BASE64.encode("u@corp:pa/?#\\@ss"))
        );
        // An `@` left raw in the path cannot be told from a password's delimiter.
        let message = parse_err("http://localhost:8086/my@db");
        assert!(message.contains("must be written %40 too"), "{message}");
    }

    #[test]
    fn a_colon_in_the_user_name_is_refused() {
        let message = parse_err("http://ad%3Amin:pw@localhost:8086/db");
        assert!(
            message.starts_with("the user name contains a `:`"),
            "{message}"
        );
        let err = basic_auth("ad:min", "pw").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(err.message().starts_with("the user name contains a `:`"));
        let err = crate::Client::builder("http://localhost:8086/db")
            .basic_auth("ad:min", "pw")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(err.message().starts_with("the user name contains a `:`"));
        // A colon in the password is fine: the server splits at the first one.
        assert!(basic_auth("admin", "p:w").is_ok());
        assert!(Target::parse("http://admin:p:w@localhost:8086/db").is_ok());
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for url in [
            "http://localhost:8086/db",
            "http://LocalHost/db",
            "http://127.0.0.1:8086/db",
            "http://127.8.9.10/db",
            "http://[::1]:8086/db",
            "http://[::ffff:127.0.0.1]/db",
        ] {
            assert!(Target::parse(url).unwrap().is_loopback(), "{url}");
        }
        for url in [
            "http://example.com/db",
            "http://localhost.example.com/db",
            "http://10.0.0.1/db",
            "http://[::2]/db",
            "http://[::ffff:10.0.0.1]/db",
        ] {
            assert!(!Target::parse(url).unwrap().is_loopback(), "{url}");
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let target = Target::parse("http://admin:s3cret@localhost:8086/db").unwrap();
        let shown = format!("{target:?}");
        assert!(
            shown.contains("admin") && shown.contains("<redacted>"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret") && !shown.contains(&BASE64.encode("admin:s3cret")));
        let token = token_auth("t0ken").unwrap();
        assert!(!format!("{token:?}").contains("t0ken"));
    }

    #[test]
    fn every_consistency_level_round_trips_through_its_parameter() {
        for (level, text) in [
            (Consistency::Any, "any"),
            (Consistency::One, "one"),
            (Consistency::Quorum, "quorum"),
            (Consistency::All, "all"),
        ] {
            assert_eq!(level.as_str(), text);
            assert_eq!(text.parse::<Consistency>().unwrap(), level);
        }
    }

    #[test]
    fn consistency_parses_case_insensitively() {
        assert_eq!(
            "QUORUM".parse::<Consistency>().unwrap(),
            Consistency::Quorum
        );
        assert!("most".parse::<Consistency>().is_err());
    }
}

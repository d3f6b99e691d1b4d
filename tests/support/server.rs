//! A real InfluxDB for the tests: Debian's `influxd` (1.6.7) on a free loopback port with a
//! temporary data directory, or an existing server named by `INFLUXDB_URL`.
//!
//! Each test binary starts at most one plain server and one with authentication, shared by its
//! tests; every test works in a database of its own. A watchdog shell stops the server and
//! removes its directory when the test process ends (or when an owned [`Server`] is dropped).
//! Without `influxd` and without `INFLUXDB_URL` the tests fail, saying how to set them up.

use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The admin user of the server started with authentication.
pub const ADMIN_USER: &str = "admin";
/// The admin password of the server started with authentication.
pub const ADMIN_PASSWORD: &str = "admin-s3cret-pw";

const SETUP: &str = "InfluxDB is needed for these tests: install Debian's package \
    (`apt-get update && apt-get install -y influxdb`, which provides /usr/bin/influxd), \
    or point INFLUXDB_URL at a running InfluxDB 1.x (e.g. http://127.0.0.1:8086)";

/// A running InfluxDB.
#[derive(Debug)]
pub struct Server {
    base_url: String,
    admin: Option<(String, String)>,
    process: Option<Process>,
}

#[derive(Debug)]
struct Process {
    watchdog: Child,
    dir: PathBuf,
    influxd: PathBuf,
    config: PathBuf,
}

/// Starts influxd under a shell that stops it and removes its directory when the test process
/// is gone or a `stop` file appears (the directory stays when a `keep` file is there too), so
/// no server outlives its tests.
fn spawn_watchdog(influxd: &Path, config: &Path, dir: &Path) -> Child {
    Command::new("sh")
        .arg("-c")
        .arg(
            r#"influxd="$1"; config="$2"; dir="$3"; parent="$4"
            "$influxd" -config "$config" >>"$dir/influxd.log" 2>&1 &
            child=$!
            while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null && [ ! -e "$dir/stop" ]; do
                sleep 0.1
            done
            kill "$child" 2>/dev/null; wait "$child" 2>/dev/null
            [ -e "$dir/keep" ] || rm -rf "$dir""#,
        )
        .arg("inflow-influxd-watchdog")
        .arg(influxd)
        .arg(config)
        .arg(dir)
        .arg(std::process::id().to_string())
        .stdin(Stdio::null())
        .spawn()
        .expect("cannot start sh")
}

/// The shared plain server (no authentication) of this test process.
///
/// # Panics
///
/// When no server can be had, with a message saying how to install one.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("INFLUXDB_URL") {
        Ok(url) if !url.is_empty() => Server::existing(&url),
        _ => Server::start(false),
    })
}

/// The shared server with `auth-enabled = true` and an admin user ([`ADMIN_USER`]).
///
/// # Panics
///
/// When no server can be had, with a message saying how to install one.
pub fn auth_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| Server::start(true))
}

fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("no free loopback port")
}

impl Server {
    fn existing(url: &str) -> Server {
        let server = Server {
            base_url: url.trim_end_matches('/').to_owned(),
            admin: None,
            process: None,
        };
        assert!(
            server.ping(),
            "INFLUXDB_URL={url} does not answer /ping. {SETUP}"
        );
        server
    }

    /// Starts a server of its own, stopped when the value is dropped.
    ///
    /// # Panics
    ///
    /// When `influxd` is missing or does not come up, with its log.
    #[must_use]
    pub fn start(auth: bool) -> Server {
        Server::start_configured(auth, "")
    }

    /// Starts a server of its own with extra lines in the `[http]` section of its
    /// configuration (such as `max-body-size = 20000`).
    ///
    /// # Panics
    ///
    /// When `influxd` is missing or does not come up, with its log.
    #[must_use]
    pub fn start_configured(auth: bool, http_extra: &str) -> Server {
        let influxd = std::env::var_os("INFLUXD")
            .map_or_else(|| PathBuf::from("/usr/bin/influxd"), PathBuf::from);
        assert!(influxd.exists(), "{} not found. {SETUP}", influxd.display());
        let dir = tempfile::Builder::new()
            .prefix("inflow-influxd-")
            .tempdir()
            .expect("cannot create a temporary directory")
            .keep();
        let http_port = free_port();
        let rpc_port = free_port();
        let config = dir.join("influxdb.conf");
        std::fs::write(
            &config,
            config_file(&dir, http_port, rpc_port, auth, http_extra),
        )
        .expect("cannot write the config");
        let watchdog = spawn_watchdog(&influxd, &config, &dir);
        let mut server = Server {
            base_url: format!("http://127.0.0.1:{http_port}"),
            admin: None,
            process: Some(Process {
                watchdog,
                dir,
                influxd,
                config,
            }),
        };
        server.wait_until_up();
        if auth {
            // With no admin yet, 1.x lets exactly this statement through.
            server.post_query(
                None,
                &format!("CREATE USER \"{ADMIN_USER}\" WITH PASSWORD '{ADMIN_PASSWORD}' WITH ALL PRIVILEGES"),
            );
            server.admin = Some((ADMIN_USER.to_owned(), ADMIN_PASSWORD.to_owned()));
        }
        server
    }

    fn wait_until_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.ping() {
                return;
            }
            if let Some(process) = &mut self.process
                && let Ok(Some(status)) = process.watchdog.try_wait()
            {
                panic!("influxd exited ({status}) before answering. {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("influxd did not answer /ping within 60 s. {}", self.log());
    }

    fn log(&self) -> String {
        self.process.as_ref().map_or_else(String::new, |process| {
            let log = std::fs::read_to_string(process.dir.join("influxd.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            let mut text = String::from("Its log ends with:\n");
            for line in tail.into_iter().rev() {
                let _ = writeln!(text, "  {line}");
            }
            text
        })
    }

    /// Whether `/ping` answers with success.
    #[must_use]
    pub fn ping(&self) -> bool {
        http()
            .get(format!("{}/ping", self.base_url))
            .call()
            .is_ok_and(|response| response.status().is_success())
    }

    /// The base URL, `http://127.0.0.1:PORT`, without credentials.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The URL of `database` for a client, with the admin's credentials when the server has
    /// authentication.
    #[must_use]
    pub fn url(&self, database: &str) -> String {
        match &self.admin {
            Some((user, password)) => self.url_as(user, password, database),
            None => format!("{}/{database}", self.base_url),
        }
    }

    /// The URL of `database` with the given credentials.
    #[must_use]
    pub fn url_as(&self, user: &str, password: &str, database: &str) -> String {
        let enc = |text: &str| {
            percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        };
        let (scheme, rest) = self
            .base_url
            .split_once("://")
            .expect("a base URL has a scheme");
        format!(
            "{scheme}://{}:{}@{rest}/{database}",
            enc(user),
            enc(password)
        )
    }

    /// Runs `q` with POST `/query` (as the admin when the server has authentication) and
    /// returns the JSON answer, with times as integer nanoseconds.
    ///
    /// # Panics
    ///
    /// When the server does not answer with HTTP 200.
    pub fn post_query(&self, database: Option<&str>, q: &str) -> Value {
        let mut form = vec![("q", q), ("epoch", "ns")];
        if let Some(database) = database {
            form.push(("db", database));
        }
        let mut request = http().post(format!("{}/query", self.base_url));
        if let Some((user, password)) = &self.admin {
            use base64::Engine as _;
            let credentials =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            request = request.header("Authorization", format!("Basic {credentials}"));
        }
        let mut response = request
            .send_form(form)
            .unwrap_or_else(|err| panic!("POST /query failed: {err}"));
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .expect("a readable answer");
        assert_eq!(status, 200, "query {q:?} failed: {body}");
        serde_json::from_str(&body).expect("a JSON answer")
    }

    /// A new database with a unique name, dropped when the value is.
    ///
    /// # Panics
    ///
    /// When the server refuses.
    pub fn database(&'static self, label: &str) -> Database {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{label}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.post_query(None, &format!("CREATE DATABASE \"{name}\""));
        Database { server: self, name }
    }

    /// How many `/write` requests the server has answered since it started (its `writeReq`
    /// statistic): the wire's own count, to check how many requests a client sent.
    ///
    /// # Panics
    ///
    /// When the statistic cannot be read.
    #[must_use]
    pub fn write_requests(&self) -> u64 {
        let mut response = http()
            .get(format!("{}/debug/vars", self.base_url))
            .call()
            .expect("GET /debug/vars");
        let vars: Value =
            serde_json::from_str(&response.body_mut().read_to_string().expect("a body"))
                .expect("JSON from /debug/vars");
        vars.as_object()
            .expect("an object")
            .iter()
            .filter(|(name, _)| name.starts_with("httpd"))
            .filter_map(|(_, stats)| stats["values"]["writeReq"].as_u64())
            .sum()
    }

    /// Stops the server, as a crash would from the client's side, keeping its data.
    ///
    /// # Panics
    ///
    /// When the server was not started by this value.
    pub fn stop(&mut self) {
        let process = self
            .process
            .as_mut()
            .expect("a server started by the tests");
        std::fs::write(process.dir.join("keep"), b"").expect("the keep file");
        std::fs::write(process.dir.join("stop"), b"").expect("the stop file");
        let _ = process.watchdog.wait();
    }

    /// Starts the stopped server again on the same port, with the same data.
    ///
    /// # Panics
    ///
    /// When the server was not started by this value, or does not come back.
    pub fn restart(&mut self) {
        let process = self
            .process
            .as_mut()
            .expect("a server started by the tests");
        let _ = std::fs::remove_file(process.dir.join("stop"));
        let _ = std::fs::remove_file(process.dir.join("keep"));
        process.watchdog = spawn_watchdog(&process.influxd, &process.config, &process.dir);
        self.wait_until_up();
    }

    /// The data directory of a server started by the tests.
    ///
    /// # Panics
    ///
    /// When the server was not started by this value.
    #[must_use]
    pub fn data_dir(&self) -> &Path {
        &self
            .process
            .as_ref()
            .expect("a server started by the tests")
            .dir
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(process) = &mut self.process {
            let _ = std::fs::remove_file(process.dir.join("keep"));
            let _ = std::fs::write(process.dir.join("stop"), b"");
            let _ = process.watchdog.wait();
            let _ = std::fs::remove_dir_all(&process.dir);
        }
    }
}

fn config_file(dir: &Path, http_port: u16, rpc_port: u16, auth: bool, http_extra: &str) -> String {
    let dir = dir.display();
    format!(
        r#"reporting-disabled = true
bind-address = "127.0.0.1:{rpc_port}"

[meta]
  dir = "{dir}/meta"

[data]
  dir = "{dir}/data"
  wal-dir = "{dir}/wal"
  query-log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:{http_port}"
  auth-enabled = {auth}
  log-enabled = false
  {http_extra}

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false
"#
    )
}

/// A database of one test, dropped afterwards.
#[derive(Debug)]
pub struct Database {
    server: &'static Server,
    name: String,
}

/// One row of a `SELECT`: column name to JSON value (times in ns).
pub type Row = std::collections::BTreeMap<String, Value>;

impl Database {
    /// The database's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL a client of this database uses (with admin credentials on an auth server).
    #[must_use]
    pub fn url(&self) -> String {
        self.server.url(&self.name)
    }

    /// The server.
    #[must_use]
    pub fn server(&self) -> &'static Server {
        self.server
    }

    /// Runs `q` in this database.
    #[must_use]
    pub fn query(&self, q: &str) -> Value {
        self.server.post_query(Some(&self.name), q)
    }

    /// Every row of `SELECT * FROM "measurement"` (in `retention_policy` if given), ordered by
    /// time; tags are columns.
    ///
    /// # Panics
    ///
    /// When the answer carries an error.
    #[must_use]
    pub fn rows(&self, retention_policy: Option<&str>, measurement: &str) -> Vec<Row> {
        let from = match retention_policy {
            Some(rp) => format!("\"{}\".\"{}\"", quote(rp), quote(measurement)),
            None => format!("\"{}\"", quote(measurement)),
        };
        let answer = self.query(&format!("SELECT * FROM {from}"));
        let result = &answer["results"][0];
        assert!(result.get("error").is_none(), "query failed: {answer}");
        let Some(series) = result.get("series").and_then(Value::as_array) else {
            return Vec::new();
        };
        series
            .iter()
            .flat_map(|series| {
                let columns: Vec<String> = series["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|c| c.as_str().expect("a column name").to_owned())
                    .collect();
                series["values"]
                    .as_array()
                    .expect("values")
                    .iter()
                    .map(move |values| {
                        columns
                            .iter()
                            .cloned()
                            .zip(values.as_array().expect("a row").iter().cloned())
                            .filter(|(_, value)| !value.is_null())
                            .collect::<Row>()
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// `SELECT count(*)` of a measurement's field `field`.
    #[must_use]
    pub fn count(&self, measurement: &str, field: &str) -> u64 {
        let answer = self.query(&format!(
            "SELECT count(\"{}\") FROM \"{}\"",
            quote(field),
            quote(measurement)
        ));
        answer["results"][0]["series"][0]["values"][0][1]
            .as_u64()
            .unwrap_or(0)
    }
}

/// Escapes an identifier for double quotes (facts §7).
fn quote(identifier: &str) -> String {
    identifier
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Drop for Database {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = self
                .server
                .post_query(None, &format!("DROP DATABASE \"{}\"", quote(&self.name)));
        }
    }
}

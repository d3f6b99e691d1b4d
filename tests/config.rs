//! Client configuration against a real InfluxDB 1.6: the proxies named by the environment.
//!
//! Environment variables belong to the whole process, and the HTTP client reads them when a
//! client is built. So each scenario runs in a child process (`tests/support/bin/
//! proxy_env_child.rs`) with the variables set for that child alone; the test checks on the
//! server what the child wrote.

use std::net::TcpListener;
use std::process::Command;

use inflow_tests::proxy::FaultProxy;
use inflow_tests::server;

/// The variable through which the parent tells a child where to write.
const URL_VAR: &str = "INFLOW_TEST_URL";

/// Every variable that could send the child's requests elsewhere; the parent's own are not
/// passed on, so that only what a scenario sets counts.
const PROXY_VARS: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

/// Runs `scenario` of the child binary with `env`, and fails with its output unless it
/// succeeded.
fn run_in_child(scenario: &str, env: &[(&str, &str)]) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_proxy-env-child"));
    command.arg(scenario);
    for var in PROXY_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("the child binary runs");
    assert!(
        output.status.success(),
        "scenario {scenario} with {env:?} failed in its child process:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A loopback address where nothing listens: a connection to it is refused.
fn dead_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let address = listener.local_addr().expect("its address");
    drop(listener);
    format!("http://{address}")
}

#[test]
fn loopback_servers_and_no_proxy_clients_bypass_the_environment_proxy() {
    let db = server::server().database("proxy_bypass");
    let url = db.url();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "this test needs the loopback server it starts, not {url}"
    );
    let dead = dead_address();
    run_in_child(
        "direct",
        &[
            (URL_VAR, url.as_str()),
            ("HTTP_PROXY", dead.as_str()),
            ("ALL_PROXY", dead.as_str()),
        ],
    );
    assert_eq!(db.count("direct", "f"), 2);
}

#[test]
fn other_hosts_go_through_the_environment_proxy_unless_no_proxy() {
    let server = server::server();
    let db = server.database("proxy_used");
    let proxy = FaultProxy::start(server.base_url());
    // A host that no resolver knows: a write reaches the server only through the proxy.
    let url = format!("http://influx.invalid:8086/{}", db.name());
    for var in ["HTTP_PROXY", "ALL_PROXY"] {
        run_in_child(
            "proxied",
            &[(URL_VAR, url.as_str()), (var, proxy.base_url().as_str())],
        );
    }
    assert_eq!(proxy.requests(), 2, "one write per run through the proxy");
    let head = proxy.last_request_head();
    assert!(
        head.starts_with("POST http://influx.invalid:8086/write?db="),
        "{head}"
    );
    assert_eq!(db.count("proxied", "f"), 1);
}

//! The child process of `tests/config.rs`: builds clients under the proxy variables its parent
//! set for it alone, and writes to the database its parent named. Environment variables belong
//! to the whole process, and the HTTP client reads them when a client is built, hence a process
//! of its own. Exits non-zero (with a panic message) when the scenario does not hold.

use inflow::blocking::Client;
use inflow::{ErrorKind, RetryPolicy};

fn main() {
    let scenario = std::env::args()
        .nth(1)
        .expect("a scenario: direct or proxied");
    let url = std::env::var("INFLOW_TEST_URL").expect("INFLOW_TEST_URL, set by the parent test");
    match scenario.as_str() {
        // The proxy is dead: a loopback server is reached directly, with or without no_proxy.
        "direct" => {
            Client::new(&url)
                .unwrap()
                .write_line_protocol("direct,client=default f=1 1")
                .unwrap();
            Client::builder(url)
                .no_proxy()
                .build()
                .unwrap()
                .write_line_protocol("direct,client=no_proxy f=1 2")
                .unwrap();
        }
        // Another host: reached through the proxy, and not at all without it.
        "proxied" => {
            Client::new(&url)
                .unwrap()
                .write_line_protocol("proxied f=1 1")
                .unwrap();
            let err = Client::builder(url)
                .no_proxy()
                .retry(RetryPolicy::never())
                .build()
                .unwrap()
                .write_line_protocol("proxied f=2 2")
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
        }
        other => panic!("unknown scenario {other}"),
    }
}

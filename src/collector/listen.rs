//! Connections: accepting them within caps, and serving each with hyper's own timeouts.
//!
//! axum's `serve` gives no say over hyper's connection settings, so the collector runs its own
//! accept loop (the one axum runs, plus the limits): a connection is taken only while fewer
//! than `max_connections` are open (the rest wait in the kernel's backlog; the timeouts free
//! slots), and one address may hold at most `max_connections_per_address` (more are closed at
//! once), so neither one host nor many slow sockets can take every file descriptor.
//!
//! The timeouts are the stack's: hyper's `header_read_timeout` (a request's head must arrive
//! within it; hyper starts it again when a keep-alive connection waits for its next request,
//! so it also closes idle connections), tower-http's `RequestBodyTimeoutLayer` (the time
//! between two pieces of a body) and `TimeoutLayer` (a whole request, its body included: a
//! body trickled byte by byte is cut off, 408).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::error::{Error, Result};

/// Connection limits of `serve`, with their defaults (a flag each; README "Collector limits").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionLimits {
    /// Seconds for a request's head, from the connection's start or the end of the previous
    /// answer (so also the idle keep-alive timeout): 10.
    pub header_timeout: f64,
    /// Seconds between two pieces of a request body: 10.
    pub body_timeout: f64,
    /// Seconds for a whole request, body included (408 past it): 30.
    pub request_timeout: f64,
    /// Connections open at once, in total (1,024; lowered to fit the process's file limit).
    pub max_connections: usize,
    /// Connections open at once from one address (an IPv6 /64 is one address): 32.
    pub max_connections_per_address: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: 10.0,
            body_timeout: 10.0,
            request_timeout: 30.0,
            max_connections: 1024,
            max_connections_per_address: 32,
        }
    }
}

impl ConnectionLimits {
    /// Refuses limits that would disable a bound (zero or non-finite timeouts, zero caps).
    pub fn validate(&self) -> Result<()> {
        for (name, secs) in [
            ("header-timeout", self.header_timeout),
            ("body-timeout", self.body_timeout),
            ("request-timeout", self.request_timeout),
        ] {
            if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
                return Err(Error::InvalidParam {
                    name,
                    message: format!("must be seconds in (0, 86400], got {secs}"),
                });
            }
        }
        for (name, n) in [
            ("max-connections", self.max_connections),
            (
                "max-connections-per-address",
                self.max_connections_per_address,
            ),
        ] {
            if n == 0 {
                return Err(Error::InvalidParam {
                    name,
                    message: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }

    /// The tower layers of the request and body timeouts, to wrap the app in.
    pub fn layers(
        &self,
    ) -> (
        tower_http::timeout::TimeoutLayer,
        tower_http::timeout::RequestBodyTimeoutLayer,
    ) {
        (
            tower_http::timeout::TimeoutLayer::with_status_code(
                axum::http::StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs_f64(self.request_timeout),
            ),
            tower_http::timeout::RequestBodyTimeoutLayer::new(Duration::from_secs_f64(
                self.body_timeout,
            )),
        )
    }
}

/// The key connections are counted by: an IPv4 address, or an IPv6 /64 (IPv4-mapped
/// addresses are IPv4).
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Open connections by address.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<String, usize>>);

/// One open connection's place in [`PerAddress`], given back when dropped.
struct Slot {
    table: Arc<PerAddress>,
    key: String,
}

impl PerAddress {
    /// A slot for `key` when it holds fewer than `cap`.
    fn take(self: &Arc<Self>, key: String, cap: usize) -> Option<Slot> {
        let mut m = self.0.lock().ok()?;
        let n = m.entry(key.clone()).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(Slot {
            table: Arc::clone(self),
            key,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.table.0.lock() {
            if let Some(n) = m.get_mut(&self.key) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&self.key);
                }
            }
        }
    }
}

/// The open-file limit's soft value, when the platform says (Linux: /proc/self/limits).
fn open_file_limit() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// `max_connections`, lowered to leave 64 file descriptors for the database, the served
/// files and the listener (a cap above the process's limit would let idle sockets starve
/// the rest, as 1,008 of 1,024 did).
pub fn effective_max_connections(limits: &ConnectionLimits) -> usize {
    match open_file_limit() {
        Some(files) => limits.max_connections.min(files.saturating_sub(64).max(1)),
        None => limits.max_connections,
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves; open connections
/// then finish their requests (graceful shutdown).
pub async fn run(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let total = effective_max_connections(&limits);
    let permits = Arc::new(tokio::sync::Semaphore::new(total));
    let per_address = Arc::new(PerAddress::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs_f64(limits.header_timeout));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Wait for a free slot before accepting: past the cap, connections wait in the
        // backlog instead of taking descriptors.
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer): (tokio::net::TcpStream, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors or a connection reset before it was taken: go on (the
                // caps make the first rare).
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) =
            per_address.take(address_key(peer.ip()), limits.max_connections_per_address)
        else {
            // Over the address's share: closed at once (dropping the stream).
            continue;
        };
        let service =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req.map(axum::body::Body::new)
                });
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's end (closed, timed out, refused by hyper) is not an error of
            // the server.
            let _ = conn.await;
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    // Requests in flight finish; connections idle in keep-alive close now.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(30)) => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_ipv4_or_ipv6_prefix() {
        let k = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(k("203.0.113.9"), "203.0.113.9");
        assert_eq!(k("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(k("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(k("2001:db8:1:2:bbbb::2"), k("2001:db8:1:2::9"));
        assert_ne!(k("2001:db8:1:3::1"), k("2001:db8:1:2::1"));
    }

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_slots_back() {
        let t = Arc::new(PerAddress::default());
        let a = t.take("a".into(), 2).unwrap();
        let _b = t.take("a".into(), 2).unwrap();
        assert!(t.take("a".into(), 2).is_none());
        assert!(t.take("other".into(), 2).is_some());
        drop(a);
        assert!(t.take("a".into(), 2).is_some());
    }

    #[test]
    fn limits_that_disable_a_bound_are_refused() {
        assert!(ConnectionLimits::default().validate().is_ok());
        for bad in [
            ConnectionLimits {
                header_timeout: 0.0,
                ..Default::default()
            },
            ConnectionLimits {
                request_timeout: f64::INFINITY,
                ..Default::default()
            },
            ConnectionLimits {
                max_connections_per_address: 0,
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
        assert!(effective_max_connections(&ConnectionLimits::default()) >= 1);
    }
}

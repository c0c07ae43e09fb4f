//! Connecting to PostgreSQL: URL parsing (libpq-style `sslmode`), TLS with rustls, and password
//! redaction for every message that shows a URL.

use miette::{Diagnostic, Result};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config};

/// Session settings strata sets after connecting.
pub(crate) const SESSION_SQL: &str = "SET search_path = public";

/// The session settings of an apply phase (`SET LOCAL` inside a transaction): `lock_timeout`,
/// no function body checks, and `statement_timeout` when given. Values as PostgreSQL reads them
/// (e.g. `5000ms`).
pub(crate) fn apply_session_sql(
    lock_timeout: &str,
    statement_timeout: Option<&str>,
    local: bool,
) -> String {
    let set = if local { "SET LOCAL" } else { "SET" };
    let mut sql = format!(
        "{set} lock_timeout = {}; {set} check_function_bodies = off",
        crate::postgres::quote::literal(lock_timeout)
    );
    if let Some(t) = statement_timeout {
        sql.push_str(&format!(
            "; {set} statement_timeout = {}",
            crate::postgres::quote::literal(t)
        ));
    }
    sql
}

/// `SET lock_timeout` for a session (`migrate apply`, `migrate down`), e.g. `5000ms`.
pub(crate) fn lock_timeout_sql(lock_timeout: &str) -> String {
    format!(
        "SET lock_timeout = {}",
        crate::postgres::quote::literal(lock_timeout)
    )
}

/// The settings of a session that reads the catalog: `lock_timeout`, and no JIT compilation.
/// The bulk catalog queries cost enough at 20,000 tables for the planner to JIT-compile them,
/// which takes longer (about 150 ms a query) than it saves on queries of a second or less.
pub(crate) fn reader_session_sql(lock_timeout: &str) -> String {
    format!("{}; SET jit = off", lock_timeout_sql(lock_timeout))
}

/// More for a session while it reads the catalog (and runs no statement of the user's): sorts of
/// the bulk queries stay in memory (at 5,000 tables the columns query spilled 8 MB to disk under
/// the default `work_mem` of 4 MB), and no parallel workers (the inspection already keeps two
/// backends busy; on a small server, workers only compete with them). Together about 20% off an
/// inspection at 5,000 tables on 2 cores.
pub(crate) const CATALOG_ONLY_SESSION: &str =
    "SET work_mem = '64MB'; SET max_parallel_workers_per_gather = 0";

/// Undoes [`CATALOG_ONLY_SESSION`] on a connection that goes on to run the plan.
pub(crate) const CATALOG_ONLY_RESET: &str = "RESET work_mem; RESET max_parallel_workers_per_gather";

/// A parsed database URL. Keeps the original text for display (always redacted).
#[derive(Debug, Clone)]
pub struct DbUrl {
    raw: String,
    config: Config,
    tls: TlsMode,
    root_cert: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// A connection failure, with the URL redacted.
#[derive(Debug, Error, Diagnostic)]
#[error("could not connect to {url}: {reason}")]
#[diagnostic(
    code(strata::connect),
    help(
        "check that the server is running and that the URL (user, host, port, database) is right"
    )
)]
pub struct ConnectError {
    pub(crate) url: String,
    pub(crate) reason: String,
}

/// A malformed URL.
#[derive(Debug, Error, Diagnostic)]
#[error("invalid database URL {url}: {reason}")]
#[diagnostic(
    code(strata::url),
    help(
        "use postgres://user:password@host:port/database?sslmode=disable|prefer|require|verify-ca|verify-full"
    )
)]
pub struct UrlError {
    pub(crate) url: String,
    pub(crate) reason: String,
}

impl DbUrl {
    /// Parses a `postgres://` or `postgresql://` URL.
    pub fn parse(raw: &str) -> Result<DbUrl, UrlError> {
        let err = |reason: &str| UrlError {
            url: redact(raw),
            reason: reason.to_string(),
        };
        let rest = raw
            .strip_prefix("postgres://")
            .or_else(|| raw.strip_prefix("postgresql://"))
            .ok_or_else(|| err("the URL must start with postgres:// or postgresql://"))?;
        let (main, query) = match rest.split_once('?') {
            Some((m, q)) => (m, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match main.split_once('/') {
            Some((a, p)) => (a, p),
            None => (main, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let mut config = Config::new();
        if let Some(ui) = userinfo {
            let (user, password) = match ui.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (ui, None),
            };
            if !user.is_empty() {
                config.user(percent_decode(user).map_err(|e| err(&e))?);
            }
            if let Some(p) = password {
                config.password(percent_decode(p).map_err(|e| err(&e))?);
            }
        }
        let mut hosts = 0;
        for hp in hostport.split(',').filter(|s| !s.is_empty()) {
            let (host, port) = if let Some(inner) = hp.strip_prefix('[') {
                let (h, p) = inner
                    .split_once(']')
                    .ok_or_else(|| err("unterminated [ in host"))?;
                (h.to_string(), p.strip_prefix(':'))
            } else {
                match hp.rsplit_once(':') {
                    Some((h, p)) => (h.to_string(), Some(p)),
                    None => (hp.to_string(), None),
                }
            };
            config.host(percent_decode(&host).map_err(|e| err(&e))?);
            hosts += 1;
            if let Some(p) = port {
                let port = p
                    .parse::<u16>()
                    .map_err(|_| err("the port must be a number"))?;
                config.port(port);
            }
        }
        if !path.is_empty() {
            config.dbname(percent_decode(path).map_err(|e| err(&e))?);
        }
        let mut tls = TlsMode::Prefer;
        let mut root_cert = None;
        for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v).map_err(|e| err(&e))?;
            match k {
                "sslmode" => {
                    tls = match v.as_str() {
                        "disable" => TlsMode::Disable,
                        "allow" | "prefer" => TlsMode::Prefer,
                        "require" => TlsMode::Require,
                        "verify-ca" => TlsMode::VerifyCa,
                        "verify-full" => TlsMode::VerifyFull,
                        _ => return Err(err(&format!("unknown sslmode {v:?}"))),
                    }
                }
                "sslrootcert" => root_cert = Some(v),
                "sslcert" | "sslkey" => {
                    return Err(err(
                        "client certificates (sslcert/sslkey) are not supported",
                    ));
                }
                "host" => {
                    config.host(&v);
                    hosts += 1;
                }
                "port" => {
                    config.port(
                        v.parse::<u16>()
                            .map_err(|_| err("the port must be a number"))?,
                    );
                }
                "user" => {
                    config.user(&v);
                }
                "password" => {
                    config.password(&v);
                }
                "dbname" => {
                    config.dbname(&v);
                }
                "application_name" => {
                    config.application_name(&v);
                }
                "options" => {
                    config.options(&v);
                }
                "connect_timeout" => {
                    let secs = v
                        .parse::<u64>()
                        .map_err(|_| err("connect_timeout must be seconds"))?;
                    config.connect_timeout(Duration::from_secs(secs));
                }
                // Atlas URLs may carry a search_path; strata always qualifies names.
                "search_path" => {}
                _ => return Err(err(&format!("unknown URL parameter {k:?}"))),
            }
        }
        if hosts == 0 {
            config.host("localhost");
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .unwrap_or_else(|_| "postgres".to_string());
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Some(u) = config.get_user()
        {
            let u = u.to_string();
            config.dbname(&u);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("strata");
        }
        Ok(DbUrl {
            raw: raw.to_string(),
            config,
            tls,
            root_cert,
        })
    }

    /// The URL with its password masked.
    pub fn redacted(&self) -> String {
        redact(&self.raw)
    }

    /// Do both URLs name the same database on the same server (hosts, ports, database)?
    pub(crate) fn same_database(&self, other: &DbUrl) -> bool {
        format!("{:?}", self.config.get_hosts()) == format!("{:?}", other.config.get_hosts())
            && self.config.get_ports() == other.config.get_ports()
            && self.dbname() == other.dbname()
    }

    /// The database name.
    pub(crate) fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or("")
    }

    /// The same server with another database name.
    pub fn with_dbname(&self, dbname: &str) -> DbUrl {
        let mut copy = self.clone();
        copy.config.dbname(dbname);
        // Rebuild the display string so messages name the right database.
        copy.raw = replace_dbname(&self.raw, dbname);
        copy
    }

    /// Opens a connection. The connection task runs on the current tokio runtime.
    ///
    /// Every session gets strata's settings in its startup packet, after any `options` of the
    /// URL so that they win: `standard_conforming_strings = on` (string literals strata writes
    /// mean the same thing under any server or role default) and TCP keepalives, so that the
    /// server notices a client that died within about a minute. The connection's cancel key is
    /// registered for [`cancel_all`].
    pub async fn connect(&self) -> Result<Client, ConnectError> {
        let fail = |reason: String| ConnectError {
            url: self.redacted(),
            reason,
        };
        let mut config = self.config.clone();
        let options = match config.get_options() {
            Some(o) if !o.trim().is_empty() => format!("{o} {SESSION_OPTIONS}"),
            _ => SESSION_OPTIONS.to_string(),
        };
        config.options(&options);
        let client = if self.tls == TlsMode::Disable {
            config.ssl_mode(SslMode::Disable);
            let (client, conn) = config
                .connect(tokio_postgres::NoTls)
                .await
                .map_err(|e| fail(error_text(&e)))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        } else {
            config.ssl_mode(match self.tls {
                TlsMode::Prefer => SslMode::Prefer,
                _ => SslMode::Require,
            });
            let tls = self.rustls().map_err(fail)?;
            let (client, conn) = config
                .connect(tls)
                .await
                .map_err(|e| fail(error_text(&e)))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        };
        // The server ends a statement of a client that went away only when it next talks to
        // it; with this (PostgreSQL 14 and later) it checks every second while a statement runs.
        // Older servers do not know the setting: that is not an error, and the failed SET
        // leaves no transaction open (simple query, autocommit).
        let _ = client
            .batch_execute("SET client_connection_check_interval = 1000")
            .await;
        register(client.cancel_token(), self.clone());
        Ok(client)
    }

    /// Sends PostgreSQL's cancel request for the connection behind `token` (over TLS when the
    /// connection used it).
    async fn cancel(&self, token: &tokio_postgres::CancelToken) -> Result<(), String> {
        if self.tls == TlsMode::Disable {
            token
                .cancel_query(tokio_postgres::NoTls)
                .await
                .map_err(|e| error_text(&e))
        } else {
            let tls = self.rustls()?;
            token.cancel_query(tls).await.map_err(|e| error_text(&e))
        }
    }

    fn rustls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?;
        let roots = || -> Result<rustls::RootCertStore, String> {
            let mut roots = rustls::RootCertStore::empty();
            match &self.root_cert {
                Some(path) => {
                    use rustls::pki_types::pem::PemObject;
                    let certs = rustls::pki_types::CertificateDer::pem_file_iter(path)
                        .map_err(|e| format!("cannot read sslrootcert {path}: {e}"))?;
                    for c in certs {
                        let c = c.map_err(|e| format!("bad certificate in {path}: {e}"))?;
                        roots
                            .add(c)
                            .map_err(|e| format!("bad certificate in {path}: {e}"))?;
                    }
                }
                None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            }
            Ok(roots)
        };
        let config = match self.tls {
            TlsMode::Prefer | TlsMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
                .with_no_client_auth(),
            TlsMode::VerifyCa => {
                let inner = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(roots()?),
                    provider,
                )
                .build()
                .map_err(|e| e.to_string())?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(IgnoreHostname(inner)))
                    .with_no_client_auth()
            }
            TlsMode::VerifyFull | TlsMode::Disable => builder
                .with_root_certificates(roots()?)
                .with_no_client_auth(),
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

/// Session settings every connection of strata starts with (PostgreSQL's `-c` options).
pub(crate) const SESSION_OPTIONS: &str = "-c standard_conforming_strings=on -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3";

/// Cancel keys of the connections strata opened in this process.
static OPEN: std::sync::Mutex<Vec<(tokio_postgres::CancelToken, DbUrl)>> =
    std::sync::Mutex::new(Vec::new());

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Has [`cancel_all`] run: is a cancelled statement the user's interrupt rather than a
/// `statement_timeout`?
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

fn interrupt_notify() -> &'static tokio::sync::Notify {
    static NOTIFY: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    NOTIFY.get_or_init(tokio::sync::Notify::new)
}

/// Resolves once [`cancel_all`] has run (at once when it already has): for work that waits on
/// something other than the database, such as the approval prompt.
pub(crate) async fn until_interrupted() {
    loop {
        let notified = interrupt_notify().notified();
        let mut notified = std::pin::pin!(notified);
        notified.as_mut().enable();
        if interrupted() {
            return;
        }
        notified.await;
    }
}

fn register(token: tokio_postgres::CancelToken, url: DbUrl) {
    if let Ok(mut open) = OPEN.lock() {
        open.push((token, url));
    }
}

/// Sends a cancel request to every connection strata opened (Ctrl-C, SIGTERM): a running
/// statement stops and its transaction rolls back on the server, instead of running on after
/// strata exits. Idle and closed connections ignore it. Returns how many requests were sent.
pub(crate) async fn cancel_all() -> usize {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    interrupt_notify().notify_waiters();
    let open: Vec<(tokio_postgres::CancelToken, DbUrl)> = match OPEN.lock() {
        Ok(mut open) => std::mem::take(&mut *open),
        Err(_) => return 0,
    };
    let sent = futures_util::future::join_all(open.iter().map(|(token, url)| async move {
        tokio::time::timeout(Duration::from_secs(5), url.cancel(token))
            .await
            .is_ok_and(|r| r.is_ok())
    }))
    .await;
    sent.into_iter().filter(|ok| *ok).count()
}

/// `sslmode=require` semantics of libpq: encrypt, but do not verify the certificate.
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: verify the chain, accept any host name.
#[derive(Debug)]
struct IgnoreHostname(Arc<rustls::client::WebPkiServerVerifier>);

impl rustls::client::danger::ServerCertVerifier for IgnoreHostname {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        intermediates: &[rustls::pki_types::CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForNameContext { .. },
            )) => Ok(rustls::client::danger::ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Text of a driver error, with the server's message and detail when there is one.
pub fn error_text(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = db.message().to_string();
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

/// Masks the password in a URL (and in `password=` parameters): `postgres://u:secret@h/db`
/// becomes `postgres://u:****@h/db`.
pub(crate) fn redact(url: &str) -> String {
    let mut out = url.to_string();
    // The password runs from the first `:` after the scheme to the *last* `@`: it may hold
    // unescaped `/`, `?`, `@` or `:` in a malformed URL, and masking must not depend on the
    // URL being valid. (A `@` in the query can make this mask more than the password; never
    // less.)
    if let Some(scheme_end) = out.find("://") {
        let after = scheme_end + 3;
        if let Some(at) = out[after..].rfind('@')
            && let Some(colon) = out[after..after + at].find(':')
        {
            out.replace_range(after + colon + 1..after + at, "****");
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let parts: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=****"),
                _ => p.to_string(),
            })
            .collect();
        out = format!("{head}{}", parts.join("&"));
    }
    out
}

/// Masks every URL-with-password found inside a longer text.
pub(crate) fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.contains("://") {
            out.push_str(&redact(word));
        } else {
            out.push_str(word);
        }
    }
    out
}

fn replace_dbname(raw: &str, dbname: &str) -> String {
    let (main, query) = match raw.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (raw, None),
    };
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match main[scheme_end..].find('/') {
        Some(i) => &main[..scheme_end + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{dbname}?{q}"),
        None => format!("{base}/{dbname}"),
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3).ok_or("truncated percent-escape")?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| "bad percent-escape")?;
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-escape is not UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the catalog-only session sets is exactly what the reset puts back.
    #[test]
    fn the_catalog_only_reset_undoes_the_catalog_only_settings() {
        let names = |sql: &str, verb: &str| -> Vec<String> {
            let mut out: Vec<String> = sql
                .split(';')
                .map(|s| {
                    let s = s.trim();
                    let rest = s
                        .strip_prefix(verb)
                        .unwrap_or_else(|| panic!("{verb}: {s}"));
                    rest.split([' ', '='])
                        .find(|w| !w.is_empty())
                        .unwrap_or_default()
                        .to_string()
                })
                .collect();
            out.sort();
            out
        };
        let set = names(CATALOG_ONLY_SESSION, "SET ");
        assert_eq!(set, ["max_parallel_workers_per_gather", "work_mem"]);
        assert_eq!(set, names(CATALOG_ONLY_RESET, "RESET "));
    }

    trait ErrText {
        fn unwrap_err_or_display(self) -> String;
    }

    impl ErrText for Result<(), UrlError> {
        /// The error message, or the empty string when the URL parsed.
        fn unwrap_err_or_display(self) -> String {
            self.err().map(|e| format!("{e}")).unwrap_or_default()
        }
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:****@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("postgres://h/db?user=u&password=secret"),
            "postgres://h/db?user=u&password=****"
        );
        assert_eq!(redact("postgres://u:p%40ss@h/db"), "postgres://u:****@h/db");
        assert!(!redact_text("error at postgres://a:hunter2@x/y now").contains("hunter2"));
        // Malformed URLs: unescaped `/`, `?`, `@` in the password.
        for raw in [
            "postgres://u:ab/cd-SECRET@host/db",
            "postgres://u:ab?cd-SECRET@host/db",
            "postgres://u:a@b/SECRET@host/db",
            "postgresql://u:SECRET:x@host",
        ] {
            assert!(!redact(raw).contains("SECRET"), "{raw} -> {}", redact(raw));
            let e = DbUrl::parse(raw).map(|_| ()).unwrap_err_or_display();
            assert!(!e.contains("SECRET"), "{raw}: {e}");
        }
        assert_eq!(redact("postgres://u@h:5432/db"), "postgres://u@h:5432/db");
    }

    #[test]
    fn parses_urls() {
        let u =
            DbUrl::parse("postgres://alice:pw@db.example.com:6543/app?sslmode=require").unwrap();
        assert_eq!(u.dbname(), "app");
        assert_eq!(u.config.get_user(), Some("alice"));
        assert_eq!(u.config.get_ports(), &[6543]);
        assert_eq!(u.tls, TlsMode::Require);
        let other = u.with_dbname("scratch");
        assert_eq!(other.dbname(), "scratch");
        assert_eq!(
            other.redacted(),
            "postgres://alice:****@db.example.com:6543/scratch?sslmode=require"
        );
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("postgres://h/db?sslmode=bogus").is_err());
    }
}

//! The request being served, for the audit lines its handler writes: set once per
//! request by the authentication middleware, read by [`super::record`]. A task-local,
//! so that no service signature has to carry the client's address.

use crate::crypto::{Cipher, Field};
use std::{future::Future, net::IpAddr, sync::Arc};

pub(crate) const IP: Field<'static> = Field {
    table: "audit_log",
    column: "ip",
};
/// Not bound to a row: one request may write lines of several organizations.
pub(crate) const ROW: &str = "request";

/// The request's client, sealed only when a line is written (most requests write none).
#[derive(Clone, Debug)]
pub struct Client {
    ip: IpAddr,
    cipher: Arc<Cipher>,
}

tokio::task_local! {
    static CLIENT: Client;
}

impl Client {
    pub fn new(cipher: Arc<Cipher>, ip: IpAddr) -> Self {
        Client { ip, cipher }
    }
}

/// Runs `f` (the rest of the request) with `client` as its audit context.
pub async fn scope<F: Future>(client: Client, f: F) -> F::Output {
    CLIENT.scope(client, f).await
}

/// The sealed address of the request being served, if any.
pub(super) fn current_ip() -> Option<String> {
    CLIENT
        .try_with(|c| c.cipher.encrypt(IP, ROW, &c.ip.to_string()).ok())
        .ok()
        .flatten()
}

pub(super) fn open_ip(cipher: &Cipher, stored: &str) -> Option<String> {
    cipher.decrypt(IP, ROW, stored).ok()
}

//! The request being served, for the audit lines its handler writes: set once per
//! request by the authentication middleware, read by [`super::record`]. A task-local,
//! so that no service signature has to carry the client's address.

use crate::crypto::{Cipher, Field};
use std::{future::Future, net::IpAddr};

const IP: Field<'static> = Field {
    table: "audit_log",
    column: "ip",
};
/// Not bound to a row: the address is sealed before the request knows which lines
/// (of which organization) it will write.
const ROW: &str = "request";

#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip_ciphertext: Option<String>,
}

tokio::task_local! {
    static CLIENT: Client;
}

impl Client {
    pub fn new(cipher: &Cipher, ip: IpAddr) -> Self {
        Client {
            ip_ciphertext: cipher.encrypt(IP, ROW, &ip.to_string()).ok(),
        }
    }
}

/// Runs `f` (the rest of the request) with `client` as its audit context.
pub async fn scope<F: Future>(client: Client, f: F) -> F::Output {
    CLIENT.scope(client, f).await
}

/// The sealed address of the request being served, if any.
pub(super) fn current_ip() -> Option<String> {
    CLIENT.try_with(|c| c.ip_ciphertext.clone()).ok().flatten()
}

pub(super) fn open_ip(cipher: &Cipher, stored: &str) -> Option<String> {
    cipher.decrypt(IP, ROW, stored).ok()
}

//! A real SMTP server on loopback for the tests (RFC 5321, the commands lettre sends):
//! it keeps every message it accepts and counts the connections it was opened. Replies
//! can be scripted per recipient: an address containing `reject` gets 550, one
//! containing `busy` gets 451 on its first two tries, `throttle` gets 421 then closes,
//! `garbage` gets a line that is not SMTP, then the connection closes. It offers
//! `AUTH PLAIN` and refuses (535) any login whose password contains `wrong`.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::Notify,
};

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone, Default)]
pub struct SmtpServer {
    pub port: u16,
    pub received: Arc<Mutex<Vec<Received>>>,
    pub connections: Arc<AtomicUsize>,
    tries: Arc<Mutex<HashMap<String, usize>>>,
    arrived: Arc<Notify>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let server = SmtpServer {
            port: listener.local_addr().unwrap().port(),
            ..Default::default()
        };
        let accepting = server.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                let session = accepting.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        server
    }

    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        loop {
            let notified = self.arrived.notified();
            if self.received.lock().unwrap().len() >= n {
                return self.messages();
            }
            tokio::time::timeout(std::time::Duration::from_secs(30), notified)
                .await
                .expect("messages arrive within 30 s");
        }
    }

    fn tries(&self, rcpt: &str) -> usize {
        let mut tries = self.tries.lock().unwrap();
        let n = tries.entry(rcpt.to_owned()).or_default();
        *n += 1;
        *n
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 test.local ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::<String>::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-test.local\r\n250-8BITMIME\r\n250-AUTH PLAIN\r\n250 SMTPUTF8\r\n"
            } else if upper.starts_with("AUTH PLAIN") {
                use base64::Engine;
                let given = line.trim()["AUTH PLAIN".len()..].trim();
                let plain = base64::engine::general_purpose::STANDARD
                    .decode(given)
                    .unwrap_or_default();
                if String::from_utf8_lossy(&plain).contains("wrong") {
                    b"535 5.7.8 authentication credentials invalid\r\n"
                } else {
                    b"235 2.7.0 authentication successful\r\n"
                }
            } else if upper.starts_with("HELO")
                || upper.starts_with("RSET")
                || upper.starts_with("NOOP")
            {
                if upper.starts_with("RSET") {
                    from.clear();
                    to.clear();
                }
                b"250 OK\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                from = address(&line);
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO:") {
                let rcpt = address(&line);
                if rcpt.contains("reject") {
                    b"550 5.1.1 no such user here\r\n"
                } else if rcpt.contains("busy") && self.tries(&rcpt) <= 2 {
                    b"451 4.7.1 greylisted, try again later\r\n"
                } else if rcpt.contains("garbage") {
                    write.write_all(b"<html>502 Bad Gateway</html>\r\n").await?;
                    return Ok(());
                } else if rcpt.contains("throttle") && self.tries(&rcpt) <= 1 {
                    write
                        .write_all(b"421 4.7.0 too many messages, closing\r\n")
                        .await?;
                    return Ok(());
                } else {
                    to.push(rcpt);
                    b"250 OK\r\n"
                }
            } else if upper.starts_with("DATA") {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                }
                self.received.lock().unwrap().push(Received {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                self.arrived.notify_waiters();
                b"250 2.0.0 queued as test\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                b"502 command not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }
}

fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].trim().to_owned()
}

//! Multipart requests with an `Idempotency-Key`: their bodies are hashed as they stream
//! by (uploads may be large and are never held), with the multipart delimiters left out,
//! since a client that retries an upload may well pick a new boundary for the same parts.

use super::invalid;
use crate::error::ServiceError;
use axum::{
    body::{Body, BodyDataStream, Bytes},
    http::{header, HeaderMap},
};
use futures_util::{Stream, StreamExt};
use ring::digest;
use std::{
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
};

/// RFC 2046's bound on a multipart boundary.
const MAX_BOUNDARY: usize = 70;

/// The boundary of a multipart request; `None` for other requests.
pub fn boundary(headers: &HeaderMap) -> Result<Option<String>, ServiceError> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|ct| ct.starts_with("multipart/"))
        .map(|ct| {
            ct.split(';')
                .find_map(|p| p.trim().strip_prefix("boundary="))
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        });
    if boundary
        .as_deref()
        .is_some_and(|b| b.is_empty() || b.len() > MAX_BOUNDARY)
    {
        return Err(invalid(&format!(
            "a multipart boundary has 1 to {MAX_BOUNDARY} characters"
        )));
    }
    Ok(boundary)
}

/// A retried upload's hash: its body read through the hash and dropped (uploads may be
/// large; nothing is kept).
pub async fn hash_stream(
    hasher: digest::Context,
    boundary: &str,
    body: Body,
) -> Result<String, ServiceError> {
    let mut hashing = Hashing::new(hasher, boundary);
    let mut stream = body.into_data_stream();
    let mut read = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| invalid(&format!("the request body broke off: {e}")))?;
        read += chunk.len();
        if read > crate::imports::UPLOAD_MAX_BYTES {
            return Err(invalid("the request body is larger than any upload"));
        }
        hashing.feed(&chunk);
    }
    hashing.done = true;
    hashing
        .finish()
        .ok_or_else(|| invalid("the request body broke off"))
}

/// The hash of a streamed multipart body, with its delimiters (`--` and the boundary)
/// left out: a client that retries an upload may well pick a new boundary for the same
/// parts.
pub struct Hashing {
    hasher: digest::Context,
    delimiter: memchr::memmem::Finder<'static>,
    /// The tail of what was read, that may start a delimiter the next chunk completes.
    carry: Vec<u8>,
    /// Every byte of the body went through the hash.
    done: bool,
    /// The body broke off (the client went away, or it was too large).
    broken: bool,
}

impl Hashing {
    pub fn new(hasher: digest::Context, boundary: &str) -> Self {
        Hashing {
            hasher,
            delimiter: memchr::memmem::Finder::new(format!("--{boundary}").as_bytes()).into_owned(),
            carry: Vec::new(),
            done: false,
            broken: false,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        let width = self.delimiter.needle().len();
        let mut start = 0;
        while let Some(at) = self.delimiter.find(&data[start..]) {
            self.hasher.update(&data[start..start + at]);
            start += at + width;
        }
        let tail = data.len().saturating_sub(width - 1).max(start);
        self.hasher.update(&data[start..tail]);
        self.carry = data[tail..].to_vec();
    }

    /// The hash, when the whole body went by.
    pub fn finish(&mut self) -> Option<String> {
        if !self.done || self.broken {
            return None;
        }
        let carry = std::mem::take(&mut self.carry);
        self.hasher.update(&carry);
        Some(hex::encode(self.hasher.clone().finish()))
    }
}

/// What a handler may leave unread and still have its response stored: a multipart
/// parser stops after the closing boundary, before the stream says it ended.
const UNREAD_MAX: usize = 64 * 1024;

/// A request body that feeds the hash as the handler reads it. Dropped before its end, it
/// reads on (at most [`UNREAD_MAX`] bytes) to finish the hash, then says so.
pub struct Hashed {
    inner: Option<BodyDataStream>,
    progress: Arc<Mutex<Hashing>>,
    finished: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Stream for Hashed {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let next = Pin::new(inner).poll_next(cx);
        if let Poll::Ready(item) = &next {
            let mut progress = self.progress.lock().unwrap_or_else(|p| p.into_inner());
            match item {
                Some(Ok(chunk)) => progress.feed(chunk),
                None => progress.done = true,
                Some(Err(_)) => progress.broken = true,
            }
        }
        next
    }
}

impl Drop for Hashed {
    fn drop(&mut self) {
        let finished = self.finished.take();
        let done = self.progress.lock().unwrap_or_else(|p| p.into_inner()).done;
        let rest = self.inner.take().filter(|_| !done);
        let progress = self.progress.clone();
        let (Some(mut rest), Ok(runtime)) = (rest, tokio::runtime::Handle::try_current()) else {
            if let Some(f) = finished {
                let _ = f.send(());
            }
            return;
        };
        runtime.spawn(async move {
            let mut unread = 0;
            let complete = loop {
                match rest.next().await {
                    Some(Ok(chunk)) => {
                        unread += chunk.len();
                        if unread > UNREAD_MAX {
                            break false;
                        }
                        progress
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .feed(&chunk);
                    }
                    Some(Err(_)) => break false,
                    None => break true,
                }
            };
            let mut progress = progress.lock().unwrap_or_else(|p| p.into_inner());
            progress.broken |= !complete;
            progress.done = complete;
            drop(progress);
            if let Some(f) = finished {
                let _ = f.send(());
            }
        });
    }
}

impl Hashed {
    /// `body`, hashing into `progress`; `finished` is told once every byte went through.
    pub fn new(
        body: Body,
        progress: Arc<Mutex<Hashing>>,
        finished: tokio::sync::oneshot::Sender<()>,
    ) -> Self {
        Hashed {
            inner: Some(body.into_data_stream()),
            progress,
            finished: Some(finished),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(boundary: &str, chunks: &[&[u8]]) -> String {
        let mut h = Hashing::new(digest::Context::new(&digest::SHA256), boundary);
        for c in chunks {
            h.feed(c);
        }
        h.done = true;
        h.finish().unwrap()
    }

    #[test]
    fn only_delimiters_are_left_out() {
        let a = "--a\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\naaa\r\n--a--\r\n";
        let b = "--a\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nbbb\r\n--a--\r\n";
        assert_ne!(
            hash("a", &[a.as_bytes()]),
            hash("a", &[b.as_bytes()]),
            "a short boundary does not erase content"
        );
    }

    #[test]
    fn a_multipart_hash_ignores_the_boundary_and_the_chunking() {
        let body = |b: &str| {
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nemail\na@x.org\n\r\n--{b}--\r\n")
        };
        let one = body("AaB03x");
        let other = body("zz-9f8e7d6c5b4a");
        let whole = hash("AaB03x", &[one.as_bytes()]);
        assert_eq!(hash("zz-9f8e7d6c5b4a", &[other.as_bytes()]), whole);
        for cut in 1..one.len() {
            let (a, b) = one.as_bytes().split_at(cut);
            assert_eq!(hash("AaB03x", &[a, b]), whole, "cut at {cut}");
        }
        let changed = body("AaB03x").replace("a@x.org", "b@x.org");
        assert_ne!(hash("AaB03x", &[changed.as_bytes()]), whole);
    }
}

//! The blocking client (feature `blocking`): the same wire form, decoding
//! and retry rules as the async one.

use std::fmt;
use std::io::Read;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{
    Body, CallOptions, Config, FORM_CONTENT_TYPE, Prepared, encode_form, finish, too_large,
};
use crate::error::Error;
use crate::qimen;
use crate::request::{EncodeError, Request};

/// The blocking client. Build it with
/// [`ClientBuilder::build_blocking`](super::ClientBuilder::build_blocking);
/// it must not be created or dropped inside an async runtime.
#[derive(Clone)]
pub struct Client {
    cfg: Arc<Config>,
    http: reqwest::blocking::Client,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("cfg", &self.cfg)
            .finish()
    }
}

impl Client {
    pub(super) fn new(cfg: Config) -> Result<Self, Error> {
        let http = reqwest::blocking::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.connect_timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            cfg: Arc::new(cfg),
            http,
        })
    }

    /// The signed wire form of `req` at `timestamp`, not sent.
    pub fn prepare<'r, R: Request>(
        &self,
        req: &'r R,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        self.cfg.prepare(req, timestamp, opts)
    }

    /// Calls the API with the client's defaults.
    pub fn execute<R: Request>(&self, req: &R) -> Result<R::Response, Error> {
        self.execute_with(req, &CallOptions::default())
    }

    /// Calls the API with per-call options.
    pub fn execute_with<R: Request>(
        &self,
        req: &R,
        opts: &CallOptions,
    ) -> Result<R::Response, Error> {
        let mut retry = 0;
        loop {
            let prepared = self.cfg.prepare(req, Utc::now(), opts)?;
            match self.send_once::<R>(&prepared) {
                Err(e) if retry < self.cfg.retry.max_retries && e.is_retryable() => {
                    std::thread::sleep(self.cfg.retry.delay(retry));
                    retry += 1;
                }
                other => return other,
            }
        }
    }

    fn send_once<R: Request>(&self, p: &Prepared<'_>) -> Result<R::Response, Error> {
        let api = p.api;
        let builder = self.http.post(&p.url);
        let builder = match &p.body {
            Body::Form(fields) => builder
                .header(reqwest::header::CONTENT_TYPE, FORM_CONTENT_TYPE)
                .body(encode_form(fields)),
            Body::Multipart { fields, files } => {
                let mut form = reqwest::blocking::multipart::Form::new();
                for (k, v) in fields {
                    form = form.text(k.clone(), v.clone());
                }
                for (name, file) in files {
                    let mut part = reqwest::blocking::multipart::Part::bytes(file.bytes.clone())
                        .file_name(file.file_name.clone());
                    if let Some(mime) = &file.mime_type {
                        part = part.mime_str(mime).map_err(|e| EncodeError {
                            api,
                            param: name,
                            message: format!("invalid MIME type `{mime}`: {e}"),
                        })?;
                    }
                    form = form.part(*name, part);
                }
                builder.multipart(form)
            }
            Body::Xml(xml) => builder
                .header(reqwest::header::CONTENT_TYPE, qimen::CONTENT_TYPE)
                .body(xml.clone()),
        };
        let resp = builder.send().map_err(|e| Error::transport(api, e))?;
        let status = resp.status().as_u16();
        let limit = self.cfg.max_body_bytes;
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(api, limit));
        }
        let mut body = Vec::new();
        // One byte past the limit tells "too large" from "exactly the limit".
        resp.take(limit as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| Error::transport_io(api, e))?;
        if body.len() > limit {
            return Err(too_large(api, limit));
        }
        finish::<R>(api, self.cfg.simplify, status, &body)
    }
}

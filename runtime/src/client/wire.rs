//! The wire form of a call: system parameters, signature, body. One
//! [`Call`] describes what to send whatever built it (a generated request,
//! or a method and parameters chosen at run time).

use std::fmt;

use chrono::{DateTime, Utc};

use super::{CallOptions, Config, format_timestamp, raw, retry};
use crate::batch;
use crate::error::Error;
use crate::qimen;
use crate::request::{EncodeError, Protocol, Request};
use crate::sign;
use crate::types::FileItem;

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// System parameter names; a business parameter may not reuse one.
const SYSTEM_PARAMS: &[&str] = &[
    "method",
    "app_key",
    "session",
    "timestamp",
    "format",
    "v",
    "sign_method",
    "sign",
    "partner_id",
    "target_app_key",
    "simplify",
    "customerId",
];

/// What one call sends, before system parameters and signature.
#[derive(Debug, Clone)]
pub(crate) struct Call<'r> {
    pub(crate) method: &'r str,
    pub(crate) protocol: Protocol,
    /// Text business parameters (TOP), in order.
    pub(crate) params: Vec<(String, String)>,
    /// `byte[]` parameters (TOP): multipart, outside the signature.
    pub(crate) files: Vec<(&'r str, &'r FileItem)>,
    /// The `<request>` document (Qimen).
    pub(crate) xml: Option<String>,
    /// The text body of a batch (TOP): sent to the batch endpoint, signed
    /// as a whole, with no `method` in the URL.
    pub(crate) batch: Option<String>,
}

impl<'r> Call<'r> {
    /// The call of a generated request.
    pub(crate) fn of<R: Request>(req: &'r R) -> Result<Self, Error> {
        let api = R::METHOD;
        let (params, files, xml) = match R::PROTOCOL {
            Protocol::Top => {
                let mut params = Vec::new();
                for (name, value) in req.params()?.0 {
                    reject_reserved(api, name)?;
                    params.push((name.to_owned(), value));
                }
                let files = req.files();
                for (name, file) in &files {
                    reject_reserved(api, name)?;
                    check_mime(api, name, file)?;
                }
                (params, files, None)
            }
            Protocol::Qimen => {
                let xml = req.qimen_body()?.ok_or_else(|| EncodeError {
                    api,
                    param: "request",
                    message: "a Qimen request needs an XML <request> body".into(),
                })?;
                (Vec::new(), Vec::new(), Some(xml))
            }
        };
        Ok(Call {
            method: api,
            protocol: R::PROTOCOL,
            params,
            files,
            xml,
            batch: None,
        })
    }

    /// A TOP call by a method name and text parameters chosen at run time.
    #[allow(dead_code)]
    pub(crate) fn dynamic(method: &'r str, params: Vec<(String, String)>) -> Result<Self, Error> {
        if let Some((name, _)) = params.iter().find(|(n, _)| is_reserved(n)) {
            return Err(Error::Config(format!(
                "{method}: parameter `{name}` is a system parameter of the gateway"
            )));
        }
        Ok(Call {
            method,
            protocol: Protocol::Top,
            params,
            files: Vec::new(),
            xml: None,
            batch: None,
        })
    }
}

/// The longest URL the HTTP stack sends (`http::Uri`'s limit); a longer
/// one fails inside reqwest before anything is sent.
const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Refuses a URL too long to send, naming its length: it holds the system
/// parameters (a session, `target_app_key`, `customerId`) and, for Qimen,
/// the extra parameters.
fn check_url_length(api: &str, url: &str) -> Result<(), Error> {
    if url.len() <= MAX_URL_BYTES {
        return Ok(());
    }
    Err(Error::Config(format!(
        "{api}: the request URL is {} bytes, above the {MAX_URL_BYTES} that can be sent; \
         nothing was sent (the URL carries the system parameters, and for Qimen APIs the \
         extra parameters: shorten them)",
        url.len()
    )))
}

impl<'r> Call<'r> {
    /// A Qimen call by a method name chosen at run time and its
    /// `<request>` document.
    pub(crate) fn dynamic_qimen(method: &'r str, xml: String) -> Self {
        Call {
            method,
            protocol: Protocol::Qimen,
            params: Vec::new(),
            files: Vec::new(),
            xml: Some(xml),
            batch: None,
        }
    }
}

/// Whether `name` is a system parameter of the gateway.
pub(crate) fn is_reserved(name: &str) -> bool {
    SYSTEM_PARAMS.contains(&name)
}

fn reject_reserved(api: &'static str, name: &'static str) -> Result<(), EncodeError> {
    if is_reserved(name) {
        return Err(EncodeError {
            api,
            param: name,
            message: "the name is a system parameter of the gateway".into(),
        });
    }
    Ok(())
}

/// A file's MIME type must be `type/subtype` fit for a header.
fn check_mime(api: &'static str, name: &'static str, file: &FileItem) -> Result<(), EncodeError> {
    let Some(mime) = &file.mime_type else {
        return Ok(());
    };
    let fits = mime.split_once('/').is_some_and(|(t, s)| {
        !t.is_empty() && !s.is_empty() && mime.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    });
    if fits {
        return Ok(());
    }
    Err(EncodeError {
        api,
        param: name,
        message: format!("invalid MIME type `{mime}`: expected `type/subtype`"),
    })
}

/// The body of a prepared call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body<'r> {
    /// TOP without files: business parameters, form-encoded.
    Form(Vec<(String, String)>),
    /// TOP with files: business parameters and files as multipart parts.
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<(&'r str, &'r FileItem)>,
    },
    /// Qimen: the XML `<request>` document.
    Xml(String),
    /// A batch: the calls' parameters joined in one text body.
    Batch(String),
}

/// The exact signed wire form of one call, without sending it.
#[derive(Clone, PartialEq, Eq)]
pub struct Prepared<'r> {
    /// The API method.
    pub api: &'r str,
    pub protocol: Protocol,
    /// The full URL: router plus the system parameters.
    pub url: String,
    /// The system parameters as they are in the URL, `sign` last.
    pub query: Vec<(String, String)>,
    pub body: Body<'r>,
    /// The `Content-Type` header (multipart adds its boundary when sent).
    pub content_type: &'static str,
}

impl Prepared<'_> {
    /// The form-encoded body of a [`Body::Form`] call.
    pub fn form_body(&self) -> Option<String> {
        match &self.body {
            Body::Form(fields) => Some(encode_form(fields)),
            _ => None,
        }
    }

    /// The value of one system parameter.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The system parameters with the session shown as `***`.
    fn redacted_query(&self) -> impl Iterator<Item = (&str, &str)> {
        self.query.iter().map(|(k, v)| {
            if k == "session" {
                (k.as_str(), "***")
            } else {
                (k.as_str(), v.as_str())
            }
        })
    }

    /// [`url`](Self::url) with the session shown as `***`: safe to log.
    pub fn redacted_url(&self) -> String {
        let mut url = match reqwest::Url::parse(&self.url) {
            Ok(u) => u,
            // `url` was made from a parsed URL; this cannot happen.
            Err(_) => return String::new(),
        };
        url.set_query(None);
        url.query_pairs_mut().extend_pairs(self.redacted_query());
        url.into()
    }

    /// The bytes and content type that go out.
    pub(crate) fn wire(&self) -> Result<Wire, Error> {
        Ok(match &self.body {
            Body::Form(fields) => Wire {
                content_type: FORM_CONTENT_TYPE.to_owned(),
                body: encode_form(fields).into_bytes(),
            },
            Body::Multipart { fields, files } => multipart(fields, files),
            Body::Xml(xml) => Wire {
                content_type: qimen::CONTENT_TYPE.to_owned(),
                body: xml.clone().into_bytes(),
            },
            Body::Batch(text) => Wire {
                content_type: batch::CONTENT_TYPE.to_owned(),
                body: text.clone().into_bytes(),
            },
        })
    }
}

impl fmt::Debug for Prepared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session is a credential: shown redacted, in the URL too.
        let redacted: Vec<(&str, &str)> = self.redacted_query().collect();
        f.debug_struct("Prepared")
            .field("api", &self.api)
            .field("protocol", &self.protocol)
            .field("query", &redacted)
            .field("body", &self.body)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// A request body as it goes on the wire.
pub(crate) struct Wire {
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

pub(crate) fn encode_form(fields: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// `multipart/form-data` (RFC 7578): text parts, then file parts, under a
/// random boundary.
fn multipart(fields: &[(String, String)], files: &[(&str, &FileItem)]) -> Wire {
    let boundary = format!(
        "top-runtime-{:016x}{:016x}",
        retry::random_u64(),
        retry::random_u64()
    );
    let mut body = Vec::new();
    for (name, value) in fields {
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
            quoted(name)
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    for (name, file) in files {
        let mut head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n",
            quoted(name),
            quoted(&file.file_name)
        );
        if let Some(mime) = &file.mime_type {
            head.push_str(&format!("Content-Type: {mime}\r\n"));
        }
        head.push_str("\r\n");
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(&file.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Wire {
        content_type: format!("multipart/form-data; boundary={boundary}"),
        body,
    }
}

/// A name inside a quoted header parameter, escaped as browsers do.
fn quoted(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

impl Config {
    /// The signed wire form of `call` at `timestamp`.
    pub(super) fn prepare_call<'r>(
        &self,
        call: &Call<'r>,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        let api = call.method;
        let mut query = self.system_params(call, timestamp, opts);
        let (body, content_type, signed_body) = match call.protocol {
            Protocol::Top => {
                if self.simplify {
                    query.push(("simplify".into(), "true".into()));
                }
                let mut fields = call.params.clone();
                raw::merge_params(api, &mut fields, &opts.params)?;
                if let Some(text) = &call.batch {
                    (
                        Body::Batch(text.clone()),
                        batch::CONTENT_TYPE,
                        Some(text.clone()),
                    )
                } else if call.files.is_empty() {
                    (Body::Form(fields), FORM_CONTENT_TYPE, None)
                } else {
                    let files = call.files.clone();
                    (
                        Body::Multipart { fields, files },
                        "multipart/form-data",
                        None,
                    )
                }
            }
            Protocol::Qimen => {
                query.push(("customerId".into(), self.customer_id(api, opts)?));
                raw::merge_params(api, &mut query, &opts.params)?;
                let xml = call.xml.clone().unwrap_or_default();
                (Body::Xml(xml.clone()), qimen::CONTENT_TYPE, Some(xml))
            }
        };

        // The signature covers the URL parameters, the text business
        // parameters and the Qimen body; never the files.
        let form_fields: &[(String, String)] = match &body {
            Body::Form(f) | Body::Multipart { fields: f, .. } => f,
            Body::Xml(_) | Body::Batch(_) => &[],
        };
        let signature = sign::sign(
            query
                .iter()
                .chain(form_fields.iter())
                .map(|(k, v)| (k.as_str(), v.as_str())),
            signed_body.as_deref(),
            self.secret.expose(),
            self.sign_method,
        );
        query.push(("sign".into(), signature));

        let batch_url;
        let base = match call.protocol {
            Protocol::Top if call.batch.is_some() => {
                batch_url = batch::batch_url(&self.url)?;
                &batch_url
            }
            Protocol::Top => &self.url,
            Protocol::Qimen => &self.qimen_url,
        };
        let mut url = reqwest::Url::parse(base)
            .map_err(|e| Error::Config(format!("URL `{base}` is not valid: {e}")))?;
        url.query_pairs_mut().extend_pairs(query.iter());
        check_url_length(api, url.as_str())?;

        Ok(Prepared {
            api,
            protocol: call.protocol,
            url: url.into(),
            query,
            body,
            content_type,
        })
    }

    /// `method` … `target_app_key`, in the gateway's order.
    fn system_params(
        &self,
        call: &Call<'_>,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Vec<(String, String)> {
        let session = opts.session.as_ref().or(self.session.as_ref());
        let target_app_key = opts
            .target_app_key
            .as_ref()
            .or(self.target_app_key.as_ref());
        let format = match call.protocol {
            Protocol::Top => "json",
            Protocol::Qimen => "xml",
        };
        let mut query: Vec<(String, String)> = Vec::with_capacity(10);
        // A batch names each call's method in its body.
        if call.batch.is_none() {
            query.push(("method".into(), call.method.into()));
        }
        query.push(("app_key".into(), self.app_key.clone()));
        if let Some(s) = session.filter(|s| !s.expose().is_empty()) {
            query.push(("session".into(), s.expose().to_owned()));
        }
        query.push(("timestamp".into(), format_timestamp(timestamp)));
        query.push(("format".into(), format.into()));
        query.push(("v".into(), "2.0".into()));
        query.push(("sign_method".into(), self.sign_method.as_str().into()));
        if let Some(p) = &self.partner_id {
            query.push(("partner_id".into(), p.clone()));
        }
        if let Some(t) = target_app_key {
            query.push(("target_app_key".into(), t.clone()));
        }
        query
    }

    /// The Qimen `customerId` of a call; refused before sending without one.
    fn customer_id(&self, api: &str, opts: &CallOptions) -> Result<String, Error> {
        opts.customer_id
            .as_ref()
            .or(self.customer_id.as_ref())
            .filter(|c| !c.is_empty())
            .cloned()
            .ok_or_else(|| {
                Error::Config(format!(
                    "{api} is a Qimen API and needs a customerId: set \
                     ClientBuilder::customer_id or CallOptions::customer_id"
                ))
            })
    }
}

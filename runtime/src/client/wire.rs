//! The wire form of a call: system parameters, signature, body. One
//! [`Call`] describes what to send whatever built it (a generated request,
//! a method and parameters chosen at run time, a batch); its [`Body`] says
//! how it goes out, and every step below matches on that one enum.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CallOptions, Config, Secret, format_timestamp};
use crate::error::Error;
use crate::qimen;
use crate::request::{EncodeError, Protocol, Request};
use crate::sign;
use crate::types::FileItem;

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";
/// reqwest adds the boundary when it writes the body.
const MULTIPART_CONTENT_TYPE: &str = "multipart/form-data";
/// A batch's text body ([`crate::batch::CONTENT_TYPE`]).
pub(crate) const BATCH_CONTENT_TYPE: &str = "text/plain;charset=UTF-8";

/// Declares the gateway's system parameters in one list: the variants,
/// their wire names, and [`SystemParam::ALL`] in the order they go in the
/// URL. The URL is built from that list and business parameters are
/// checked against it, so the two cannot drift apart.
macro_rules! system_params {
    ($($param:ident = $name:literal,)*) => {
        /// A system parameter of the gateway.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum SystemParam {
            $($param,)*
        }

        impl SystemParam {
            /// Every system parameter, in the order they go in the URL.
            pub(crate) const ALL: &[SystemParam] = &[$(SystemParam::$param,)*];

            /// The name on the wire.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(SystemParam::$param => $name,)*
                }
            }
        }
    };
}

system_params! {
    Method = "method",
    AppKey = "app_key",
    Session = "session",
    Timestamp = "timestamp",
    Format = "format",
    Version = "v",
    SignMethod = "sign_method",
    PartnerId = "partner_id",
    TargetAppKey = "target_app_key",
    Simplify = "simplify",
    CustomerId = "customerId",
    Sign = "sign",
}

/// Whether `name` is a system parameter of the gateway.
pub(crate) fn is_reserved(name: &str) -> bool {
    SystemParam::ALL.iter().any(|p| p.name() == name)
}

/// Adds `extra` to `fields`: a name already there takes the new value, a
/// new one goes last; empty and system parameter names are refused.
pub(crate) fn merge_params(
    api: &str,
    fields: &mut Vec<(String, String)>,
    extra: &[(String, String)],
) -> Result<(), Error> {
    for (name, value) in extra {
        if name.is_empty() || is_reserved(name) {
            return Err(Error::Config(format!(
                "{api}: parameter `{name}` is empty or a system parameter of the gateway"
            )));
        }
        match fields.iter_mut().find(|(k, _)| k == name) {
            Some(field) => field.1.clone_from(value),
            None => fields.push((name.clone(), value.clone())),
        }
    }
    Ok(())
}

/// What one call sends, before system parameters and signature.
#[derive(Debug, Clone)]
pub(crate) struct Call<'r> {
    /// The API method; for a batch, the label naming its calls.
    pub(crate) method: &'r str,
    pub(crate) body: Body<'r>,
}

impl<'r> Call<'r> {
    pub(crate) fn new(method: &'r str, body: Body<'r>) -> Self {
        Call { method, body }
    }

    /// The call of a generated request.
    pub(crate) fn of<R: Request>(req: &'r R) -> Result<Self, Error> {
        let api = R::METHOD;
        let body = match R::PROTOCOL {
            Protocol::Top => {
                let mut fields = Vec::new();
                for (name, value) in req.params()?.0 {
                    reject_reserved(api, name)?;
                    fields.push((name.to_owned(), value));
                }
                let files = req.files();
                for (name, file) in &files {
                    reject_reserved(api, name)?;
                    check_mime(api, name, file)?;
                }
                if files.is_empty() {
                    Body::Form(fields)
                } else {
                    Body::Multipart { fields, files }
                }
            }
            Protocol::Qimen => Body::Xml(req.qimen_body()?.ok_or_else(|| EncodeError {
                api,
                param: "request",
                message: "a Qimen request needs an XML <request> body".into(),
            })?),
        };
        Ok(Call::new(api, body))
    }

    /// Qimen for the XML document, TOP for every other body.
    pub(crate) fn protocol(&self) -> Protocol {
        match self.body {
            Body::Xml(_) => Protocol::Qimen,
            Body::Form(_) | Body::Multipart { .. } | Body::Batch(_) => Protocol::Top,
        }
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

/// A file's MIME type must be `type/subtype` (parameters allowed) and one
/// reqwest takes for the part's header: checked here, before sending.
fn check_mime(api: &'static str, name: &'static str, file: &FileItem) -> Result<(), EncodeError> {
    let Some(mime) = &file.mime_type else {
        return Ok(());
    };
    let both_named = mime
        .split_once('/')
        .is_some_and(|(t, s)| !t.is_empty() && !s.is_empty());
    if both_named && reqwest::multipart::Part::text("").mime_str(mime).is_ok() {
        return Ok(());
    }
    Err(EncodeError {
        api,
        param: name,
        message: format!("invalid MIME type `{mime}`: expected `type/subtype`"),
    })
}

/// The body of a call: what its parameters are and how they go out.
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
    /// A batch: the calls' parameters joined in one text body, sent to the
    /// batch endpoint with no `method` in the URL.
    Batch(String),
}

impl Body<'_> {
    /// What the signature covers beside the URL parameters: the text
    /// business parameters, or the whole text body; never the files.
    fn signed(&self) -> (&[(String, String)], Option<&str>) {
        match self {
            Body::Form(fields) | Body::Multipart { fields, .. } => (fields, None),
            Body::Xml(text) | Body::Batch(text) => (&[], Some(text)),
        }
    }

    fn content_type(&self) -> &'static str {
        match self {
            Body::Form(_) => FORM_CONTENT_TYPE,
            Body::Multipart { .. } => MULTIPART_CONTENT_TYPE,
            Body::Xml(_) => qimen::CONTENT_TYPE,
            Body::Batch(_) => BATCH_CONTENT_TYPE,
        }
    }
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
            if k == SystemParam::Session.name() {
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

    /// The body as it goes out.
    pub(crate) fn content(&self) -> Content<'_> {
        match &self.body {
            Body::Form(fields) => Content::Bytes(encode_form(fields).into_bytes()),
            Body::Multipart { fields, files } => Content::Multipart { fields, files },
            Body::Xml(text) | Body::Batch(text) => Content::Bytes(text.clone().into_bytes()),
        }
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

/// A prepared body as the HTTP client takes it.
pub(crate) enum Content<'p> {
    /// These bytes under [`Prepared::content_type`].
    Bytes(Vec<u8>),
    /// Text parts, then file parts: [`multipart`] makes the form.
    Multipart {
        fields: &'p [(String, String)],
        files: &'p [(&'p str, &'p FileItem)],
    },
}

pub(crate) fn encode_form(fields: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// reqwest's request builder, async or blocking: the same steps on two
/// types, so one function fills either with a prepared call.
pub(crate) trait HttpRequest: Sized {
    type Form: MultipartForm;
    fn bytes(self, content_type: &'static str, body: Vec<u8>) -> Self;
    fn form(self, form: Self::Form) -> Self;
    fn timeout(self, timeout: Duration) -> Self;
}

/// reqwest's multipart form, async or blocking, filled by [`multipart`].
pub(crate) trait MultipartForm: Default {
    fn text(self, name: String, value: String) -> Self;
    fn file(self, name: String, file: &FileItem) -> Result<Self, reqwest::Error>;
}

/// [`HttpRequest`] and [`MultipartForm`] for one flavour of reqwest: its
/// types share the method names, so one body serves both.
macro_rules! http_flavour {
    ($builder:ty, $form:ty, $part:ty) => {
        impl HttpRequest for $builder {
            type Form = $form;

            fn bytes(self, content_type: &'static str, body: Vec<u8>) -> Self {
                self.header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(body)
            }

            fn form(self, form: $form) -> Self {
                self.multipart(form)
            }

            fn timeout(self, timeout: Duration) -> Self {
                self.timeout(timeout)
            }
        }

        impl MultipartForm for $form {
            fn text(self, name: String, value: String) -> Self {
                self.text(name, value)
            }

            fn file(self, name: String, file: &FileItem) -> Result<Self, reqwest::Error> {
                let mut part = <$part>::bytes(file.bytes.clone()).file_name(file.file_name.clone());
                if let Some(mime) = &file.mime_type {
                    part = part.mime_str(mime)?;
                }
                Ok(self.part(name, part))
            }
        }
    };
}

http_flavour!(
    reqwest::RequestBuilder,
    reqwest::multipart::Form,
    reqwest::multipart::Part
);
#[cfg(feature = "blocking")]
http_flavour!(
    reqwest::blocking::RequestBuilder,
    reqwest::blocking::multipart::Form,
    reqwest::blocking::multipart::Part
);

/// `multipart/form-data` (RFC 7578): text parts, then file parts; reqwest
/// writes the body under a random boundary of its own.
pub(crate) fn multipart<F: MultipartForm>(
    api: &str,
    fields: &[(String, String)],
    files: &[(&str, &FileItem)],
) -> Result<F, Error> {
    let mut form = fields.iter().fold(F::default(), |form, (name, value)| {
        form.text(name.clone(), value.clone())
    });
    for (name, file) in files {
        // `Call::of` checked the MIME type with the same parser.
        form = form
            .file((*name).to_owned(), file)
            .map_err(|e| Error::Config(format!("{api}: file `{name}` cannot be sent: {e}")))?;
    }
    Ok(form)
}

impl Config {
    /// The signed wire form of `call` at `timestamp`.
    pub(super) fn prepare_call<'r>(
        &self,
        call: &Call<'r>,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Prepared<'r>, Error> {
        let mut query = self.system_params(call, timestamp, opts)?;
        let body = with_extra_params(call, &mut query, opts)?;
        let (fields, text) = body.signed();
        let signature = sign::sign(
            query
                .iter()
                .chain(fields)
                .map(|(k, v)| (k.as_str(), v.as_str())),
            text,
            self.secret.expose(),
            self.sign_method,
        );
        query.push((SystemParam::Sign.name().into(), signature));
        let url = self.router(&body)?;
        let mut url = reqwest::Url::parse(&url)
            .map_err(|e| Error::Config(format!("URL `{url}` is not valid: {e}")))?;
        url.query_pairs_mut().extend_pairs(query.iter());
        check_url_length(call.method, url.as_str())?;
        Ok(Prepared {
            api: call.method,
            protocol: call.protocol(),
            url: url.into(),
            query,
            content_type: body.content_type(),
            body,
        })
    }

    /// The router a body goes to.
    fn router(&self, body: &Body<'_>) -> Result<String, Error> {
        Ok(match body {
            Body::Form(_) | Body::Multipart { .. } => self.url.clone(),
            Body::Xml(_) => self.qimen_url.clone(),
            Body::Batch(_) => super::batch_url(&self.url)?,
        })
    }

    /// The system parameters of `call` but `sign`, in [`SystemParam::ALL`]'s
    /// order.
    fn system_params(
        &self,
        call: &Call<'_>,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Vec<(String, String)>, Error> {
        let mut query = Vec::with_capacity(SystemParam::ALL.len());
        for &param in SystemParam::ALL {
            if let Some(value) = self.system_value(param, call, timestamp, opts)? {
                query.push((param.name().to_owned(), value));
            }
        }
        Ok(query)
    }

    /// One system parameter of `call`; `None` leaves it out of the URL.
    fn system_value(
        &self,
        param: SystemParam,
        call: &Call<'_>,
        timestamp: DateTime<Utc>,
        opts: &CallOptions,
    ) -> Result<Option<String>, Error> {
        let top = call.protocol() == Protocol::Top;
        Ok(match param {
            // A batch names each call's method in its body.
            SystemParam::Method => {
                (!matches!(call.body, Body::Batch(_))).then(|| call.method.to_owned())
            }
            SystemParam::AppKey => Some(self.app_key.clone()),
            SystemParam::Session => opts
                .session
                .as_ref()
                .or(self.session.as_ref())
                .map(Secret::expose)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            SystemParam::Timestamp => Some(format_timestamp(timestamp)),
            SystemParam::Format => Some(if top { "json" } else { "xml" }.to_owned()),
            SystemParam::Version => Some("2.0".to_owned()),
            SystemParam::SignMethod => Some(self.sign_method.as_str().to_owned()),
            SystemParam::PartnerId => self.partner_id.clone(),
            SystemParam::TargetAppKey => opts
                .target_app_key
                .as_ref()
                .or(self.target_app_key.as_ref())
                .cloned(),
            SystemParam::Simplify => (top && self.simplify).then(|| "true".to_owned()),
            SystemParam::CustomerId if top => None,
            SystemParam::CustomerId => Some(self.customer_id(call.method, opts)?),
            // Computed over all the others, then added last.
            SystemParam::Sign => None,
        })
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

/// The body of `call` with the extra parameters of `opts` where they
/// belong: beside the text parameters (TOP), in the URL (Qimen, whose body
/// is the document); a batch takes none, they go on its calls.
fn with_extra_params<'r>(
    call: &Call<'r>,
    query: &mut Vec<(String, String)>,
    opts: &CallOptions,
) -> Result<Body<'r>, Error> {
    let (api, extra) = (call.method, opts.params.as_slice());
    let merged = |fields: &[(String, String)]| {
        let mut fields = fields.to_vec();
        merge_params(api, &mut fields, extra).map(|()| fields)
    };
    Ok(match &call.body {
        Body::Form(fields) => Body::Form(merged(fields)?),
        Body::Multipart { fields, files } => Body::Multipart {
            fields: merged(fields)?,
            files: files.clone(),
        },
        Body::Xml(xml) => {
            merge_params(api, query, extra)?;
            Body::Xml(xml.clone())
        }
        Body::Batch(_) if !extra.is_empty() => {
            return Err(Error::Config(format!(
                "{api}: extra parameters go on each call or in Batch::public_param"
            )));
        }
        Body::Batch(text) => Body::Batch(text.clone()),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::client::Client;
    use crate::request::Params;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn extra_parameters_replace_or_append() {
        let mut fields = pairs(&[("a", "1"), ("b", "2")]);
        merge_params("x.y", &mut fields, &pairs(&[("b", "3"), ("c", "4")])).unwrap();
        assert_eq!(fields, pairs(&[("a", "1"), ("b", "3"), ("c", "4")]));
    }

    #[test]
    fn system_and_empty_names_are_refused() {
        for bad in ["sign", "session", "method", ""] {
            let e = merge_params("x.y", &mut Vec::new(), &pairs(&[(bad, "v")])).unwrap_err();
            let text = e.to_string();
            assert!(matches!(e, Error::Config(_)), "{e:?}");
            assert!(text.contains(&format!("x.y: parameter `{bad}`")), "{text}");
        }
    }

    /// Every name the client writes in a URL is refused as a business
    /// parameter, and every listed name is written by some call: the URL
    /// and the check read the one list.
    #[test]
    fn the_url_and_the_reserved_names_are_one_list() {
        let client = Client::builder("k", "s")
            .session("s-1")
            .partner_id("p")
            .target_app_key("t")
            .customer_id("c")
            .simplify(true)
            .build()
            .unwrap();
        let calls = [
            Call::new("taobao.x.get", Body::Form(pairs(&[("a", "1")]))),
            Call::new("taobao.qimen.x", Body::Xml("<request/>".into())),
            Call::new(
                "batch [taobao.x.get]",
                Body::Batch("method=taobao.x.get".into()),
            ),
        ];
        let mut sent = BTreeSet::new();
        for call in &calls {
            let p = client
                .cfg
                .prepare_call(call, Utc::now(), &CallOptions::new())
                .unwrap();
            for (name, _) in &p.query {
                assert!(is_reserved(name), "`{name}` is sent but not reserved");
                sent.insert(name.as_str().to_owned());
            }
        }
        let listed: BTreeSet<String> = SystemParam::ALL
            .iter()
            .map(|p| p.name().to_owned())
            .collect();
        assert_eq!(sent, listed);
    }

    struct Upload(FileItem);

    impl Request for Upload {
        const METHOD: &'static str = "taobao.x.upload";
        const PROTOCOL: Protocol = Protocol::Top;
        type Response = serde_json::Value;

        fn params(&self) -> Result<Params, EncodeError> {
            Ok(Params::default())
        }

        fn files(&self) -> Vec<(&'static str, &FileItem)> {
            vec![("image", &self.0)]
        }
    }

    /// A MIME type reqwest cannot put in the part's header is refused
    /// before sending, naming the parameter.
    #[test]
    fn a_file_needs_a_mime_type_reqwest_can_send() {
        let upload = |mime: &str| {
            Upload(FileItem {
                file_name: "a.png".into(),
                mime_type: Some(mime.into()),
                bytes: vec![1, 2],
            })
        };
        for good in ["image/png", "text/plain; charset=utf-8"] {
            let req = upload(good);
            let call = Call::of(&req).unwrap();
            assert!(matches!(call.body, Body::Multipart { .. }), "{good}");
        }
        for bad in ["png", "image/", "image/png\r\nX-Evil: 1", "a/b c"] {
            let req = upload(bad);
            let e = Call::of(&req).unwrap_err();
            assert!(
                matches!(&e, Error::Encode(EncodeError { param: "image", .. })),
                "{bad}: {e:?}"
            );
        }
    }
}

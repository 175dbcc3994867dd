//! What the run-time calls (a method chosen by the caller, a batch) need
//! of the client beside [`Client::send_raw`]: extra parameters merged
//! under one rule, and the send path with a decoder of their own.

use super::{AnswerMeta, CallOptions, Client, wire};
use crate::client::{Answer, Call, FailedCall};
use crate::de::Decoding;
use crate::error::Error;
use crate::request::Protocol;

/// Adds `extra` to `fields`: a name already there takes the new value, a
/// new one goes last; empty and system parameter names are refused.
pub(crate) fn merge_params(
    api: &str,
    fields: &mut Vec<(String, String)>,
    extra: &[(String, String)],
) -> Result<(), Error> {
    for (name, value) in extra {
        if name.is_empty() || wire::is_reserved(name) {
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

/// The extra parameters of a call ([`CallOptions::param`]).
pub(crate) fn extra_params(opts: &CallOptions) -> &[(String, String)] {
    &opts.params
}

impl Client {
    /// Sends `call` under the retry plan and judges each answer with
    /// `decode_with`: for callers whose answer is not one response.
    pub(crate) async fn send_judged<T>(
        &self,
        call: &Call<'_>,
        opts: &CallOptions,
        decode_with: impl Fn(&AnswerMeta) -> Result<T, Error>,
    ) -> Result<Answer<T>, FailedCall> {
        self.send(call, opts, decode_with).await
    }

    /// How this client's answers are read (envelope, unknown fields).
    pub(crate) fn decoding(&self) -> Decoding {
        self.cfg.decoding()
    }
}

/// A TOP answer judged as every call's is: the decoded value, the
/// platform's error, or the HTTP status that came without one.
pub(crate) fn decode_top_answer<T: serde::de::DeserializeOwned>(
    how: Decoding,
    meta: &AnswerMeta,
) -> Result<T, Error> {
    decode_answer(Protocol::Top, how, meta)
}

/// [`decode_top_answer`] for either protocol.
pub(crate) fn decode_answer<T: serde::de::DeserializeOwned>(
    protocol: Protocol,
    how: Decoding,
    meta: &AnswerMeta,
) -> Result<T, Error> {
    super::decode(protocol, how, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

//! Calls by a method name chosen at run time, answered as JSON.
//!
//! For APIs the bindings do not cover, or whose doc has drifted from what
//! the gateway takes. Parameters are given as text pairs, a map or a JSON
//! object; the answer is the value inside the `<name>_response` envelope
//! (or the whole answer with `simplify`), exactly as sent. A Qimen call
//! sends a `<request>` document given as text and answers the fields of
//! its `<response>`.

use serde_json::Value;

use crate::client::AnswerMeta;
use crate::client::{self, Answer, Body, Call, CallOptions, Client, FailedCall};
use crate::de::Decoding;
use crate::error::Error;

/// A TOP or Qimen call whose method and parameters are known only at run
/// time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicRequest {
    method: String,
    params: Vec<(String, String)>,
    /// The `<request>` document of a Qimen call.
    qimen_body: Option<String>,
}

impl DynamicRequest {
    /// A call of `method` (e.g. `taobao.trade.fullinfo.get`) without
    /// parameters yet.
    pub fn new(method: impl Into<String>) -> Self {
        DynamicRequest {
            method: method.into(),
            params: Vec::new(),
            qimen_body: None,
        }
    }

    /// A Qimen call of `method` (e.g. `taobao.qimen.order.cancel`) whose
    /// body is the `<request>` document `xml`, sent as given; parameters
    /// added with [`param`](Self::param) go in the URL, as
    /// [`CallOptions::param`] does for Qimen APIs.
    pub fn qimen(method: impl Into<String>, xml: impl Into<String>) -> Self {
        DynamicRequest {
            qimen_body: Some(xml.into()),
            ..DynamicRequest::new(method)
        }
    }

    /// The `<request>` document of a Qimen call; `None` for a TOP call.
    pub fn qimen_body(&self) -> Option<&str> {
        self.qimen_body.as_deref()
    }
    /// Adds a parameter as wire text; a second one of the same name
    /// replaces the first when sent.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// A call with parameters from any map or list of text pairs.
    pub fn from_map<I, K, V>(method: impl Into<String>, params: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let mut req = DynamicRequest::new(method);
        req.params = params
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        req
    }

    /// A call with parameters from a JSON object, each member as the
    /// gateway takes it: strings as they are, numbers by their text,
    /// booleans as `true`/`false`, a list of scalars comma-joined, objects
    /// and other lists as JSON text; `null` members are left out.
    pub fn from_json(method: impl Into<String>, params: &Value) -> Result<Self, Error> {
        let method = method.into();
        let Value::Object(members) = params else {
            return Err(Error::Config(format!(
                "{method}: the parameters must be a JSON object, not {}",
                crate::de::kind(params)
            )));
        };
        let params = members
            .iter()
            .filter_map(|(k, v)| wire_text(v).map(|text| (k.clone(), text)))
            .collect();
        Ok(DynamicRequest {
            method,
            params,
            qimen_body: None,
        })
    }

    pub fn method(&self) -> &str {
        &self.method
    }

    /// The parameters in the order given.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The form fields to send, a later parameter replacing an earlier
    /// one of the same name; a call's extra parameters join them when sent.
    pub(crate) fn fields(&self) -> Result<Vec<(String, String)>, Error> {
        if self.method.is_empty() {
            return Err(Error::Config("a call needs a method name".into()));
        }
        let mut fields = Vec::with_capacity(self.params.len());
        client::merge_params(&self.method, &mut fields, &self.params)?;
        Ok(fields)
    }

    /// What goes on the wire, and the options it goes with: a TOP call's
    /// fields form-encoded; a Qimen call's document as its body, its
    /// parameters in the URL under the call's extra ones.
    fn call(&self, opts: &CallOptions) -> Result<(Call<'_>, CallOptions), Error> {
        let fields = self.fields()?;
        match &self.qimen_body {
            None => Ok((Call::new(&self.method, Body::Form(fields)), opts.clone())),
            Some(xml) => {
                let opts = opts.over_declared(&self.method, fields)?;
                Ok((Call::new(&self.method, Body::Xml(xml.clone())), opts))
            }
        }
    }
}

/// A run-time call's answer, judged as a typed call of its protocol's is.
fn judge(call: &Call<'_>) -> impl Fn(&AnswerMeta, Decoding) -> Result<Value, Error> + use<> {
    let protocol = call.protocol();
    move |meta, how| client::decode(protocol, how, meta)
}

/// The wire text of one JSON parameter; `None` for `null`.
fn wire_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) if items.iter().all(is_scalar) => items
            .iter()
            .filter_map(wire_text)
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

impl Client {
    /// Calls a method named at run time with the client's defaults.
    pub async fn call(&self, req: &DynamicRequest) -> Result<Value, Error> {
        self.call_with(req, &CallOptions::default()).await
    }

    /// Calls a method named at run time with per-call options; retried as
    /// [`Client::execute_with`] is.
    pub async fn call_with(
        &self,
        req: &DynamicRequest,
        opts: &CallOptions,
    ) -> Result<Value, Error> {
        Ok(self.call_with_meta(req, opts).await?.into_value())
    }

    /// [`call_with`](Self::call_with), the answer or failure with its
    /// [`AnswerMeta`].
    pub async fn call_with_meta(
        &self,
        req: &DynamicRequest,
        opts: &CallOptions,
    ) -> Result<Answer<Value>, FailedCall> {
        let (call, opts) = req.call(opts)?;
        self.send(&call, &opts, judge(&call)).await
    }
}

#[cfg(feature = "blocking")]
impl crate::client::blocking::Client {
    /// Calls a method named at run time with the client's defaults.
    pub fn call(&self, req: &DynamicRequest) -> Result<Value, Error> {
        self.call_with(req, &CallOptions::default())
    }

    /// Calls a method named at run time with per-call options.
    pub fn call_with(&self, req: &DynamicRequest, opts: &CallOptions) -> Result<Value, Error> {
        Ok(self.call_with_meta(req, opts)?.into_value())
    }

    /// [`call_with`](Self::call_with), the answer or failure with its
    /// [`AnswerMeta`].
    pub fn call_with_meta(
        &self,
        req: &DynamicRequest,
        opts: &CallOptions,
    ) -> Result<Answer<Value>, FailedCall> {
        let (call, opts) = req.call(opts)?;
        self.send(&call, &opts, judge(&call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_members_take_their_wire_text() {
        let req = DynamicRequest::from_json(
            "taobao.x.get",
            &json!({
                "s": "已经 & x",
                "id": 9_223_372_036_854_775_807_i64,
                "amount": 0.1,
                "on": true,
                "tags": ["a", 2, false],
                "req": {"biz_order_id": "1", "n": [1, 2]},
                "rows": [{"a": 1}],
                "gone": null
            }),
        )
        .unwrap();
        let got: Vec<(&str, &str)> = req
            .params()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("amount", "0.1"),
                ("id", "9223372036854775807"),
                ("on", "true"),
                ("req", r#"{"biz_order_id":"1","n":[1,2]}"#),
                ("rows", r#"[{"a":1}]"#),
                ("s", "已经 & x"),
                ("tags", "a,2,false"),
            ]
        );
    }

    #[test]
    fn parameters_that_are_not_an_object_are_refused() {
        let e = DynamicRequest::from_json("taobao.x.get", &json!([1])).unwrap_err();
        assert!(matches!(e, Error::Config(_)), "{e:?}");
        assert!(
            e.to_string()
                .contains("taobao.x.get: the parameters must be a JSON object, not a list"),
            "{e}"
        );
    }

    #[test]
    fn map_and_pairs_agree_and_later_values_win() {
        let a = DynamicRequest::from_map("m", [("a", "1"), ("b", "2"), ("a", "3")]);
        let b = DynamicRequest::new("m")
            .param("a", "1")
            .param("b", "2")
            .param("a", "3");
        assert_eq!(a, b);
        assert_eq!(
            a.fields().unwrap(),
            vec![("a".to_string(), "3".to_string()), ("b".into(), "2".into())]
        );
        let e = DynamicRequest::new("m")
            .param("timestamp", "x")
            .fields()
            .unwrap_err();
        assert!(e.to_string().contains("`timestamp`"), "{e}");
        assert!(DynamicRequest::new("").fields().is_err());
    }
}

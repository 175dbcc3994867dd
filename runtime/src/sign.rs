//! Request signing, byte for byte as the platform's SDKs do it.
//!
//! The string to sign is every parameter with a non-empty name and value,
//! sorted by name, as `name` + `value` with no separators, followed by the
//! request body where there is one (Qimen). Files are never part of it.

use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// The `sign_method` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignMethod {
    /// `MD5(secret + s + secret)`.
    #[default]
    Md5,
    /// HMAC-MD5 keyed by the secret.
    Hmac,
    /// HMAC-SHA256 keyed by the secret.
    HmacSha256,
}

impl SignMethod {
    /// The wire value of `sign_method`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::Hmac => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

impl fmt::Display for SignMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `sign_method` name that the platform does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sign method `{0}`: use `md5`, `hmac` or `hmac-sha256`")]
pub struct UnknownSignMethod(pub String);

impl FromStr for SignMethod {
    type Err = UnknownSignMethod;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(SignMethod::Md5),
            "hmac" | "hmac-md5" => Ok(SignMethod::Hmac),
            "hmac-sha256" | "hmac_sha256" => Ok(SignMethod::HmacSha256),
            _ => Err(UnknownSignMethod(s.to_owned())),
        }
    }
}

/// The exact string that is hashed: sorted `name value` pairs, empty ones
/// skipped, then the body.
pub fn string_to_sign<'a, I>(params: I, body: Option<&str>) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .collect();
    // Stable sort by name: byte order equals the SDKs' order for the ASCII
    // names the platform uses.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let mut s = String::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len()).sum());
    for (k, v) in pairs {
        s.push_str(k);
        s.push_str(v);
    }
    if let Some(body) = body {
        s.push_str(body);
    }
    s
}

/// The `sign` value: uppercase hex of the digest of [`string_to_sign`].
pub fn sign<'a, I>(params: I, body: Option<&str>, secret: &str, method: SignMethod) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let s = string_to_sign(params, body);
    digest_hex(s.as_bytes(), secret, method)
}

/// Uppercase hex of the digest of `text`: `MD5(secret + text + secret)`, or
/// the HMAC of `text` keyed by the secret.
pub(crate) fn digest_hex(text: &[u8], secret: &str, method: SignMethod) -> String {
    match method {
        SignMethod::Md5 => {
            let mut h = Md5::new();
            h.update(secret.as_bytes());
            h.update(text);
            h.update(secret.as_bytes());
            upper_hex(&h.finalize())
        }
        SignMethod::Hmac => {
            // HMAC accepts keys of any length; this cannot fail.
            let mut mac = <Hmac<Md5> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any length");
            mac.update(text);
            upper_hex(&mac.finalize().into_bytes())
        }
        SignMethod::HmacSha256 => {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any length");
            mac.update(text);
            upper_hex(&mac.finalize().into_bytes())
        }
    }
}

fn upper_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0f)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed independently with Python 3 (hashlib/hmac):
    //
    // python3 - <<'EOF'
    // import hashlib, hmac
    // secret = "test-secret-密钥"
    // params = {
    //     "method": "taobao.pc.order.detail", "app_key": "12345678", "session": "",
    //     "timestamp": "2026-11-23 18:28:05", "format": "json", "v": "2.0",
    //     "tp_request": '{"biz_order_id":"10000001","buyer_id":10000001}',
    //     "remark": "已经退货 备注",
    // }
    // def s(params, body=None):
    //     out = "".join(k + v for k, v in sorted(params.items()) if k and v)
    //     return out + (body or "")
    // for m in ["md5", "hmac", "hmac-sha256"]:
    //     p = dict(params, sign_method=m)
    //     base = s(p)
    //     if m == "md5":
    //         d = hashlib.md5((secret + base + secret).encode()).hexdigest()
    //     elif m == "hmac":
    //         d = hmac.new(secret.encode(), base.encode(), hashlib.md5).hexdigest()
    //     else:
    //         d = hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest()
    //     print(m, d.upper())
    // q = {"method": "taobao.qimen.order.cancel", "app_key": "12345678",
    //      "customerId": "stub-cust-code", "timestamp": "2026-11-23 18:28:05",
    //      "format": "xml", "v": "2.0", "sign_method": "md5"}
    // body = "<request><warehouseCode>W1234</warehouseCode><cancelReason>已经退货</cancelReason></request>"
    // print("qimen-md5", hashlib.md5((secret + s(q, body) + secret).encode()).hexdigest().upper())
    // print("base", s(params | {"sign_method": "md5"}))
    // EOF
    const SECRET: &str = "test-secret-密钥";

    fn top_params(method: SignMethod) -> Vec<(&'static str, &'static str)> {
        vec![
            ("method", "taobao.pc.order.detail"),
            ("app_key", "12345678"),
            ("session", ""),
            ("timestamp", "2026-11-23 18:28:05"),
            ("format", "json"),
            ("v", "2.0"),
            (
                "tp_request",
                r#"{"biz_order_id":"10000001","buyer_id":10000001}"#,
            ),
            ("remark", "已经退货 备注"),
            ("sign_method", method.as_str()),
        ]
    }

    #[test]
    fn string_to_sign_sorts_and_skips_empty_values() {
        assert_eq!(
            string_to_sign(top_params(SignMethod::Md5), None),
            r#"app_key12345678formatjsonmethodtaobao.pc.order.detailremark已经退货 备注sign_methodmd5timestamp2026-11-23 18:28:05tp_request{"biz_order_id":"10000001","buyer_id":10000001}v2.0"#
        );
    }

    #[test]
    fn md5_matches_python() {
        assert_eq!(
            sign(top_params(SignMethod::Md5), None, SECRET, SignMethod::Md5),
            "EF883BCC4EB1FCFC576D96A72E94E66D"
        );
    }

    #[test]
    fn hmac_md5_matches_python() {
        assert_eq!(
            sign(top_params(SignMethod::Hmac), None, SECRET, SignMethod::Hmac),
            "B308D08D5FDCC37C75D49091905D9719"
        );
    }

    #[test]
    fn hmac_sha256_matches_python() {
        assert_eq!(
            sign(
                top_params(SignMethod::HmacSha256),
                None,
                SECRET,
                SignMethod::HmacSha256
            ),
            "F2952115B7FB739429182A6D357D8338222740C8D07A77C3E80C8FA93A784B27"
        );
    }

    #[test]
    fn qimen_body_is_appended() {
        let params = [
            ("method", "taobao.qimen.order.cancel"),
            ("app_key", "12345678"),
            ("customerId", "stub-cust-code"),
            ("timestamp", "2026-11-23 18:28:05"),
            ("format", "xml"),
            ("v", "2.0"),
            ("sign_method", "md5"),
        ];
        let body = "<request><warehouseCode>W1234</warehouseCode><cancelReason>已经退货</cancelReason></request>";
        assert_eq!(
            sign(params, Some(body), SECRET, SignMethod::Md5),
            "51F2BB96E3BF78F06EF8EB0799F15AE5"
        );
    }

    #[test]
    fn sign_method_names_round_trip() {
        for m in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
            assert_eq!(m.as_str().parse::<SignMethod>(), Ok(m));
        }
        assert!("sha1".parse::<SignMethod>().is_err());
    }
}

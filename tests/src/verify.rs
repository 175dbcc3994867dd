//! The gateway's own signature check, written apart from the runtime's
//! `sign` module so that a mistake there cannot hide itself here.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// What the platform computes for the given parameters (without `sign`)
/// and body; `None` for an unknown `sign_method`.
pub fn expected_sign(
    params: &[(String, String)],
    body: Option<&str>,
    secret: &str,
    sign_method: &str,
) -> Option<String> {
    let mut sorted: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, v)| k != "sign" && !k.is_empty() && !v.is_empty())
        .collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut joined = String::new();
    for (k, v) in sorted {
        joined += k;
        joined += v;
    }
    joined += body.unwrap_or("");
    let digest: Vec<u8> = match sign_method {
        "md5" => Md5::digest(format!("{secret}{joined}{secret}").as_bytes()).to_vec(),
        "hmac" => {
            let mut m = Hmac::<Md5>::new_from_slice(secret.as_bytes()).ok()?;
            m.update(joined.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        "hmac-sha256" => {
            let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
            m.update(joined.as_bytes());
            m.finalize().into_bytes().to_vec()
        }
        _ => return None,
    };
    Some(digest.iter().map(|b| format!("{b:02X}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The same Python vectors as runtime/src/sign.rs (command there).
    #[test]
    fn matches_python_vectors() {
        let secret = "test-secret-密钥";
        let mut params: Vec<(String, String)> = [
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
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (m, want) in [
            ("md5", "EF883BCC4EB1FCFC576D96A72E94E66D"),
            ("hmac", "B308D08D5FDCC37C75D49091905D9719"),
            (
                "hmac-sha256",
                "F2952115B7FB739429182A6D357D8338222740C8D07A77C3E80C8FA93A784B27",
            ),
        ] {
            params.retain(|(k, _)| k != "sign_method");
            params.push(("sign_method".into(), m.into()));
            assert_eq!(
                expected_sign(&params, None, secret, m).as_deref(),
                Some(want)
            );
        }
        let q: Vec<(String, String)> = [
            ("method", "taobao.qimen.order.cancel"),
            ("app_key", "12345678"),
            ("customerId", "stub-cust-code"),
            ("timestamp", "2026-11-23 18:28:05"),
            ("format", "xml"),
            ("v", "2.0"),
            ("sign_method", "md5"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let body = "<request><warehouseCode>W1234</warehouseCode><cancelReason>已经退货</cancelReason></request>";
        assert_eq!(
            expected_sign(&q, Some(body), secret, "md5").as_deref(),
            Some("51F2BB96E3BF78F06EF8EB0799F15AE5")
        );
        assert_eq!(expected_sign(&q, None, secret, "sha1"), None);
    }
}

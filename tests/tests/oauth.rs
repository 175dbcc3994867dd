//! The OAuth token helpers against the local gateway on 127.0.0.1: code →
//! token, refresh, and token answers that do not hold a token.

use top_runtime::oauth::{TOKEN_CREATE, TOKEN_REFRESH};
use top_runtime::{Error, TokenCreateRequest, TokenRefreshRequest};
use top_tests::Answer;
use top_tests::clients::{builder, gateway};

#[tokio::test]
async fn an_authorization_code_becomes_a_token() {
    let gw = gateway();
    let client = builder(&gw).session("some-user-session").build().unwrap();
    let token = client
        .create_token(&TokenCreateRequest::new("auth-code-1").with_uuid("u-7"))
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "6201606e950601ZZ-local-access");
    assert_eq!(
        token.refresh_token.as_ref().map(|t| t.expose()),
        Some("62027061671e77ZZ-local-refresh")
    );
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    assert_eq!(token.expires_in, Some(86_400));
    assert_eq!(token.expire_time, Some(1_799_377_170_000));
    assert_eq!(token.taobao_user_id.as_deref(), Some("2206890150985"));
    assert_eq!(token.taobao_user_nick.as_deref(), Some("测试店"));
    assert_eq!(token.sub_taobao_user_id, None);
    assert!(token.other.is_empty(), "{:?}", token.other.keys());
    let shown = format!("{token:?}");
    assert!(!shown.contains("local-access") && !shown.contains("local-refresh"));

    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.query_param("method"), Some(TOKEN_CREATE));
    assert_eq!(
        r.query_param("session"),
        None,
        "no user session on token calls"
    );
    assert_eq!(r.form_param("code"), Some("auth-code-1"));
    assert_eq!(r.form_param("uuid"), Some("u-7"));
}

#[tokio::test]
async fn a_refresh_token_becomes_a_new_token() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let token = client
        .refresh_token(&TokenRefreshRequest::new("62027061671e77ZZ-local-refresh"))
        .await
        .unwrap();
    assert_eq!(
        token.access_token.expose(),
        "6201606e950601ZZ-local-renewed"
    );
    assert_eq!(token.expires_in, Some(86_400), "a number sent as text");
    assert_eq!(token.re_expires_in, Some(2_592_000));
    assert_eq!(token.taobao_user_id.as_deref(), Some("2206890150985"));
    assert_eq!(token.sub_taobao_user_nick.as_deref(), Some("测试店:客服"));
    let r = &gw.received()[0];
    assert_eq!(r.rejected_with, None);
    assert_eq!(r.query_param("method"), Some(TOKEN_REFRESH));
    assert_eq!(
        r.form_param("refresh_token"),
        Some("62027061671e77ZZ-local-refresh")
    );
}

#[tokio::test]
async fn a_token_answer_without_a_token_is_an_error() {
    let gw = gateway();
    let client = builder(&gw).build().unwrap();
    let cut = r#"{"top_auth_token_create_response":{"token_result":"{\"access_token\":\"6201-leaked\",\"expires_in\":"}}"#;
    let empty = r#"{"top_auth_token_create_response":{"request_id":"x"}}"#;
    for (body, want) in [(cut, "not JSON"), (empty, "no token_result")] {
        gw.push([Answer::Raw(body.into())]);
        match client
            .create_token(&TokenCreateRequest::new("c"))
            .await
            .unwrap_err()
        {
            Error::Decode {
                api,
                path,
                message,
                snippet,
            } => {
                assert_eq!(api, TOKEN_CREATE);
                assert_eq!(path, "token_result");
                assert!(message.contains(want), "{message}");
                assert!(
                    snippet.is_empty() && !message.contains("leaked"),
                    "{message}"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    // The platform's refusal stays a platform error.
    gw.push([Answer::Error {
        code: 15,
        msg: "Remote service error".into(),
        sub_code: Some("isv.invalid-refresh-token".into()),
        sub_msg: None,
    }]);
    let e = client
        .refresh_token(&TokenRefreshRequest::new("old"))
        .await
        .unwrap_err();
    let p = e.platform().expect("platform error");
    assert_eq!(p.api, TOKEN_REFRESH);
    assert!(p.is_caller_fault());

    // A body that is not the envelope: no snippet of it in the error.
    gw.push([Answer::Raw(r#"{"access_token":"6201-leaked"}"#.into())]);
    let e = client
        .create_token(&TokenCreateRequest::new("c"))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(!e.to_string().contains("leaked"), "{e}");
}

#[test]
fn the_blocking_client_has_the_helpers_too() {
    let gw = gateway();
    let client = builder(&gw).build_blocking().unwrap();
    let token = client
        .create_token(&TokenCreateRequest::new("auth-code-2"))
        .unwrap();
    assert_eq!(token.access_token.expose(), "6201606e950601ZZ-local-access");
    let token = client
        .refresh_token(&TokenRefreshRequest::new("r"))
        .unwrap();
    assert_eq!(
        token.access_token.expose(),
        "6201606e950601ZZ-local-renewed"
    );
}

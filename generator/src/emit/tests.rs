//! Example tests for `tests/tests/api/`, built from each page's own examples:
//! the request from the example values (a snapshot of its wire parameters),
//! the XML response example (a snapshot of the value), the same answer as
//! gateway JSON (must decode equal), and the error example (a snapshot).
//! A page without an example of one kind gets no test for it.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::code::{format_file, ident};
use super::space::{Api, Field, Scalar, Ty};
use super::xml;
use crate::diag::Warning;
use crate::naming;

/// A raw string literal holding `text` exactly.
fn raw(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    let lit: Literal = format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text));
    quote!(#lit)
}

fn looks_like_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
}

/// The example text as a typed Rust expression, when it fits the type.
fn scalar_expr(s: Scalar, text: &str, in_list: bool) -> Option<TokenStream> {
    match s {
        Scalar::String if in_list => Some(quote!(::std::string::String::from(#text))),
        Scalar::String => Some(quote!(#text)),
        Scalar::Int => text.trim().parse::<i64>().ok().map(|n| {
            let lit = Literal::i64_unsuffixed(n);
            quote!(#lit)
        }),
        Scalar::Bool => match text.trim() {
            "true" => Some(quote!(true)),
            "false" => Some(quote!(false)),
            _ => None,
        },
        Scalar::Decimal => is_decimal(text.trim()).then(|| {
            let t = text.trim();
            quote!(#t.parse::<::top_runtime::Decimal>().expect("a decimal"))
        }),
        Scalar::DateTime => looks_like_date_time(text.trim()).then(|| {
            let t = text.trim();
            quote!(#t.parse::<::top_runtime::DateTime>().expect("a date-time"))
        }),
        Scalar::Map | Scalar::Json | Scalar::File => None,
    }
}

/// The field's value from the page's examples, if the page gives one.
fn value_expr(api: &Api, f: &Field) -> Option<TokenStream> {
    match (f.ty, f.array) {
        (Ty::Scalar(s), false) => scalar_expr(s, f.example.as_deref()?, false),
        (Ty::Scalar(s), true) => {
            let items: Option<Vec<TokenStream>> = f
                .example
                .as_deref()?
                .split(',')
                .map(|t| scalar_expr(s, t.trim(), true))
                .collect();
            let items = items?;
            Some(quote!(::std::vec![#(#items),*]))
        }
        (Ty::Struct(i), false) => struct_expr(api, &api.structs[i].name, &api.structs[i].fields),
        (Ty::Struct(i), true) => {
            let one = struct_expr(api, &api.structs[i].name, &api.structs[i].fields)?;
            Some(quote!(::std::vec![#one]))
        }
    }
}

/// `api::X::new(required…).with_y(…)`, or `None` when a required field has no
/// example or nothing at all comes from the page.
fn struct_expr(api: &Api, name: &str, fields: &[Field]) -> Option<TokenStream> {
    let mut args = Vec::new();
    let mut setters = Vec::new();
    for f in fields {
        match (value_expr(api, f), f.required) {
            (Some(v), true) => args.push(v),
            (None, true) => return None,
            (Some(v), false) => {
                let setter = ident(&format!("with_{}", f.ident.trim_matches('_')));
                setters.push(quote!(.#setter(#v)));
            }
            (None, false) => {}
        }
    }
    if args.is_empty() && setters.is_empty() {
        return None;
    }
    let name = ident(name);
    Some(quote!(api::#name::new(#(#args),*) #(#setters)*))
}

/// One test module, or `None` when the page has no example at all.
pub fn module(
    api: &Api,
    test_mod: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>, String> {
    let spec = api.spec;
    let (group, module) = (ident(&api.group), ident(&api.module));
    let req = ident(&api.request_name);
    let resp = ident(&api.response_name);
    let mut consts = Vec::new();
    let mut tests = Vec::new();

    let has_request_example = !spec.examples.request.is_empty()
        || api.request.iter().any(|f| f.example.is_some())
        || api
            .structs
            .iter()
            .any(|s| s.fields.iter().any(|f| f.example.is_some()));
    let request = struct_expr(api, &api.request_name, &api.request).or_else(|| {
        (api.request.iter().all(|f| !f.required) && has_request_example)
            .then(|| quote!(api::#req::new()))
    });
    match request {
        Some(build) if has_request_example => {
            let name = format!("{test_mod}__request");
            tests.push(quote! {
                /// The request built from the page's example values, as it goes on the wire.
                #[test]
                fn request_from_the_page_example() {
                    let request = #build;
                    let params = top_runtime::Request::params(&request).expect("the page's example encodes");
                    let method = <api::#req as top_runtime::Request>::METHOD;
                    let json_params = <api::#req as top_runtime::Request>::JSON_PARAMS.join(",");
                    let mut wire = format!("method={method}\njson_params={json_params}\n");
                    for (name, value) in &params.0 {
                        wire.push_str(&format!("{name}={value}\n"));
                    }
                    if let Some(body) = top_runtime::Request::qimen_body(&request).expect("the body encodes") {
                        wire.push_str(&format!("body={body}\n"));
                    }
                    crate::snapshot_settings().bind(|| insta::assert_snapshot!(#name, wire));
                }
            });
        }
        _ if has_request_example => warnings.push(Warning::at(
            &api.file,
            None,
            format!(
                "{}: a required request field has no usable example; no request test",
                spec.api
            ),
        )),
        _ => {}
    }

    let xml_example = spec.examples.response.iter().find(|e| e.lang == "xml");
    if let Some(ex) = xml_example {
        let text = raw(&ex.code);
        consts.push(quote!(const RESPONSE_XML: &str = #text;));
        consts.push(quote! {
            fn response_from_xml() -> api::#resp {
                top_runtime::de::from_xml(RESPONSE_XML).expect("the page's XML example decodes")
            }
        });
        let name = format!("{test_mod}__response");
        tests.push(quote! {
            /// The page's XML response example, decoded.
            #[test]
            fn response_xml_example() {
                let response = response_from_xml();
                assert_ne!(response, api::#resp::default(), "the example decodes to nothing");
                crate::snapshot_settings().bind(|| insta::assert_debug_snapshot!(#name, response));
            }
        });
        let key = if api.is_qimen() {
            "response".to_string()
        } else {
            naming::response_key(&spec.api)
        };
        let json = match spec.examples.response.iter().find(|e| e.lang == "json") {
            Some(j) => j.code.clone(),
            None => xml::gateway_json(api, &ex.code, &key)
                .map_err(|e| format!("the XML response example is not well-formed: {e}"))?,
        };
        let json = raw(&json);
        consts.push(quote!(const RESPONSE_JSON: &str = #json;));
        tests.push(quote! {
            /// The same answer as the gateway's JSON decodes to the same value.
            #[test]
            fn response_json_matches_xml() {
                let doc: serde_json::Value = serde_json::from_str(RESPONSE_JSON).expect("valid JSON");
                let key = <api::#req as top_runtime::Request>::response_key();
                let body = doc.get(&key).cloned().expect("the answer is under the envelope key");
                let response: api::#resp = serde_json::from_value(body).expect("the JSON answer decodes");
                assert_eq!(response, response_from_xml());
            }
        });
    }

    if let Some(ex) = spec.examples.error.iter().find(|e| e.lang == "xml") {
        let text = raw(&ex.code);
        consts.push(quote!(const ERROR_XML: &str = #text;));
        let name = format!("{test_mod}__error");
        tests.push(quote! {
            /// The page's error example, decoded.
            #[test]
            fn error_example() {
                let error: top_runtime::de::ErrorResponse =
                    top_runtime::de::from_xml(ERROR_XML).expect("the page's error example decodes");
                assert!(error.code.is_some(), "the example has a code");
                crate::snapshot_settings().bind(|| insta::assert_debug_snapshot!(#name, error));
            }
        });
    }

    if tests.is_empty() {
        return Ok(None);
    }
    let doc = format!(" Examples of `{}`, from its documentation page.", spec.api);
    let tokens = quote! {
        #![doc = #doc]
        use top_api::#group::#module as api;
        #(#consts)*
        #(#tests)*
    };
    format_file(tokens).map(Some)
}

/// `main.rs` of the example tests.
pub fn main(modules: &[String]) -> Result<String, String> {
    let mods = modules.iter().map(|m| {
        let m = ident(m);
        // prettyplease, not rustfmt, lays out generated files.
        quote! {
            #[rustfmt::skip]
            mod #m;
        }
    });
    let tokens = quote! {
        //! Example tests, one module per API, generated from each page's examples.
        //! Snapshots live in `tests/snapshots/`; review changes with `cargo insta review`.
        #(#mods)*

        /// Snapshots of every module go to `tests/snapshots/`, named without a module prefix.
        fn snapshot_settings() -> insta::Settings {
            let mut s = insta::Settings::clone_current();
            s.set_snapshot_path("../../snapshots");
            s.set_prepend_module_to_snapshot(false);
            s
        }
    };
    format_file(tokens)
}

//! Example tests for `tests/tests/api/`, built from each page's own examples:
//! the request from the example values (a snapshot of its parameters and of
//! the call the client signs with fixed credentials and time), the XML
//! response example (a snapshot of the value), the same answer as the
//! client decodes it from JSON, with and without `simplify` (must be equal),
//! and the error example decoded into the client's error type (a snapshot).
//! A page without a response example gets a typed sample derived from its
//! schema instead, checked the same way; a page without an example of any
//! other kind gets no test for it. An XML example the shared reader rejects
//! (the scraper has warned about it already) gets no test either, with a
//! warning, rather than failing the API.

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::Expr;

use super::code::{format_file, ident};
use super::space::{Api, Field, Scalar, Ty};
use super::syntax::{self, FileItems};
use super::xml;
use crate::diag::{Kind, Warning};
use crate::naming;
use crate::xml::Element;

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
        Scalar::String if in_list => Some(quote!(String::from(#text))),
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
            quote!(top_runtime::testing::sample::decimal(#t))
        }),
        Scalar::DateTime => looks_like_date_time(text.trim()).then(|| {
            let t = text.trim();
            quote!(top_runtime::testing::sample::date_time(#t))
        }),
        Scalar::Map | Scalar::Json | Scalar::File => None,
    }
}

/// The field's value from the page's examples, if the page gives one.
fn value_expr(api: &Api, f: &Field) -> Option<TokenStream> {
    if let Some(i) = f.code {
        // A code reads as its variant, or the catch-all when the list lacks it.
        let name = ident(&api.codes[i].name);
        let example = f.example.as_deref()?;
        let code = |t: &str| {
            let t = t.trim();
            quote!(api::#name::from(#t))
        };
        return Some(if f.array {
            let items = example.split(',').map(code);
            quote!(vec![#(#items),*])
        } else {
            code(example)
        });
    }
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
            Some(quote!(vec![#(#items),*]))
        }
        (Ty::Struct(i), false) => struct_expr(api, &api.structs[i].name, &api.structs[i].fields),
        (Ty::Struct(i), true) => {
            let one = struct_expr(api, &api.structs[i].name, &api.structs[i].fields)?;
            Some(quote!(vec![#one]))
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
                let setter = ident(&naming::setter(&f.ident));
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

/// Varied values per list item, so two items never look alike: the text
/// and what the field is made from, with the helpers of
/// `top_runtime::testing::sample` in scope.
fn sample_scalar(s: Scalar, wire: &str, n: usize) -> Option<(String, Expr)> {
    Some(match s {
        Scalar::String | Scalar::Json => {
            // Non-ASCII and XML-special characters exercise both encodings.
            let text = if s == Scalar::String {
                format!("{wire} {n} 示例 <&>")
            } else {
                format!("{wire} {n}")
            };
            let expr = syntax::str_expr(&text);
            (text, expr)
        }
        Scalar::Int => {
            // Above 2^53: must survive both forms exactly.
            let v = 9_007_199_254_740_992_i64 + n as i64;
            let lit = syn::Lit::new(Literal::i64_suffixed(v));
            (v.to_string(), syntax::lit_expr(lit))
        }
        Scalar::Bool => {
            let v = n % 2 == 1;
            let lit = syn::Lit::Bool(syn::LitBool::new(v, Span::call_site()));
            (v.to_string(), syntax::lit_expr(lit))
        }
        Scalar::Decimal => {
            let text = format!("{n}0.50");
            let expr = syntax::call("decimal", [syntax::str_expr(&text)]);
            (text, expr)
        }
        Scalar::DateTime => {
            let text = format!("2026-11-23 18:28:{:02}", n % 60);
            let expr = syntax::call("date_time", [syntax::str_expr(&text)]);
            (text, expr)
        }
        // A map has no agreed XML form and a file is never answered: left unset.
        Scalar::Map | Scalar::File => return None,
    })
}

/// Letters, digits, `_`, `-` and `.`, not starting with a digit, `-` or `.`
/// (nor `xml`, which XML reserves).
fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !s.to_ascii_lowercase().starts_with("xml")
}

/// `order_item` for a TOP list of `OrderItem`, `orderItem` in Qimen XML;
/// the decoder accepts any wrapper name.
fn list_item_name(api: &Api, ty: Ty) -> String {
    match ty {
        Ty::Struct(i) if api.is_qimen() => naming::xml_item_name(&api.structs[i].top_type),
        Ty::Struct(i) => {
            let mut out = String::new();
            for (k, c) in api.structs[i].top_type.chars().enumerate() {
                if c.is_uppercase() && k > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            }
            out
        }
        Ty::Scalar(Scalar::Int) => "number".into(),
        Ty::Scalar(Scalar::Bool) => "boolean".into(),
        Ty::Scalar(_) => "string".into(),
    }
}

/// Where a sample is being filled: the structs open on the way down (a
/// type that contains itself stops at its first level) and whether a list
/// is among them.
#[derive(Default)]
struct Walk {
    open: Vec<usize>,
    in_list: bool,
}

/// One value of type `ty` (item `n`): its XML node and its Rust expression.
fn sample_value(
    api: &Api,
    ty: Ty,
    name: &str,
    label: &str,
    n: usize,
    walk: &mut Walk,
) -> Option<(Element, Expr)> {
    match ty {
        Ty::Scalar(s) => {
            let (text, expr) = sample_scalar(s, label, n)?;
            Some((Element::leaf(name, text), expr))
        }
        Ty::Struct(i) => {
            if walk.open.contains(&i) {
                return None;
            }
            walk.open.push(i);
            let filled = sample_struct(api, &api.structs[i].name, &api.structs[i].fields, n, walk);
            walk.open.pop();
            let (children, expr) = filled?;
            Some((Element::parent(name, children), expr))
        }
    }
}

/// The items of list field `f` in item `n`: two, so a list of several is
/// read; one in a list inside another list's item, whose reading is the
/// same, so the sample grows with the depth of lists instead of doubling
/// at each.
fn sample_items(
    api: &Api,
    f: &Field,
    n: usize,
    walk: &mut Walk,
) -> Option<(Vec<Element>, Vec<Expr>)> {
    let item = list_item_name(api, f.ty);
    let count = if walk.in_list { 1 } else { 2 };
    let outer = std::mem::replace(&mut walk.in_list, true);
    let items: Option<Vec<_>> = (0..count)
        .map(|k| sample_value(api, f.ty, &item, &f.wire, 2 * n - 1 + k, walk))
        .collect();
    walk.in_list = outer;
    Some(items?.into_iter().unzip())
}

/// Every field of a struct that can be filled, as XML nodes and a
/// `{ let mut v = T::default(); v.f = …; v }` expression.
fn sample_struct(
    api: &Api,
    name: &str,
    fields: &[Field],
    n: usize,
    walk: &mut Walk,
) -> Option<(Vec<Element>, Expr)> {
    let mut nodes = Vec::new();
    let mut sets = vec![syntax::let_mut(
        "v",
        syntax::call(&format!("api::{name}::default"), []),
    )];
    for f in fields {
        // A wire name that is no XML element name has no XML form to test.
        if !is_xml_name(&f.wire) {
            continue;
        }
        let field = syntax::field_of("v", &f.ident);
        if f.array {
            let Some((items, exprs)) = sample_items(api, f, n, walk) else {
                continue;
            };
            nodes.push(Element::parent(&f.wire, items));
            let list = syntax::call("list", [syntax::array(exprs)]);
            sets.push(syntax::assign(field, list));
        } else if let Some((node, expr)) = sample_value(api, f.ty, &f.wire, &f.wire, n, walk) {
            nodes.push(node);
            // `some` converts, so it also fills a code enum and a field
            // boxed against recursion.
            sets.push(syntax::assign(field, syntax::call("some", [expr])));
        }
    }
    if nodes.is_empty() {
        return None;
    }
    sets.push(syn::Stmt::Expr(syntax::path_expr("v"), None));
    Some((nodes, syntax::block(sets)))
}

/// The expected classification of an error example by the platform's
/// rules: (caller's fault, service fault, retryable).
fn classify(xml_error: &str) -> Option<(bool, bool, bool, String)> {
    let top = xml::parse(xml_error).ok()?;
    let nodes: &[Element] = match top.as_slice() {
        [root] if root.name == "error_response" => &root.children,
        nodes => nodes,
    };
    let text = |name: &str| {
        nodes
            .iter()
            .find(|n| n.name == name)
            .map(|n| n.text.trim().to_string())
    };
    let code = text("code")?.parse::<i64>().ok();
    let sub = text("sub_code").unwrap_or_default();
    let caller_code = matches!(
        code,
        Some(11 | 12 | 21 | 22 | 25 | 26 | 27 | 29 | 31 | 40 | 41)
    );
    let busy_code = matches!(code, Some(7 | 10 | 15));
    let caller = sub.starts_with("isv.") || caller_code;
    let service = sub.starts_with("isp.");
    let retryable = !caller && (service || busy_code);
    let why = if sub.is_empty() {
        format!("code {}", text("code").unwrap_or_default())
    } else {
        format!("sub_code {sub}")
    };
    Some((caller, service, retryable, why))
}

/// What a test module is made of: constants and helpers, then tests.
#[derive(Default)]
struct Parts {
    consts: FileItems,
    tests: Vec<TokenStream>,
}

/// What every test of one API refers to.
struct Ctx<'a, 'b> {
    api: &'a Api<'b>,
    test_mod: &'a str,
    req: proc_macro2::Ident,
    resp: proc_macro2::Ident,
    /// Binds `method` to the API's method name.
    bind_method: TokenStream,
}

/// One test module, or `None` when the page has no example at all.
pub fn module(
    api: &Api,
    test_mod: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<String>, String> {
    let req = ident(&api.request_name);
    let cx = Ctx {
        api,
        test_mod,
        bind_method: quote!(let method = <api::#req as top_runtime::Request>::METHOD;),
        req,
        resp: ident(&api.response_name),
    };
    let mut parts = Parts::default();
    request_test(&cx, &mut parts, warnings);
    response_tests(&cx, &mut parts, warnings);
    error_test(&cx, &mut parts, warnings);
    if parts.tests.is_empty() {
        return Ok(None);
    }
    let (group, module) = (ident(&api.group), ident(&api.module));
    let doc = format!(
        " Examples of `{}`, from its documentation page.",
        api.spec.api
    );
    let Parts { consts, tests } = parts;
    let mut out = FileItems::default();
    out.tokens(quote! {
        #![doc = #doc]
        use top_api::#group::#module as api;
    });
    out.append(consts);
    out.tokens(quote!(#(#tests)*));
    out.format().map(Some)
}

fn warn(cx: &Ctx, warnings: &mut Vec<Warning>, message: String) {
    warnings.push(Warning::about(
        Kind::Codegen,
        &cx.api.file,
        &cx.api.spec.api,
        None,
        message,
    ));
}

/// The request built from the page's example values, when the page has any.
fn request_test(cx: &Ctx, parts: &mut Parts, warnings: &mut Vec<Warning>) {
    let api = cx.api;
    let req = &cx.req;
    let has_request_example = !api.spec.examples.request.is_empty()
        || api.request.iter().any(|f| f.example.is_some())
        || api
            .structs
            .iter()
            .any(|s| s.fields.iter().any(|f| f.example.is_some()));
    if !has_request_example {
        return;
    }
    let request = struct_expr(api, &api.request_name, &api.request).or_else(|| {
        api.request
            .iter()
            .all(|f| !f.required)
            .then(|| quote!(api::#req::new()))
    });
    let Some(build) = request else {
        warn(
            cx,
            warnings,
            "a required request field has no usable example; no request test".into(),
        );
        return;
    };
    let name = format!("{}__request", cx.test_mod);
    parts.tests.push(quote! {
        /// The request built from the page's example values: its
        /// parameters, then the signed call as the client sends it.
        #[test]
        fn request_from_the_page_example() {
            let request = #build;
            let wire = top_tests::examples::wire_text(&request);
            crate::snapshot_settings().bind(|| insta::assert_snapshot!(#name, wire));
        }
    });
}

/// The XML answer the response tests start from: the page's example, or a
/// typed sample derived from the schema when the page shows no response
/// example at all (a page with only a JSON example has no XML to compare).
fn response_xml(cx: &Ctx, key: &str) -> (Option<String>, Option<(Vec<Element>, Expr)>) {
    let api = cx.api;
    let examples = &api.spec.examples.response;
    if let Some(e) = examples.iter().find(|e| e.lang == "xml") {
        return (Some(e.code.clone()), None);
    }
    if !examples.is_empty() {
        return (None, None);
    }
    let sample = sample_struct(
        api,
        &api.response_name,
        &api.response,
        1,
        &mut Walk::default(),
    );
    let xml = sample.as_ref().map(|(nodes, _)| xml::render(key, nodes));
    (xml, sample)
}

/// The response decoded from XML, then from the gateway's JSON, which must
/// give the same value. An example the XML reader rejects (the scraper has
/// warned about it) gets no response test, with a warning.
fn response_tests(cx: &Ctx, parts: &mut Parts, warnings: &mut Vec<Warning>) {
    let api = cx.api;
    let key = if api.is_qimen() {
        "response".to_string()
    } else {
        naming::response_key(&api.spec.api)
    };
    let (Some(xml_text), sample) = response_xml(cx, &key) else {
        return;
    };
    let top = match xml::parse(&xml_text) {
        Ok(top) => top,
        Err(e) => {
            warn(
                cx,
                warnings,
                format!("the XML response example is not well-formed ({e}); no response test"),
            );
            return;
        }
    };
    let resp = &cx.resp;
    let text = raw(&xml_text);
    parts
        .consts
        .tokens(quote!(const RESPONSE_XML: &str = #text;));
    parts.consts.tokens(quote! {
        fn response_from_xml() -> api::#resp {
            top_runtime::de::from_xml(RESPONSE_XML).expect("the XML answer decodes")
        }
    });
    decode_test(cx, parts, sample.map(|(_, expr)| expr));
    let json = match api.spec.examples.response.iter().find(|e| e.lang == "json") {
        Some(j) => j.code.clone(),
        None => xml::gateway_json(api, &top, &key),
    };
    let json = raw(&json);
    parts
        .consts
        .tokens(quote!(const RESPONSE_JSON: &str = #json;));
    if api.is_qimen() {
        qimen_json_test(cx, parts, &key, &top);
    } else {
        top_json_test(cx, parts, &key, &top);
    }
}

/// The XML answer decoded: a snapshot of the page's example, or the
/// schema-derived sample (`sample`) decoded back to itself.
fn decode_test(cx: &Ctx, parts: &mut Parts, sample: Option<Expr>) {
    let resp = &cx.resp;
    let Some(expr) = sample else {
        let name = format!("{}__response", cx.test_mod);
        parts.tests.push(quote! {
            /// The page's XML response example, decoded.
            #[test]
            fn response_xml_example() {
                let response = response_from_xml();
                assert_ne!(response, api::#resp::default(), "the example decodes to nothing");
                crate::snapshot_settings().bind(|| insta::assert_debug_snapshot!(#name, response));
            }
        });
        return;
    };
    let name = format!("{}__sample", cx.test_mod);
    let mut sample: syn::ItemFn = syn::parse_quote! {
        /// A value with every field filled, derived from the schema:
        /// the page shows no response example.
        #[allow(clippy::field_reassign_with_default, clippy::useless_conversion)]
        fn response_sample() -> api::#resp {
            use top_runtime::testing::sample::*;
        }
    };
    sample.block.stmts.push(syn::Stmt::Expr(expr, None));
    parts.consts.item(syn::Item::Fn(sample));
    parts.tests.push(quote! {
        /// The schema-derived sample in its XML form decodes back to the sample.
        #[test]
        fn response_sample_from_the_schema() {
            let response = response_from_xml();
            assert_eq!(response, response_sample(), "the XML form decodes to the sample");
            assert_ne!(response, api::#resp::default(), "the sample is empty");
            crate::snapshot_settings().bind(|| insta::assert_debug_snapshot!(#name, response));
        }
    });
}

/// Binds `method` and checks the request's response key is `key`.
fn key_check(cx: &Ctx, key: &str) -> TokenStream {
    let (req, bind_method) = (&cx.req, &cx.bind_method);
    quote! {
        #bind_method
        let key = <api::#req as top_runtime::testing::RequestFixture>::response_key();
        assert_eq!(key, #key);
    }
}

/// Qimen: the client reads the answer as XML (or JSON) under `<response>`.
fn qimen_json_test(cx: &Ctx, parts: &mut Parts, key: &str, top: &[Element]) {
    let (resp, key_check) = (&cx.resp, key_check(cx, key));
    let answer = match top {
        [root] if root.name == "response" => quote!(RESPONSE_XML),
        nodes => {
            let wrapped = raw(&xml::render("response", nodes));
            quote!(#wrapped)
        }
    };
    parts.tests.push(quote! {
        /// The answer as the client decodes it, in XML and in JSON, equals the XML value;
        /// strictly, so a field the page shows and the bindings lack fails.
        #[test]
        fn response_json_matches_xml() {
            #key_check
            let strict = top_runtime::de::Decoding::new().strict(true);
            let from_xml: api::#resp = top_runtime::qimen::decode_qimen_with(method, #answer.as_bytes(), strict)
                .expect("the XML answer decodes through the client");
            assert_eq!(from_xml, response_from_xml());
            let from_json: api::#resp = top_runtime::qimen::decode_qimen_with(method, RESPONSE_JSON.as_bytes(), strict)
                .expect("the JSON answer decodes through the client");
            assert_eq!(from_json, response_from_xml());
        }
    });
}

/// TOP: the gateway's JSON answer, with its envelope and with `simplify`.
fn top_json_test(cx: &Ctx, parts: &mut Parts, key: &str, top: &[Element]) {
    let (resp, key_check) = (&cx.resp, key_check(cx, key));
    let simple = raw(&xml::simplified_json(cx.api, top, key));
    parts
        .consts
        .tokens(quote!(const RESPONSE_JSON_SIMPLIFIED: &str = #simple;));
    parts.tests.push(quote! {
        /// The gateway's JSON answer, with its envelope and with
        /// `simplify` (no envelope, bare lists), decodes through the
        /// client to the XML value; strictly, so a field the page shows
        /// and the bindings lack fails.
        #[test]
        fn response_json_matches_xml() {
            #key_check
            let strict = top_runtime::de::Decoding::new().strict(true);
            let enveloped: api::#resp = top_runtime::envelope::decode_top_with(method, RESPONSE_JSON.as_bytes(), strict)
                .expect("the JSON answer decodes through the client");
            assert_eq!(enveloped, response_from_xml());
            let simplified: api::#resp = top_runtime::envelope::decode_top_with(method, RESPONSE_JSON_SIMPLIFIED.as_bytes(), strict.simplify(true))
                .expect("the simplified JSON answer decodes through the client");
            assert_eq!(simplified, response_from_xml());
        }
    });
}

/// The page's XML error example decoded into the client's error type, with
/// the classification the platform's rules give it.
/// An example the XML reader rejects gets no error test, with a warning.
fn error_test(cx: &Ctx, parts: &mut Parts, warnings: &mut Vec<Warning>) {
    let api = cx.api;
    let Some(ex) = api.spec.examples.error.iter().find(|e| e.lang == "xml") else {
        return;
    };
    let (resp, bind_method) = (&cx.resp, &cx.bind_method);
    let decode = if api.is_qimen() {
        let text = raw(&ex.code);
        parts.consts.tokens(quote!(const ERROR_XML: &str = #text;));
        quote! {
            let error = top_runtime::qimen::decode_qimen::<api::#resp>(method, ERROR_XML.as_bytes())
                .expect_err("the page's error example is an error");
        }
    } else {
        let json = match api.spec.examples.error.iter().find(|e| e.lang == "json") {
            Some(j) => j.code.clone(),
            None => match xml::error_json(&ex.code) {
                Ok(json) => json,
                Err(e) => {
                    let message =
                        format!("the XML error example is not well-formed ({e}); no error test");
                    warn(cx, warnings, message);
                    return;
                }
            },
        };
        let json = raw(&json);
        parts.consts.tokens(quote! {
            /// The page's XML error example as the gateway's JSON answer.
            const ERROR_JSON: &str = #json;
        });
        quote! {
            let error = top_runtime::envelope::decode_top::<api::#resp>(method, ERROR_JSON.as_bytes(), false)
                .expect_err("the page's error example is an error");
            let simplified = top_runtime::envelope::decode_top::<api::#resp>(method, ERROR_JSON.as_bytes(), true)
                .expect_err("the page's error example is an error under simplify too");
            assert_eq!(simplified.platform(), error.platform());
        }
    };
    let checks = classification_checks(&ex.code);
    let name = format!("{}__error", cx.test_mod);
    parts.tests.push(quote! {
        /// The page's error example, decoded as the client decodes an answer.
        #[test]
        fn error_example() {
            #bind_method
            #decode
            let platform = error.platform().expect("a platform error");
            assert_eq!(platform.api, method);
            assert!(!platform.code.is_empty(), "the example has a code");
            #checks
            let shown = top_tests::examples::error_text(&error);
            crate::snapshot_settings().bind(|| insta::assert_snapshot!(#name, shown));
        }
    });
}

/// Assertions of the error example's classification, when it has a code.
fn classification_checks(xml_error: &str) -> TokenStream {
    let Some((caller, service, retryable, why)) = classify(xml_error) else {
        return quote!();
    };
    let yes_no = |b: bool, call: TokenStream, msg: String| {
        if b {
            quote!(assert!(#call, #msg);)
        } else {
            let msg = format!("not {msg}");
            quote!(assert!(!#call, #msg);)
        }
    };
    let a = yes_no(
        caller,
        quote!(platform.is_caller_fault()),
        format!("{why}: the caller's fault"),
    );
    let b = yes_no(
        service,
        quote!(platform.is_service_fault()),
        format!("{why}: a service fault"),
    );
    let c = yes_no(
        retryable,
        quote!(error.is_retryable()),
        format!("{why}: retryable"),
    );
    quote!(#a #b #c)
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

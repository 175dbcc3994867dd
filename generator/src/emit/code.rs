//! One API module: request, response and nested structs. The numerous
//! regular items (struct definitions, readers, writers, setters) are built
//! as `syn` nodes ([`super::syntax`]); the rest as `quote!` tokens.
//!
//! Generated code names std's types as the prelude does (`Option`, `Result`):
//! no generated type takes a prelude name (`naming::unshadowed_type_ident`),
//! so none is shadowed, and the full paths were a fifth of the tokens to
//! format and compile. Everything else goes by absolute path
//! (`::top_runtime::…`).

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use syn::Type;

use super::server;
use super::space::{Api, CodeEnum, Field, Scalar, Scope, Side, Struct, Ty, Types};
use super::syntax::{self, FileItems};
use crate::naming::{self, OTHER_VARIANT};

pub fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// Markdown would read `[x]`, `<b>` or `*` in a description; escape so the
/// text renders as written and rustdoc sees no links or HTML.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Inline code span for any text, fenced with enough backticks.
pub fn code_span(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// `#[doc]` attributes, one per line; prettyplease prints them as `///`.
/// Control characters (a NUL or a backspace pasted into a page) are
/// dropped: they would land raw in the source file.
pub fn docs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let l = doc_line(l);
        quote!(#[doc = #l])
    });
    quote!(#(#attrs)*)
}

/// The literal of an outer doc line, control characters dropped.
pub fn doc_line(line: &str) -> Literal {
    let line: String = line
        .chars()
        .filter(|c| *c == '\t' || !c.is_control())
        .collect();
    doc_literal(&line)
}

/// `#![doc]` attributes of a module, one per line.
pub fn inner_docs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let l = doc_literal(l);
        quote!(#![doc = #l])
    });
    quote!(#(#attrs)*)
}

/// A doc line's literal, a space before its text as `///` has.
fn doc_literal(line: &str) -> Literal {
    if line.is_empty() {
        str_literal("")
    } else {
        str_literal(&format!(" {line}"))
    }
}

/// A string literal escaped only where Rust needs it: `Literal::string`
/// runs `escape_debug` over every character, a table lookup each for
/// Chinese text, which docs and samples are full of.
pub fn str_literal(text: &str) -> Literal {
    let mut repr = String::with_capacity(text.len() + 2);
    repr.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                repr.push('\\');
                repr.push(c);
            }
            c if c.is_control() => repr.extend(c.escape_default()),
            c => repr.push(c),
        }
    }
    repr.push('"');
    repr.parse().unwrap_or_else(|_| Literal::string(text))
}

/// Description lines, escaped, leading blanks trimmed so nothing becomes a code block.
pub fn description_lines(text: Option<&str>) -> Vec<String> {
    text.map(|t| t.lines().map(|l| md_escape(l.trim())).collect())
        .unwrap_or_default()
}

fn field_docs(f: &Field) -> Vec<syn::Attribute> {
    let mut lines = description_lines(f.description.as_deref());
    if let Some(ex) = f.example.as_deref().filter(|e| !e.is_empty()) {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("Example: {}", code_span(ex)));
    }
    if lines.is_empty() {
        lines.push(format!("Wire name {}.", code_span(&f.wire)));
    }
    syntax::doc_attrs(&lines)
}

/// The Rust type of a scalar, from the one table (`types`).
pub fn scalar_type(s: Scalar) -> Type {
    syntax::path_type(s.rust_type())
}

fn base_type(scope: &Scope, ty: Ty) -> Type {
    match ty {
        Ty::Scalar(s) => scalar_type(s),
        Ty::Struct(i) => syntax::path_type(&scope.structs[i].name),
    }
}

/// The value type of a field, list and box included, without `Option`.
pub fn value_type(scope: &Scope, f: &Field) -> Type {
    let base = match f.code {
        Some(i) => syntax::path_type(&scope.codes[i].name),
        None => base_type(scope, f.ty),
    };
    if f.array {
        syntax::generic_type("Vec", base)
    } else if f.boxed {
        syntax::generic_type("Box", base)
    } else {
        base
    }
}

fn rename(f: &Field) -> Option<TokenStream> {
    let wire = &f.wire;
    (f.ident != f.wire).then(|| quote!(rename = #wire))
}

fn serde_attr(parts: Vec<TokenStream>) -> Option<syn::Attribute> {
    (!parts.is_empty()).then(|| syntax::list_attr("serde", quote!(#(#parts),*)))
}

/// A request-side field declaration.
fn request_field(scope: &Scope, f: &Field) -> syn::Field {
    let mut parts: Vec<TokenStream> = rename(f).into_iter().collect();
    if f.ty == Ty::Scalar(Scalar::File) {
        parts.push(quote!(skip));
    } else if !f.required {
        parts.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    if scope.qimen && f.array {
        let with = if f.required {
            "::top_runtime::params::xml_items"
        } else {
            "::top_runtime::params::xml_items_opt"
        };
        parts.push(quote!(serialize_with = #with));
    }
    let mut attrs = field_docs(f);
    attrs.extend(serde_attr(parts));
    let ty = declared_type(scope, Side::Request, f);
    syntax::pub_field(attrs, &f.ident, ty)
}

/// A response-side field: plain, since [`wire_impls`] reads it.
fn response_field(scope: &Scope, f: &Field) -> syn::Field {
    let ty = declared_type(scope, Side::Response, f);
    syntax::pub_field(field_docs(f), &f.ident, ty)
}

/// The type a field is declared with: a required request field as is, an
/// optional one in `Option`; a response list as is (empty when absent),
/// any other response field in `Option`.
pub fn declared_type(scope: &Scope, side: Side, f: &Field) -> Type {
    let ty = value_type(scope, f);
    let bare = match side {
        Side::Request => f.required,
        Side::Response => f.array,
    };
    if bare {
        ty
    } else {
        syntax::generic_type("Option", ty)
    }
}

/// A struct definition: docs, derives, `#[non_exhaustive]`, fields.
fn struct_def(
    scope: &Scope,
    doc: &[String],
    side: Side,
    name: &str,
    fields: &[Field],
) -> syn::Item {
    let mut attrs = syntax::doc_attrs(doc);
    attrs.push(derives(side, fields));
    attrs.push(syntax::path_attr("non_exhaustive"));
    let fields = fields.iter().map(|f| match side {
        Side::Request => request_field(scope, f),
        Side::Response => response_field(scope, f),
    });
    syntax::pub_struct(attrs, name, fields.collect())
}

/// Decoding of a response struct through the runtime's one generic struct
/// reader: a wire-name lookup and a reader per field, far less code for the
/// compiler than serde's derive with a wrapper per field.
fn wire_impls(out: &mut FileItems, name: &Ident, fields: &[Field]) {
    let mut imp: syn::ItemImpl = syn::parse_quote! {
        impl ::top_runtime::de::WireStruct for #name {
            fn read<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                index: usize,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match index {
                    _ => ::top_runtime::de::skip(map),
                }
            }
        }
    };
    // No `?` per arm: its desugaring cost a fifth of `cargo check` time
    // on the full corpus.
    let reads = fields.iter().enumerate().map(|(i, f)| {
        let slot = syntax::reference(true, syntax::self_field(&f.ident));
        let read = [syntax::path_expr("map"), slot];
        syntax::index_arm(i, syntax::call("::top_runtime::de::field_into", read))
    });
    let syn::Expr::Match(m) = syntax::impl_expr(&mut imp, 0) else {
        unreachable!("`read` is a match")
    };
    m.arms.splice(0..0, reads);
    imp.items.insert(0, field_lookup(fields));
    out.item(syn::Item::Impl(imp));
    out.tokens(quote!(::top_runtime::wire_struct!(#name);));
}

/// The setter of field `f` ([`naming::setter`]).
pub fn setter_name(f: &Field) -> Ident {
    ident(&naming::setter(&f.ident))
}

/// `new(required…)` and `with_x(…)` setters of a request-side struct.
fn constructors(scope: &Scope, name: &Ident, fields: &[Field]) -> syn::Item {
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let args = required.iter().map(|f| {
        let n = ident(&f.ident);
        let ty = value_type(scope, f);
        match into_target(f, &ty) {
            Some(target) => quote!(#n: impl Into<#target>),
            None => quote!(#n: #ty),
        }
    });
    let inits = fields.iter().map(|f| {
        let n = ident(&f.ident);
        if !f.required {
            quote!(#n: None)
        } else if converts(f) {
            quote!(#n: #n.into())
        } else {
            quote!(#n)
        }
    });
    let new_doc = if required.is_empty() {
        docs(&["Creates the value with every optional field unset.".into()])
    } else {
        let names: Vec<String> = required.iter().map(|f| code_span(&f.wire)).collect();
        docs(&[format!(
            "Creates the value from its required fields: {}.",
            names.join(", ")
        )])
    };
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let mut imp: syn::ItemImpl = syn::parse_quote! {
        impl #name {
            #new_doc
            #allow
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    };
    let setters = fields.iter().filter(|f| !f.required);
    imp.items.extend(setters.map(|f| setter(scope, f)));
    syn::Item::Impl(imp)
}

/// Whether a constructor or setter takes field `f` through `impl Into<…>`:
/// a code enum (from its text) or a `String`.
fn converts(f: &Field) -> bool {
    !f.array && (f.code.is_some() || f.ty == Ty::Scalar(Scalar::String))
}

/// What it takes then, for field `f` of value type `ty`: the code enum, or
/// `String`; `None` where it takes `ty` itself.
fn into_target(f: &Field, ty: &Type) -> Option<Type> {
    converts(f).then(|| match f.code {
        Some(_) => ty.clone(),
        None => syntax::path_type("String"),
    })
}

/// `with_x(x)`: sets optional field `x`, taking what converts into it
/// where that is a text, a code or a box.
fn setter(scope: &Scope, f: &Field) -> syn::ImplItem {
    let ty = value_type(scope, f);
    let param = syntax::path_expr(&f.ident);
    let target = into_target(f, &ty).or_else(|| f.boxed.then(|| ty.clone()));
    let (param_ty, value) = match target {
        Some(target) => (
            syntax::impl_generic("Into", target),
            syntax::method_call(param, "into"),
        ),
        None => (ty, param),
    };
    let mut attrs = syntax::doc_attrs(&[format!("Sets {}.", code_span(&f.wire))]);
    attrs.push(syntax::path_attr("must_use"));
    let body = vec![
        syntax::assign(syntax::self_field(&f.ident), syntax::call("Some", [value])),
        syn::Stmt::Expr(syntax::path_expr("self"), None),
    ];
    syntax::by_value_method(attrs, setter_name(f), (&f.ident, param_ty), body)
}

fn derives(side: Side, fields: &[Field]) -> syn::Attribute {
    let traits = match side {
        Side::Request if fields.iter().any(|f| f.required) => {
            quote!(Debug, Clone, PartialEq, ::serde::Serialize)
        }
        Side::Request => quote!(Debug, Clone, Default, PartialEq, ::serde::Serialize),
        Side::Response => quote!(Debug, Clone, Default, PartialEq),
    };
    syntax::list_attr("derive", traits)
}

/// A field's index in the readers' `match`es.
pub fn field_index(i: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(i)
}

/// `const FIELDS`: the wire names, which the runtime looks keys up in.
pub fn field_lookup(fields: &[Field]) -> syn::ImplItem {
    let mut lookup: syn::ImplItem = syn::parse_quote!(
        const FIELDS: &'static [&'static str] = &[];
    );
    let syn::ImplItem::Const(c) = &mut lookup else {
        unreachable!("a const")
    };
    let names = syntax::array_elems(&mut c.expr);
    names.extend(fields.iter().map(|f| syntax::str_expr(&f.wire)));
    lookup
}

/// Whether a field holds struct `index` boxed (it contains itself).
fn is_boxed(scope: &Scope, index: usize) -> bool {
    scope
        .structs
        .iter()
        .flat_map(|s| &s.fields)
        .any(|f| f.boxed && f.ty == Ty::Struct(index))
}

/// A nested struct with its impls, into `out`.
fn nested_struct(out: &mut FileItems, scope: &Scope, index: usize, s: &Struct, place: String) {
    let name = ident(&s.name);
    let mut lines = description_lines(s.description.as_deref());
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(place);
    out.item(struct_def(scope, &lines, s.side, &s.name, &s.fields));
    let server_impls = server::nested_impls(scope, s, is_boxed(scope, index));
    match s.side {
        Side::Request => {
            out.item(constructors(scope, &name, &s.fields));
            let xml_item = (scope.qimen && s.list_item).then(|| {
                let element = naming::xml_item_name(&s.top_type);
                quote! {
                    impl ::top_runtime::params::XmlItem for #name {
                        const ELEMENT: &'static str = #element;
                    }
                }
            });
            let de = server::deserialize_impl(scope, &name, &s.fields);
            out.tokens(quote! {
                #xml_item
                #de
                #server_impls
            });
        }
        Side::Response => {
            let boxed = is_boxed(scope, index)
                .then(|| quote!(impl ::top_runtime::de::Wire for Box<#name> {}));
            wire_impls(out, &name, &s.fields);
            out.item(server::serialize_impl(scope, &name, &s.fields));
            out.tokens(quote! {
                #boxed
                #server_impls
            });
        }
    }
}

/// A code enum: a variant per listed code, documented with its meaning, and
/// the catch-all; the rest comes from the runtime's `code_enum!`.
fn code_enum(c: &CodeEnum) -> TokenStream {
    let name = ident(&c.name);
    let mut lines = description_lines(c.description.as_deref());
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(format!(
        "The codes of {}; one the documentation does not list decodes to [`{}::{OTHER_VARIANT}`] with its text.",
        code_span(&c.path),
        c.name
    ));
    let doc = docs(&lines);
    let variants: Vec<Ident> = c.variants.iter().map(|v| ident(&v.ident)).collect();
    let other = ident(OTHER_VARIANT);
    let variant_docs = c.variants.iter().map(|v| {
        let meaning: Vec<String> = description_lines(Some(&v.description))
            .into_iter()
            .filter(|l| !l.is_empty())
            .collect();
        let wire = code_span(&v.wire);
        docs(&[match meaning.join(" ") {
            m if m.is_empty() => format!("Wire code {wire}."),
            m => format!("{m} ({wire})"),
        }])
    });
    let codes = c.variants.iter().map(|v| &v.wire);
    let indexes: Vec<_> = (0..c.variants.len())
        .map(proc_macro2::Literal::usize_unsuffixed)
        .collect();
    let last = variants.last();
    let listed = variants[..variants.len().saturating_sub(1)]
        .iter()
        .zip(&indexes)
        .map(|(v, i)| quote!(#i => Self::#v,));
    let number = c.number;
    let from_number = number.then(|| {
        quote! {
            impl From<i64> for #name {
                fn from(code: i64) -> Self {
                    ::top_runtime::code::Code::from_wire_text(code.to_string())
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variants,)*
            /// A code the documentation does not list, as it came on the wire.
            #other(String),
        }
        impl ::top_runtime::code::Code for #name {
            const CODES: &'static [&'static str] = &[#(#codes),*];
            const NUMBER: bool = #number;
            fn listed(index: usize) -> Self {
                match index {
                    #(#listed)*
                    _ => Self::#last,
                }
            }
            fn other(text: String) -> Self {
                Self::#other(text)
            }
            fn index(&self) -> Result<usize, &str> {
                match self {
                    #(Self::#variants => Ok(#indexes),)*
                    Self::#other(text) => Err(text),
                }
            }
        }
        ::top_runtime::code_enum!(#name);
        #from_number
    }
}

/// How a top-level request field goes into `params()`.
fn encode(f: &Field, v: &TokenStream) -> TokenStream {
    let wire = &f.wire;
    if f.is_json() {
        quote!(::top_runtime::params::json(Self::METHOD, #wire, #v)?)
    } else if f.array {
        quote!(::top_runtime::params::joined(#v))
    } else {
        quote!(::top_runtime::params::text(#v))
    }
}

fn request_impl(api: &Api) -> TokenStream {
    let name = ident(&api.request_name);
    let resp = ident(&api.response_name);
    let method = &api.spec.api;
    let (protocol, json_params, params_body, body_fn) = if api.is_qimen() {
        (
            quote!(::top_runtime::Protocol::Qimen),
            Vec::new(),
            quote!(Ok(::top_runtime::Params::default())),
            quote! {
                fn qimen_body(&self) -> Result<Option<String>, ::top_runtime::EncodeError> {
                    ::top_runtime::params::qimen_xml(Self::METHOD, self).map(Some)
                }
            },
        )
    } else {
        let params: Vec<&Field> = api
            .request
            .iter()
            .filter(|f| f.ty != Ty::Scalar(Scalar::File))
            .collect();
        let json: Vec<&str> = params
            .iter()
            .filter(|f| f.is_json())
            .map(|f| f.wire.as_str())
            .collect();
        let body = if params.is_empty() {
            quote!(Ok(::top_runtime::Params::default()))
        } else {
            let pushes = params.iter().map(|f| {
                let n = ident(&f.ident);
                let wire = &f.wire;
                if f.required {
                    let e = encode(f, &quote!(&self.#n));
                    quote!(p.0.push((#wire, #e));)
                } else {
                    let e = encode(f, &quote!(v));
                    quote!(if let Some(v) = &self.#n { p.0.push((#wire, #e)); })
                }
            });
            quote! {
                let mut p = ::top_runtime::Params::default();
                #(#pushes)*
                Ok(p)
            }
        };
        (quote!(::top_runtime::Protocol::Top), json, body, quote!())
    };
    let files: Vec<&Field> = api
        .request
        .iter()
        .filter(|f| f.ty == Ty::Scalar(Scalar::File))
        .collect();
    let files_fn = (!files.is_empty()).then(|| {
        let pushes = files.iter().map(|f| {
            let n = ident(&f.ident);
            let wire = &f.wire;
            if f.required {
                quote!(out.push((#wire, &self.#n));)
            } else {
                quote!(if let Some(v) = &self.#n { out.push((#wire, v)); })
            }
        });
        quote! {
            fn files(&self) -> Vec<(&'static str, &::top_runtime::FileItem)> {
                let mut out = Vec::new();
                #(#pushes)*
                out
            }
        }
    });
    quote! {
        impl ::top_runtime::Request for #name {
            const METHOD: &'static str = #method;
            const PROTOCOL: ::top_runtime::Protocol = #protocol;
            type Response = #resp;
            fn params(&self) -> Result<::top_runtime::Params, ::top_runtime::EncodeError> {
                #params_body
            }
            #files_fn
            #body_fn
        }
        impl ::top_runtime::testing::RequestFixture for #name {
            const JSON_PARAMS: &'static [&'static str] = &[#(#json_params),*];
        }
    }
}

/// The whole module file of one API, formatted, without the header line.
pub fn module(api: &Api) -> Result<String, String> {
    let spec = api.spec;
    let mut mdoc = vec![format!(
        "{} ({})",
        code_span(&spec.api),
        md_escape(&spec.title)
    )];
    let desc = description_lines(Some(&spec.description));
    if !desc.is_empty() && spec.description != spec.api && spec.description != spec.title {
        mdoc.push(String::new());
        mdoc.extend(desc);
    }
    mdoc.push(String::new());
    mdoc.push(format!(
        "Category {}, cargo feature {}.",
        md_escape(&spec.category),
        code_span(&api.feature)
    ));
    let module_doc = inner_docs(&mdoc);

    let req = ident(&api.request_name);
    let resp = ident(&api.response_name);
    let mut rdoc = vec![format!(
        "Request of {} ({}).",
        code_span(&spec.api),
        md_escape(&spec.title)
    )];
    if let Some(d) = &api.request_doc {
        rdoc.push(String::new());
        rdoc.extend(description_lines(Some(d)));
    }
    rdoc.push(String::new());
    rdoc.push(format!("Answered with [`{}`].", api.response_name));
    if api.is_qimen() {
        rdoc.push(String::new());
        rdoc.push("Sent over Qimen: the fields form the XML `<request>` body.".into());
    }
    let scope = &api.scope();
    let shared = shared_uses(api);
    let mut out = FileItems::default();
    out.tokens(quote! {
        #module_doc
        #shared
    });
    out.item(struct_def(
        scope,
        &rdoc,
        Side::Request,
        &api.request_name,
        &api.request,
    ));
    out.item(constructors(scope, &req, &api.request));
    let req_impl = request_impl(api);
    let req_server = server::deserialize_impl(scope, &req, &api.request);
    out.tokens(quote! {
        #req_impl
        #req_server
    });

    let mut pdoc = vec![format!("Answer of {}.", code_span(&spec.api))];
    if let Some(d) = &api.response_doc {
        pdoc.push(String::new());
        pdoc.extend(description_lines(Some(d)));
    }
    out.item(struct_def(
        scope,
        &pdoc,
        Side::Response,
        &api.response_name,
        &api.response,
    ));
    wire_impls(&mut out, &resp, &api.response);
    out.item(server::serialize_impl(scope, &resp, &api.response));
    let nested = api.structs.iter().enumerate();
    for (i, s) in nested.filter(|(_, s)| s.imported.is_none()) {
        nested_struct(&mut out, scope, i, s, place(s));
    }
    let codes = own_codes(api).map(code_enum);
    out.tokens(quote!(#(#codes)*));
    out.format()
}

/// Where a struct of an API module comes from, for its docs.
fn place(s: &Struct) -> String {
    format!(
        "TOP type {}, at {}.",
        code_span(&s.top_type),
        code_span(&s.path)
    )
}

/// The code enums the API's module defines: those its own fields use.
fn own_codes<'a>(api: &'a Api) -> impl Iterator<Item = &'a CodeEnum> {
    let own = api.structs.iter().filter(|s| s.imported.is_none());
    let fields = own
        .flat_map(|s| &s.fields)
        .chain(&api.request)
        .chain(&api.response);
    let used: std::collections::BTreeSet<usize> = fields.filter_map(|f| f.code).collect();
    api.codes
        .iter()
        .enumerate()
        .filter(move |(i, c)| c.imported.is_none() && used.contains(i))
        .map(|(_, c)| c)
}

/// `pub use crate::types::{…};`: the shared types the API reaches, at the
/// module's path as well, each under its name in the API's tables.
fn shared_uses(api: &Api) -> TokenStream {
    let structs = api.structs.iter().map(|s| (&s.name, &s.imported));
    let codes = api.codes.iter().map(|c| (&c.name, &c.imported));
    let mut uses: Vec<(&String, &String)> = structs
        .chain(codes)
        .filter_map(|(name, path)| Some((path.as_ref()?, name)))
        .collect();
    if uses.is_empty() {
        return quote!();
    }
    uses.sort();
    uses.dedup();
    let uses = uses.into_iter().map(|(path, name)| {
        let shared = naming::split_shared_path(path).1;
        let path = path.split("::").map(ident);
        if shared == name {
            quote!(#(#path)::*)
        } else {
            let alias = ident(name);
            quote!(#(#path)::* as #alias)
        }
    });
    let types = ident(naming::TYPES_MODULE);
    quote!(pub use crate::#types::{#(#uses),*};)
}

/// The head of the crate's `types` module, or of its request-side
/// `types::param`: its docs, and `param`'s declaration.
pub fn types_head(feature: &str, request: bool, has_params: bool) -> Result<String, String> {
    let krate = naming::crate_ident(&naming::category_crate(feature));
    let doc = if request {
        vec![
            "The request-side TOP types of the category's APIs: one Rust type each, \
             whichever APIs send it."
                .to_string(),
            String::new(),
            "An API module re-exports the ones it uses, under the names its own document gives \
             them."
                .to_string(),
        ]
    } else {
        let params = if has_params {
            format!(" Request-side types are in [`{}`].", naming::PARAM_MODULE)
        } else {
            String::new()
        };
        vec![
            "The TOP types of the category's APIs: one Rust type each, whichever APIs use it."
                .to_string(),
            String::new(),
            format!(
                "Every API module re-exports the ones it uses, so `top_api::<group>::<module>::<Type>` \
                 names the same type as `{krate}::types::<Type>`.{params}"
            ),
        ]
    };
    let docs = inner_docs(&doc);
    let param = ident(naming::PARAM_MODULE);
    let module = (has_params && !request).then(|| quote!(pub mod #param;));
    format_file(quote! {
        #docs
        #module
    })
}

/// All that writing shared struct `index` reads: the struct with its code
/// enums (by their digest, [`share::Plan::digests`]), the names of the
/// structs its fields hold, whether a field holds it boxed, and its users
/// and other names. The cache keys the item on it.
///
/// [`share::Plan::digests`]: super::share::Plan::digests
#[derive(Debug, serde::Serialize)]
pub struct SharedItem<'a> {
    pub content: [u8; 32],
    pub holds: Vec<&'a str>,
    pub boxed: bool,
    pub users: &'a [String],
    pub merged: &'a [String],
}

impl<'a> SharedItem<'a> {
    pub fn of(types: &'a Types, index: usize, content: [u8; 32]) -> Self {
        let s = &types.structs[index];
        let holds = s.fields.iter().filter_map(|f| match f.ty {
            Ty::Struct(j) => Some(types.structs[j].name.as_str()),
            Ty::Scalar(_) => None,
        });
        SharedItem {
            content,
            holds: holds.collect(),
            boxed: is_boxed(&types.scope(index), index),
            users: &types.users[index],
            merged: &types.merged[index],
        }
    }
}

/// Shared struct `index` of a `types` module with its code enums,
/// formatted: the module is its head and its items, a blank line apart.
pub fn shared_item(types: &Types, index: usize) -> Result<String, String> {
    let s = &types.structs[index];
    let place = shared_place(s, &types.merged[index], &types.users[index]);
    let mut out = FileItems::default();
    nested_struct(&mut out, &types.scope(index), index, s, place);
    let codes = types.codes_of(index).map(code_enum);
    out.tokens(quote!(#(#codes)*));
    out.format()
}

/// Where a shared struct comes from, for its docs: its TOP type and the
/// APIs that use it.
fn shared_place(s: &Struct, merged: &[String], users: &[String]) -> String {
    let apis: Vec<String> = users.iter().map(|a| code_span(a)).collect();
    let also: Vec<String> = merged.iter().map(|t| code_span(t)).collect();
    let also = if also.is_empty() {
        String::new()
    } else {
        format!(" (also named {})", also.join(", "))
    };
    format!(
        "TOP type {}{also}, used by {}.",
        code_span(&s.top_type),
        apis.join(", ")
    )
}

pub fn format_file(tokens: TokenStream) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(format_text(&file))
}

/// A file laid out by prettyplease, its top-level items a blank line apart.
pub fn format_text(file: &syn::File) -> String {
    space_items(&prettyplease::unparse(file))
}

/// prettyplease puts top-level items back to back; a blank line between them
/// reads better. Raw string constants are left exactly as they are.
fn space_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut prev = "";
    let mut in_raw: Option<String> = None;
    for line in code.lines() {
        if let Some(close) = &in_raw {
            if line.ends_with(close.as_str()) {
                in_raw = None;
            }
        } else {
            let item_start = !line.starts_with([' ', '}', ')', ']']) && !line.is_empty();
            let after_item = prev == "}"
                || prev.ends_with(';')
                || (prev.starts_with("//!") && !line.starts_with("//!"));
            let attached =
                prev.starts_with("///") || prev.starts_with("#[") || prev.starts_with("#![");
            if item_start && after_item && !attached && !prev.starts_with(' ') {
                out.push('\n');
            }
            if let Some(at) = line.find(" = r#") {
                let hashes: String = line[at + 4..].chars().take_while(|c| *c == '#').collect();
                let close = format!("\"{hashes};");
                if !line[at..].ends_with(&close) || line.len() - at < 6 + 2 * hashes.len() {
                    in_raw = Some(close);
                }
            }
        }
        out.push_str(line);
        out.push('\n');
        prev = line;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_keep_their_text() {
        for text in [
            "",
            "订单 \"x\" \\ y",
            "a\tb\r\n\0c",
            "\u{200b}\u{301}é",
            "r#\"#",
        ] {
            let lit = str_literal(text);
            let parsed: syn::LitStr = syn::parse2(quote!(#lit)).unwrap();
            assert_eq!(parsed.value(), text, "{lit}");
        }
        assert_eq!(str_literal("示例 <&>").to_string(), "\"示例 <&>\"");
    }

    #[test]
    fn docs_drop_control_characters() {
        let tokens = docs(&["配送费\0分摊\u{8}".into(), "a\tb".into(), String::new()]);
        let text = format_file(quote!(#tokens pub struct S;)).unwrap();
        assert_eq!(text, "/// 配送费分摊\n/// a\tb\n///\npub struct S;\n");
    }
}

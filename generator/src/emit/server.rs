//! The receiving side of Qimen APIs, behind each category crate's `server`
//! feature: request types decode from the XML `<request>` the gateway
//! sends, response types encode as the `<response>` it expects
//! (`top_runtime::qimen::server`).
//!
//! Everything here is attributes and impls under `cfg(feature = "server")`
//! beside what [`super::code`] emits, and nothing for APIs that are not
//! Qimen, so the default build of a crate is the same code as without it.
//! Requests decode through serde's derive with the runtime's readers for
//! each field (`de::required`, `de::option`, `de::list`, `de::list_option`),
//! so ids, decimals, code enums and wrapped or bare lists follow the rules
//! answers are read with; responses encode through serde's derive with
//! lists wrapped by their item name, as requests are written.

use proc_macro2::TokenStream;
use quote::quote;

use super::code::ident;
use super::space::{Field, Scope, Side, Struct};
use crate::naming;

/// The cargo feature of every category crate (and of the facade) that turns
/// the receiving side on.
pub const FEATURE: &str = "server";

/// The cargo feature of every category crate (and of the facade) that
/// gives every response type `serde::Serialize` under its wire names, to
/// store or forward an answer as JSON. A Qimen API's response types
/// serialize as the receiving side writes them (lists wrapped by their item
/// name), under either feature.
pub const SERDE_FEATURE: &str = "serde";

/// The cfg under which response types of a Qimen API (`qimen`) or of a TOP
/// API serialize.
fn serialize_cfg(qimen: bool) -> TokenStream {
    if qimen {
        quote!(any(feature = #FEATURE, feature = #SERDE_FEATURE))
    } else {
        quote!(feature = #SERDE_FEATURE)
    }
}

/// `#[cfg_attr(feature = "server", …)]` around `inner`.
fn when_on(inner: TokenStream) -> TokenStream {
    quote!(#[cfg_attr(feature = #FEATURE, #inner)])
}

/// `#[cfg(feature = "server")]`.
fn only_on() -> TokenStream {
    quote!(#[cfg(feature = #FEATURE)])
}

/// The derive a struct of `side` gains: a Qimen request `Deserialize`
/// under `server`, every response `Serialize` (see `serialize_cfg`).
pub fn derive(scope: &Scope, side: Side) -> TokenStream {
    match side {
        Side::Request if scope.qimen => when_on(quote!(derive(::serde::Deserialize))),
        Side::Request => quote!(),
        Side::Response => {
            let cfg = serialize_cfg(scope.qimen);
            quote!(#[cfg_attr(#cfg, derive(::serde::Serialize))])
        }
    }
}

/// The reading of a request field: required ones must be there and not
/// empty, optional ones default to `None`.
pub fn request_field(scope: &Scope, f: &Field) -> TokenStream {
    if !scope.qimen {
        return quote!();
    }
    let (default, with) = match (f.required, f.array) {
        (true, false) => (false, "::top_runtime::de::required"),
        (true, true) => (false, "::top_runtime::de::list"),
        (false, false) => (true, "::top_runtime::de::option"),
        (false, true) => (true, "::top_runtime::de::list_option"),
    };
    let default = default.then(|| quote!(default,));
    when_on(quote!(serde(#default deserialize_with = #with)))
}

/// The writing of a response field: under its wire name, left out when
/// empty; in a Qimen API a list wrapped by its item name.
pub fn response_field(scope: &Scope, f: &Field) -> TokenStream {
    let wire = &f.wire;
    let rename = (f.ident != f.wire).then(|| quote!(rename = #wire,));
    let rest = match (f.array, scope.qimen) {
        (true, true) => quote!(
            skip_serializing_if = "::std::vec::Vec::is_empty",
            serialize_with = "::top_runtime::params::xml_items"
        ),
        (true, false) => quote!(skip_serializing_if = "::std::vec::Vec::is_empty"),
        (false, _) => quote!(skip_serializing_if = "::std::option::Option::is_none"),
    };
    let cfg = serialize_cfg(scope.qimen);
    quote!(#[cfg_attr(#cfg, serde(#rename #rest))])
}

/// The impls a nested struct needs: a request struct is read as a field
/// ([`Wire`], boxed too when it contains itself); a response struct used as
/// a list item names its element.
///
/// [`Wire`]: https://docs.rs/top-runtime/latest/top_runtime/de/trait.Wire.html
pub fn nested_impls(scope: &Scope, s: &Struct, boxed: bool) -> TokenStream {
    if !scope.qimen {
        return quote!();
    }
    let name = ident(&s.name);
    let cfg = only_on();
    match s.side {
        Side::Request => {
            let boxed = boxed.then(|| {
                quote! {
                    #cfg
                    impl ::top_runtime::de::Wire for ::std::boxed::Box<#name> {}
                }
            });
            quote! {
                #cfg
                impl ::top_runtime::de::Wire for #name {}
                #boxed
            }
        }
        Side::Response if s.list_item => {
            let element = naming::xml_item_name(&s.top_type);
            let cfg = serialize_cfg(true);
            quote! {
                #[cfg(#cfg)]
                impl ::top_runtime::params::XmlItem for #name {
                    const ELEMENT: &'static str = #element;
                }
            }
        }
        Side::Response => quote!(),
    }
}

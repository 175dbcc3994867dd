//! The receiving side of Qimen APIs, behind each category crate's `server`
//! feature: request types decode from the XML `<request>` the gateway
//! sends, response types encode as the `<response>` it expects
//! (`top_runtime::qimen::server`).
//!
//! Everything here is attributes and impls under `cfg(feature = "server")`
//! beside what [`super::code`] emits, and nothing for APIs that are not
//! Qimen, so the default build of a crate is the same code as without it.
//! Requests decode through the runtime's request reader, a reader for each
//! field's kind (after `de::required`, `de::option`, `de::list`,
//! `de::list_option`), so ids, decimals, code enums and wrapped or bare
//! lists follow the rules answers are read with; responses encode through
//! [`serialize_impl`] with lists wrapped by their item name, as requests
//! are written.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::code::{declared_type, field_index, field_lookup, ident};
use super::space::{Field, Scope, Side, Struct};
use super::syntax;
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

/// `#[cfg(feature = "server")]`.
fn only_on() -> TokenStream {
    quote!(#[cfg(feature = #FEATURE)])
}

/// `Deserialize` of a Qimen request struct under `server`, through the
/// runtime's request reader (`top_runtime::de::WireRequest`): a slot per
/// field, read by its kind, the required ones checked at the end. A list of
/// wire names and two `match`es per type, where serde's derive with a
/// reader per field made the `server` build of a Qimen crate three times as
/// long.
pub fn deserialize_impl(scope: &Scope, name: &Ident, fields: &[Field]) -> TokenStream {
    if !scope.qimen {
        return quote!();
    }
    let slots = fields.iter().map(|f| {
        let ty = declared_type(scope, Side::Request, f);
        quote!(Option<#ty>)
    });
    let empty = fields.iter().map(|_| quote!(None));
    let lookup = field_lookup(fields);
    let reads = fields.iter().enumerate().map(|(i, f)| {
        let read = ident(match (f.required, f.array) {
            (true, false) => "read_required",
            (true, true) => "read_list",
            (false, false) => "read_option",
            (false, true) => "read_list_option",
        });
        let (wire, i) = (&f.wire, field_index(i));
        quote!(#i => ::top_runtime::de::#read(map, &mut slots.#i, #wire))
    });
    let values = fields.iter().enumerate().map(|(i, f)| {
        let (wire, field, i) = (&f.wire, ident(&f.ident), field_index(i));
        if f.required {
            quote!(#field: ::top_runtime::de::need(slots.#i, #wire)?)
        } else {
            quote!(#field: Option::flatten(slots.#i))
        }
    });
    let cfg = only_on();
    quote! {
        #cfg
        impl ::top_runtime::de::WireRequest for #name {
            type Slots = (#(#slots,)*);
            fn slots() -> Self::Slots {
                (#(#empty,)*)
            }
            #lookup
            fn read<'de, A: ::serde::de::MapAccess<'de>>(
                slots: &mut Self::Slots,
                index: usize,
                map: &mut A,
            ) -> Result<(), A::Error> {
                match index {
                    #(#reads,)*
                    _ => ::top_runtime::de::skip(map),
                }
            }
            fn finish<E: ::serde::de::Error>(
                slots: Self::Slots,
            ) -> Result<Self, E> {
                Ok(Self { #(#values,)* })
            }
        }
        #cfg
        ::top_runtime::wire_request!(#name);
    }
}

/// `serde::Serialize` of a response struct (under `serialize_cfg`) through
/// the runtime's one writer, `top_runtime::ser::fields`: each field under
/// its wire name, left out when absent, a Qimen list wrapped by its item
/// name. A small impl per type, where serde's derive made `cargo check`
/// of the corpus half as long again.
pub fn serialize_impl(scope: &Scope, name: &Ident, fields: &[Field]) -> syn::Item {
    let cfg = serialize_cfg(scope.qimen);
    let label = name.to_string();
    let mut imp: syn::ItemImpl = syn::parse_quote! {
        #[cfg(#cfg)]
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                ::top_runtime::ser::fields(serializer, #label, &[])
            }
        }
    };
    let entries = fields.iter().map(|f| {
        let value = syntax::self_field(&f.ident);
        let value = if scope.qimen && f.array {
            let items = syntax::call(
                "::top_runtime::ser::XmlItems",
                [syntax::reference(false, value)],
            );
            syntax::reference(false, items)
        } else {
            syntax::reference(false, value)
        };
        syntax::tuple([syntax::str_expr(&f.wire), value])
    });
    let syn::Expr::Call(call) = syntax::impl_expr(&mut imp, 0) else {
        unreachable!("`serialize` is a call")
    };
    let last = call.args.last_mut().expect("the call has its list last");
    syntax::array_elems(last).extend(entries);
    syn::Item::Impl(imp)
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
                    impl ::top_runtime::de::Wire for Box<#name> {}
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

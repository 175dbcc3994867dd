//! `syn` nodes built directly for the parts of a file that repeat for every
//! field (struct definitions, the readers' arms and the writers' entries,
//! setters, schema samples), and a file assembled from them and from
//! `quote!` tokens. Parsing `quote!` tokens back into `syn` was most of a
//! regen's time; these parts skip the round trip, and prettyplease prints
//! the same text either way.

use proc_macro2::{Literal, TokenStream};
use syn::punctuated::Punctuated;
use syn::token::{Brace, Bracket, Paren};
use syn::{
    AttrStyle, Attribute, Expr, ExprLit, Field, FieldMutability, Fields, FieldsNamed, Generics,
    Item, ItemStruct, Lit, MacroDelimiter, Meta, MetaList, MetaNameValue, Path, PathArguments,
    PathSegment, Type, TypePath, Visibility,
};

use super::code::{format_text, ident};

/// A file's items in order: some built as `syn` items, the rest as tokens
/// parsed when the file is formatted.
#[derive(Default)]
pub struct FileItems {
    pieces: Vec<Piece>,
}

enum Piece {
    Tokens(TokenStream),
    Item(Box<Item>),
}

impl FileItems {
    pub fn tokens(&mut self, tokens: TokenStream) {
        match self.pieces.last_mut() {
            Some(Piece::Tokens(last)) => last.extend(tokens),
            _ => self.pieces.push(Piece::Tokens(tokens)),
        }
    }

    pub fn item(&mut self, item: Item) {
        self.pieces.push(Piece::Item(Box::new(item)));
    }

    pub fn append(&mut self, other: FileItems) {
        for piece in other.pieces {
            match piece {
                Piece::Tokens(tokens) => self.tokens(tokens),
                Piece::Item(item) => self.pieces.push(Piece::Item(item)),
            }
        }
    }

    /// The file formatted by prettyplease; the tokens' inner attributes
    /// (a module's `#![doc]`) become the file's.
    pub fn format(self) -> Result<String, String> {
        let mut file = syn::File {
            shebang: None,
            attrs: Vec::new(),
            items: Vec::new(),
        };
        for piece in self.pieces {
            match piece {
                Piece::Tokens(tokens) => {
                    let part: syn::File = syn::parse2(tokens)
                        .map_err(|e| format!("generated code does not parse: {e}"))?;
                    file.attrs.extend(part.attrs);
                    file.items.extend(part.items);
                }
                Piece::Item(item) => file.items.push(*item),
            }
        }
        Ok(format_text(&file))
    }
}

fn path(segments: &str) -> Path {
    let leading = segments.starts_with("::");
    let mut out = Path {
        leading_colon: leading.then(Default::default),
        segments: Punctuated::new(),
    };
    for s in segments.trim_start_matches("::").split("::") {
        out.segments.push(PathSegment::from(ident(s)));
    }
    out
}

/// `#[name = literal]`.
fn name_value(style: AttrStyle, name: &str, value: Literal) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style,
        bracket_token: Bracket::default(),
        meta: Meta::NameValue(MetaNameValue {
            path: path(name),
            eq_token: Default::default(),
            value: Expr::Lit(ExprLit {
                attrs: Vec::new(),
                lit: Lit::new(value),
            }),
        }),
    }
}

/// `#[doc = " line"]` for each doc line (see [`super::code::docs`]).
pub fn doc_attrs(lines: &[String]) -> Vec<Attribute> {
    lines
        .iter()
        .map(|l| name_value(AttrStyle::Outer, "doc", super::code::doc_line(l)))
        .collect()
}

/// `#[name(tokens)]`, its tokens kept as they are, as `syn` keeps them.
pub fn list_attr(name: &str, tokens: TokenStream) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style: AttrStyle::Outer,
        bracket_token: Bracket::default(),
        meta: Meta::List(MetaList {
            path: path(name),
            delimiter: MacroDelimiter::Paren(Paren::default()),
            tokens,
        }),
    }
}

/// `#[name]`.
pub fn path_attr(name: &str) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style: AttrStyle::Outer,
        bracket_token: Bracket::default(),
        meta: Meta::Path(path(name)),
    }
}

/// A type by its path: `String`, `::top_runtime::Decimal`; one with
/// generic arguments (rare: a map) is parsed.
pub fn path_type(text: &str) -> Type {
    if text.contains('<') {
        return syn::parse_str(text).expect("the table's Rust types are valid types");
    }
    Type::Path(TypePath {
        qself: None,
        path: path(text),
    })
}

/// `outer<inner>`: `Option<T>`, `Vec<T>`, `Box<T>`.
pub fn generic_type(outer: &str, inner: Type) -> Type {
    let mut segment = PathSegment::from(ident(outer));
    let mut args = Punctuated::new();
    args.push(syn::GenericArgument::Type(inner));
    segment.arguments = PathArguments::AngleBracketed(syn::AngleBracketedGenericArguments {
        colon2_token: None,
        lt_token: Default::default(),
        args,
        gt_token: Default::default(),
    });
    let mut path = Path {
        leading_colon: None,
        segments: Punctuated::new(),
    };
    path.segments.push(segment);
    Type::Path(TypePath { qself: None, path })
}

/// `#attrs pub name: ty`.
pub fn pub_field(attrs: Vec<Attribute>, name: &str, ty: Type) -> Field {
    Field {
        attrs,
        vis: Visibility::Public(Default::default()),
        mutability: FieldMutability::None,
        ident: Some(ident(name)),
        colon_token: Some(Default::default()),
        ty,
    }
}

/// `#attrs pub struct name { fields }`.
pub fn pub_struct(attrs: Vec<Attribute>, name: &str, fields: Vec<Field>) -> Item {
    let mut named = Punctuated::new();
    for f in fields {
        named.push_value(f);
        named.push_punct(Default::default());
    }
    Item::Struct(ItemStruct {
        attrs,
        vis: Visibility::Public(Default::default()),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Generics::default(),
        fields: Fields::Named(FieldsNamed {
            brace_token: Brace::default(),
            named,
        }),
        semi_token: None,
    })
}

/// `"text"`.
pub fn str_expr(text: &str) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit: Lit::new(super::code::str_literal(text)),
    })
}

/// A path as an expression: `map`, `self`, `::top_runtime::de::skip`.
pub fn path_expr(text: &str) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: path(text),
    })
}

/// `self.name`.
pub fn self_field(name: &str) -> Expr {
    field_of("self", name)
}

/// `base.name`.
pub fn field_of(base: &str, name: &str) -> Expr {
    Expr::Field(syn::ExprField {
        attrs: Vec::new(),
        base: Box::new(path_expr(base)),
        dot_token: Default::default(),
        member: syn::Member::Named(ident(name)),
    })
}

/// A literal: a number, `true`.
pub fn lit_expr(lit: Lit) -> Expr {
    Expr::Lit(ExprLit {
        attrs: Vec::new(),
        lit,
    })
}

/// `[elems…]`.
pub fn array(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Array(syn::ExprArray {
        attrs: Vec::new(),
        bracket_token: Bracket::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `let mut name = init;`.
pub fn let_mut(name: &str, init: Expr) -> syn::Stmt {
    syn::Stmt::Local(syn::Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat: syn::Pat::Ident(syn::PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: Some(Default::default()),
            ident: ident(name),
            subpat: None,
        }),
        init: Some(syn::LocalInit {
            eq_token: Default::default(),
            expr: Box::new(init),
            diverge: None,
        }),
        semi_token: Default::default(),
    })
}

/// `left = right;`.
pub fn assign(left: Expr, right: Expr) -> syn::Stmt {
    let expr = Expr::Assign(syn::ExprAssign {
        attrs: Vec::new(),
        left: Box::new(left),
        eq_token: Default::default(),
        right: Box::new(right),
    });
    syn::Stmt::Expr(expr, Some(Default::default()))
}

/// `{ stmts… }` as an expression.
pub fn block(stmts: Vec<syn::Stmt>) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: syn::Block {
            brace_token: Brace::default(),
            stmts,
        },
    })
}

/// `&expr`, or `&mut expr`.
pub fn reference(mutable: bool, expr: Expr) -> Expr {
    Expr::Reference(syn::ExprReference {
        attrs: Vec::new(),
        and_token: Default::default(),
        mutability: mutable.then(Default::default),
        expr: Box::new(expr),
    })
}

/// `func(args…)`.
pub fn call(func: &str, args: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Call(syn::ExprCall {
        attrs: Vec::new(),
        func: Box::new(path_expr(func)),
        paren_token: Paren::default(),
        args: args.into_iter().collect(),
    })
}

/// `(elems…)`.
pub fn tuple(elems: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Tuple(syn::ExprTuple {
        attrs: Vec::new(),
        paren_token: Paren::default(),
        elems: elems.into_iter().collect(),
    })
}

/// `index => body,` (a literal pattern, as the readers' `match`es have).
pub fn index_arm(index: usize, body: Expr) -> syn::Arm {
    syn::Arm {
        attrs: Vec::new(),
        pat: syn::Pat::Lit(ExprLit {
            attrs: Vec::new(),
            lit: Lit::new(super::code::field_index(index)),
        }),
        guard: None,
        fat_arrow_token: Default::default(),
        body: Box::new(body),
        comma: Some(Default::default()),
    }
}

/// The elements of the array of a template's `&[]` (or `[]`).
pub fn array_elems(expr: &mut Expr) -> &mut Punctuated<Expr, syn::Token![,]> {
    match expr {
        Expr::Reference(r) => array_elems(&mut r.expr),
        Expr::Array(a) => &mut a.elems,
        _ => unreachable!("the template has `&[]` here"),
    }
}

/// The value expression of item `index` of an impl template, a `const`'s
/// or a one-expression `fn` body's.
pub fn impl_expr(imp: &mut syn::ItemImpl, index: usize) -> &mut Expr {
    match &mut imp.items[index] {
        syn::ImplItem::Const(c) => &mut c.expr,
        syn::ImplItem::Fn(f) => match f.block.stmts.last_mut() {
            Some(syn::Stmt::Expr(e, None)) => e,
            _ => unreachable!("the template's fn ends in an expression"),
        },
        _ => unreachable!("the template has a const or fn here"),
    }
}

/// `receiver.method()`.
pub fn method_call(receiver: Expr, method: &str) -> Expr {
    Expr::MethodCall(syn::ExprMethodCall {
        attrs: Vec::new(),
        receiver: Box::new(receiver),
        dot_token: Default::default(),
        method: ident(method),
        turbofish: None,
        paren_token: Paren::default(),
        args: Punctuated::new(),
    })
}

/// `impl Trait<arg>`: `impl Into<String>`.
pub fn impl_generic(trait_name: &str, arg: Type) -> Type {
    let Type::Path(bound) = generic_type(trait_name, arg) else {
        unreachable!("a path type")
    };
    let mut bounds = Punctuated::new();
    bounds.push(syn::TypeParamBound::Trait(syn::TraitBound {
        paren_token: None,
        modifier: syn::TraitBoundModifier::None,
        lifetimes: None,
        path: bound.path,
    }));
    Type::ImplTrait(syn::TypeImplTrait {
        impl_token: Default::default(),
        bounds,
    })
}

/// `#attrs pub fn name(mut self, param: ty) -> Self { stmts }`.
pub fn by_value_method(
    attrs: Vec<Attribute>,
    name: proc_macro2::Ident,
    (param, ty): (&str, Type),
    stmts: Vec<syn::Stmt>,
) -> syn::ImplItem {
    let receiver = syn::FnArg::Receiver(syn::Receiver {
        attrs: Vec::new(),
        reference: None,
        mutability: Some(Default::default()),
        self_token: Default::default(),
        colon_token: None,
        ty: Box::new(path_type("Self")),
    });
    let param = syn::FnArg::Typed(syn::PatType {
        attrs: Vec::new(),
        pat: Box::new(syn::Pat::Ident(syn::PatIdent {
            attrs: Vec::new(),
            by_ref: None,
            mutability: None,
            ident: ident(param),
            subpat: None,
        })),
        colon_token: Default::default(),
        ty: Box::new(ty),
    });
    syn::ImplItem::Fn(syn::ImplItemFn {
        attrs,
        vis: Visibility::Public(Default::default()),
        defaultness: None,
        sig: syn::Signature {
            constness: None,
            asyncness: None,
            unsafety: None,
            abi: None,
            fn_token: Default::default(),
            ident: name,
            generics: Generics::default(),
            paren_token: Paren::default(),
            inputs: [receiver, param].into_iter().collect(),
            variadic: None,
            output: syn::ReturnType::Type(Default::default(), Box::new(path_type("Self"))),
        },
        block: syn::Block {
            brace_token: Brace::default(),
            stmts,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn printed(items: Vec<Item>) -> String {
        let file = syn::File {
            shebang: None,
            attrs: Vec::new(),
            items,
        };
        prettyplease::unparse(&file)
    }

    fn parsed(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).unwrap())
    }

    #[test]
    fn built_nodes_print_as_their_source() {
        let mut attrs = doc_attrs(&["订单 \"号\"".into(), String::new()]);
        attrs.push(list_attr("derive", quote!(Debug, Clone)));
        attrs.push(path_attr("non_exhaustive"));
        let list = generic_type("Vec", path_type("::top_runtime::Decimal"));
        let fields = vec![
            pub_field(Vec::new(), "tid", generic_type("Option", path_type("i64"))),
            pub_field(doc_attrs(&["x".into()]), "fees", list),
        ];
        let item = pub_struct(attrs, "Trade", fields);
        let method = by_value_method(
            vec![path_attr("must_use")],
            ident("with_title"),
            ("title", impl_generic("Into", path_type("String"))),
            vec![
                assign(
                    self_field("title"),
                    call("Some", [method_call(path_expr("title"), "into")]),
                ),
                syn::Stmt::Expr(path_expr("self"), None),
            ],
        );
        let mut imp: syn::ItemImpl = syn::parse_quote!(impl Trade { const NAMES: &[&str] = &[]; });
        array_elems(impl_expr(&mut imp, 0)).extend([str_expr("a"), str_expr("b")]);
        imp.items.push(method);
        let sample = block(vec![
            let_mut("v", call("api::Trade::default", [])),
            assign(
                field_of("v", "fees"),
                call("list", [array([str_expr("1.5")])]),
            ),
            syn::Stmt::Expr(path_expr("v"), None),
        ]);
        let sample_fn: syn::ItemFn = syn::parse_quote!(fn sample() -> api::Trade { #sample });
        let built = printed(vec![item, Item::Impl(imp), Item::Fn(sample_fn)]);
        let source = parsed(quote! {
            /// 订单 "号"
            ///
            #[derive(Debug, Clone)]
            #[non_exhaustive]
            pub struct Trade {
                pub tid: Option<i64>,
                /// x
                pub fees: Vec<::top_runtime::Decimal>,
            }
            impl Trade {
                const NAMES: &[&str] = &["a", "b"];
                #[must_use]
                pub fn with_title(mut self, title: impl Into<String>) -> Self {
                    self.title = Some(title.into());
                    self
                }
            }
            fn sample() -> api::Trade {
                {
                    let mut v = api::Trade::default();
                    v.fees = list(["1.5"]);
                    v
                }
            }
        });
        assert_eq!(built, source);
    }

    #[test]
    fn a_file_keeps_the_order_of_its_pieces() {
        let mut out = FileItems::default();
        out.tokens(quote!(#![doc = " m"] use a::b;));
        let field = pub_field(Vec::new(), "a", path_type("u8"));
        out.item(pub_struct(Vec::new(), "S", vec![field]));
        let mut more = FileItems::default();
        more.tokens(quote!(
            const C: u8 = 1;
        ));
        out.append(more);
        let text = out.format().unwrap();
        assert_eq!(
            text,
            "//! m\n\nuse a::b;\n\npub struct S {\n    pub a: u8,\n}\n\nconst C: u8 = 1;\n"
        );
    }
}

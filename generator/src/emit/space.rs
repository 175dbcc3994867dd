//! The type space: every parameter of a spec resolved to a Rust type, every
//! struct named, before any token is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::family::Family;
use crate::diag::{Error, Kind, Warning};
use crate::naming::{self, Namer};
pub use crate::spec::Side;
use crate::spec::{Param, Protocol, Spec};
pub use crate::types::Scalar;
use crate::types::{self, Codes, leaf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Ty {
    Scalar(Scalar),
    /// Index into the struct table of its scope ([`Api::structs`],
    /// [`Types::structs`]).
    Struct(usize),
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Field {
    pub wire: String,
    pub ident: String,
    pub ty: Ty,
    pub array: bool,
    /// `Box`ed: the field refers back to a struct that contains it.
    pub boxed: bool,
    pub required: bool,
    pub description: Option<String>,
    pub example: Option<String>,
    /// Index into the code table of its scope: the field's type is that
    /// code enum (the scalar in `ty` says how its codes travel).
    pub code: Option<usize>,
}

impl Field {
    /// Travels as a JSON string: structs, maps and JSON values.
    pub fn is_json(&self) -> bool {
        matches!(
            self.ty,
            Ty::Struct(_) | Ty::Scalar(Scalar::Map | Scalar::Json)
        )
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Struct {
    pub name: String,
    pub top_type: String,
    pub side: Side,
    pub description: Option<String>,
    /// Field path of the first occurrence, `response.result.order_items`.
    pub path: String,
    pub fields: Vec<Field>,
    /// Used as a list item (Qimen XML wraps such lists by item name).
    pub list_item: bool,
    /// Of an API sent over Qimen: its lists travel as XML.
    pub qimen: bool,
    /// Shared: defined in the crate's `types` module at this path
    /// (`Trade`, `param::TradeQuery`, [`naming::shared_path`]); the API's
    /// module re-exports it as `name`.
    pub imported: Option<String>,
}

/// A code enum: a `String` or `Number` field whose spec lists its `values`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeEnum {
    pub name: String,
    /// Wire name of the (first) field it types.
    pub field: String,
    /// The codes are integers sent as numbers (a TOP `Number` field).
    pub number: bool,
    /// Field path of the field, `response.trade.status`.
    pub path: String,
    pub description: Option<String>,
    pub variants: Vec<Variant>,
    /// Shared: its path in the crate's `types` module (see [`Struct::imported`]).
    pub imported: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Variant {
    pub ident: String,
    /// The code exactly as on the wire.
    pub wire: String,
    pub description: String,
}

/// All that resolving an API reads: its spec, the spec file that messages
/// name, and the cargo feature of its category. The cache keys an API's
/// module file on the whole of it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiInput<'a> {
    pub spec: SpecRef<'a>,
    pub file: PathBuf,
    pub feature: String,
}

impl<'a> ApiInput<'a> {
    pub fn new(spec: SpecRef<'a>, file: &Path, family: &Family) -> Self {
        ApiInput {
            feature: family.feature(&spec.spec.category),
            spec,
            file: file.to_path_buf(),
        }
    }

    /// What the crate files need of the API: all there is of an API whose
    /// module file came from the cache.
    pub fn head(&self, uses_json: bool) -> Head<'a> {
        let spec = self.spec.spec;
        let (group, module) = naming::module_path(&spec.api);
        Head {
            api: &spec.api,
            title: &spec.title,
            category: &spec.category,
            group,
            module,
            feature: self.feature.clone(),
            uses_json,
            qimen: spec.protocol == Protocol::Qimen,
        }
    }
}

/// A spec as part of a step's input: keyed by the digest of its file when
/// the caller has one ([`crate::cache::digest`] of the YAML written for it,
/// which says all the spec does), else by the spec itself.
#[derive(Debug, Clone, Copy)]
pub struct SpecRef<'a> {
    pub spec: &'a Spec,
    pub digest: Option<[u8; 32]>,
}

impl<'a> From<&'a Spec> for SpecRef<'a> {
    fn from(spec: &'a Spec) -> Self {
        SpecRef { spec, digest: None }
    }
}

impl serde::Serialize for SpecRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.digest {
            Some(d) => s.serialize_newtype_variant("SpecRef", 0, "Digest", d),
            None => s.serialize_newtype_variant("SpecRef", 1, "Spec", self.spec),
        }
    }
}

/// An API's place in the family and the names the crate files show: all
/// the crate files read of an API, so the cache keys them on these alone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head<'a> {
    pub api: &'a str,
    pub title: &'a str,
    pub category: &'a str,
    pub group: String,
    pub module: String,
    pub feature: String,
    /// The module file names `serde_json`: its crate depends on it.
    pub uses_json: bool,
    /// Sent over Qimen: its crate has the receiving side's feature.
    pub qimen: bool,
}

impl Head<'_> {
    /// The module file, relative to the output root.
    pub fn module_file(&self) -> String {
        crate::layout::module_file(&self.feature, &self.group, &self.module)
    }
}

/// One API, resolved.
#[derive(Debug, Clone)]
pub struct Api<'a> {
    pub spec: &'a Spec,
    /// The spec file, for messages.
    pub file: PathBuf,
    pub group: String,
    pub module: String,
    pub feature: String,
    pub request_name: String,
    pub response_name: String,
    pub request: Vec<Field>,
    pub response: Vec<Field>,
    /// Description of the hoisted Qimen `request` / `response` parameter.
    pub request_doc: Option<String>,
    pub response_doc: Option<String>,
    pub structs: Vec<Struct>,
    pub codes: Vec<CodeEnum>,
}

impl Api<'_> {
    pub fn is_qimen(&self) -> bool {
        self.spec.protocol == Protocol::Qimen
    }

    /// The tables the API's fields index, for the emitter.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            structs: &self.structs,
            codes: &self.codes,
            qimen: self.is_qimen(),
        }
    }

    /// Whether a field the API's module declares is a `serde_json::Value`
    /// (those of shared types are the `types` module's).
    pub fn uses_json(&self) -> bool {
        let json = |f: &Field| f.ty == Ty::Scalar(Scalar::Json);
        let own = self.structs.iter().filter(|s| s.imported.is_none());
        self.request.iter().chain(&self.response).any(json) || own.flat_map(|s| &s.fields).any(json)
    }
}

/// Give each variant of a code list its ident, by the list's one rule
/// ([`naming::code_variants`]), which reads all the codes at once.
pub fn name_variants(variants: &mut [Variant]) {
    let idents = naming::code_variants(variants.iter().map(|v| v.wire.as_str()));
    for (v, ident) in variants.iter_mut().zip(idents) {
        v.ident = ident;
    }
}

/// The struct and code tables a set of fields index, and whether the
/// structs being written belong to a Qimen API: an API module's or the
/// crate's shared `types` module's.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'s> {
    pub structs: &'s [Struct],
    pub codes: &'s [CodeEnum],
    pub qimen: bool,
}

/// The shared types of one category crate: its `types` module.
#[derive(Debug, Clone, Default)]
pub struct Types {
    pub structs: Vec<Struct>,
    pub codes: Vec<CodeEnum>,
    /// The APIs that use each struct, in API order.
    pub users: Vec<Vec<String>>,
    /// The other TOP names of each struct: types that documents give one
    /// field under different names.
    pub merged: Vec<Vec<String>>,
}

impl Types {
    /// The scope of struct `index`: the module's tables, with its protocol.
    pub fn scope(&self, index: usize) -> Scope<'_> {
        Scope {
            structs: &self.structs,
            codes: &self.codes,
            qimen: self.structs[index].qimen,
        }
    }

    /// Path of struct `index` under the `types` module ([`naming::shared_path`]).
    pub fn path(&self, index: usize) -> String {
        let s = &self.structs[index];
        naming::shared_path(s.side == Side::Request, &s.name)
    }

    /// The code enums of struct `index`'s fields, in field order.
    pub fn codes_of(&self, index: usize) -> impl Iterator<Item = &CodeEnum> {
        let fields = &self.structs[index].fields;
        fields.iter().filter_map(|f| f.code).map(|c| &self.codes[c])
    }

    /// Whether a field of the module is a `serde_json::Value`.
    pub fn uses_json(&self) -> bool {
        self.structs
            .iter()
            .flat_map(|s| &s.fields)
            .any(|f| f.ty == Ty::Scalar(Scalar::Json))
    }
}

/// How a struct-typed parameter got its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Its own, as the document lists them (or a scalar: none).
    Own,
    /// None of its own: those of the type of that name defined elsewhere in
    /// the document.
    Copied,
    /// None of its own, and the type is one of the structs containing it.
    Recursive,
    /// None of its own and defined nowhere in the document.
    Missing,
}

/// A parameter with its struct references resolved.
struct Node<'p> {
    param: &'p Param,
    fields: Vec<Node<'p>>,
    link: Link,
}

impl Node<'_> {
    fn is_struct(&self) -> bool {
        !self.fields.is_empty()
    }
}

/// Every parameter of a document that lists fields, by type name, in
/// document order (request first), with its side.
type Definitions<'p> = BTreeMap<&'p str, Vec<(Side, &'p Param)>>;

fn definitions<'p>(params: &'p [Param], side: Side, out: &mut Definitions<'p>) {
    for p in params {
        if !p.fields.is_empty() {
            out.entry(p.ty.as_str()).or_default().push((side, p));
            definitions(&p.fields, side, out);
        }
    }
}

/// The definition a field without fields refers to: one of the same side
/// first (its struct derives the right traits), then one at a field of the
/// same name (the likelier shape when one name has several), else the first.
fn definition<'p>(defs: &Definitions<'p>, p: &Param, side: Side) -> Option<&'p Param> {
    let all = defs.get(p.ty.as_str())?;
    let rank = |(s, d): &&(Side, &Param)| (*s != side, d.name != p.name);
    all.iter().min_by_key(rank).map(|(_, d)| *d)
}

/// Resolve the struct references below `params`; `open` holds the types of
/// the structs being expanded, outermost first, to stop at recursion.
fn expand<'p>(
    params: &'p [Param],
    side: Side,
    defs: &Definitions<'p>,
    open: &mut Vec<&'p str>,
) -> Vec<Node<'p>> {
    params
        .iter()
        .map(|p| {
            let (source, link) = if !p.fields.is_empty() {
                (Some(p), Link::Own)
            } else if leaf(&p.ty, p.array).is_some() {
                (None, Link::Own)
            } else if open.contains(&p.ty.as_str()) {
                (None, Link::Recursive)
            } else {
                match definition(defs, p, side) {
                    Some(d) => (Some(d), Link::Copied),
                    None => (None, Link::Missing),
                }
            };
            let fields = match source {
                Some(d) => {
                    open.push(p.ty.as_str());
                    let f = expand(&d.fields, side, defs, open);
                    open.pop();
                    f
                }
                None => Vec::new(),
            };
            Node {
                param: p,
                fields,
                link,
            }
        })
        .collect()
}

struct Occurrence<'p> {
    ty: &'p str,
    side: Side,
    path: Vec<&'p str>,
    shape: String,
}

/// What makes two structs of one type name the same: their fields, deeply.
fn shape(n: &Node) -> String {
    let fields: Vec<String> = n
        .fields
        .iter()
        .map(|f| {
            let p = f.param;
            format!(
                "{}:{}{}{}{}",
                p.name,
                p.ty,
                if p.array { "[]" } else { "" },
                if p.required { "!" } else { "" },
                match f.link {
                    Link::Recursive => "@".to_string(),
                    _ if f.is_struct() => shape(f),
                    _ => String::new(),
                }
            )
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn collect<'p>(nodes: &[Node<'p>], side: Side, path: &[&'p str], out: &mut Vec<Occurrence<'p>>) {
    for n in nodes {
        let mut here = path.to_vec();
        here.push(&n.param.name);
        if n.is_struct() {
            out.push(Occurrence {
                ty: &n.param.ty,
                side,
                path: here.clone(),
                shape: shape(n),
            });
            collect(&n.fields, side, &here, out);
        }
    }
}

/// Key of one emitted struct: TOP type, side and shape.
type Key = (String, Side, String);

struct Builder<'a> {
    api: &'a str,
    file: PathBuf,
    qimen: bool,
    names: BTreeMap<Key, usize>,
    structs: Vec<Option<Struct>>,
    /// The structs being built, outermost first: where a recursive field points.
    open: Vec<(String, usize)>,
    /// The API's type names, structs' already claimed; code enums claim theirs.
    namer: Namer,
    /// The chosen struct names, by struct index.
    struct_names: Vec<String>,
    codes: Vec<CodeEnum>,
    warnings: Vec<Warning>,
}

impl Builder<'_> {
    fn err(&self, path: &str, msg: impl std::fmt::Display) -> Error {
        Error::about(
            Kind::Codegen,
            &self.file,
            self.api,
            Some(path),
            msg.to_string(),
        )
    }

    fn warn(&mut self, path: &str, msg: impl std::fmt::Display) {
        let w = Warning::about(
            Kind::Codegen,
            &self.file,
            self.api,
            Some(path),
            msg.to_string(),
        );
        self.warnings.push(w);
    }

    /// The fields of `owner` (a struct name, or `Request` / `Response` at the top).
    fn fields(
        &mut self,
        nodes: &[Node],
        side: Side,
        path: &str,
        owner: &str,
    ) -> Result<Vec<Field>, Error> {
        let mut idents = Namer::new();
        nodes
            .iter()
            .map(|n| self.field(n, side, path, owner, &mut idents))
            .collect()
    }

    /// The code enum of a scalar field whose spec lists `values`, if its type
    /// takes one ([`types::code_list`]).
    fn code_enum(&mut self, p: &Param, here: &str, owner: &str) -> Option<usize> {
        if p.values.is_empty() {
            return None;
        }
        let number = match types::code_list(&p.ty) {
            Some(Codes::Text) => false,
            Some(Codes::Number) => true,
            None => {
                self.warn(here, format!("`values` on a `{}` field are not generated; only String and Number fields take codes", p.ty));
                return None;
            }
        };
        if number
            && let Some(v) = p
                .values
                .iter()
                .find(|v| v.value.trim().parse::<i64>().is_err())
        {
            self.warn(
                here,
                format!(
                    "code `{}` of a Number field is not an integer; the field stays a number",
                    v.value
                ),
            );
            return None;
        }
        let mut variants: Vec<Variant> = Vec::with_capacity(p.values.len());
        for v in &p.values {
            if variants.iter().any(|k| k.wire == v.value) {
                self.warn(
                    here,
                    format!("code `{}` is listed twice; generated once", v.value),
                );
                continue;
            }
            if v.value.is_empty() {
                self.warn(here, "an empty code is listed; generated as `Empty`");
            }
            variants.push(Variant {
                ident: String::new(),
                wire: v.value.clone(),
                description: v.description.clone(),
            });
        }
        name_variants(&mut variants);
        // One field name with one list in several structs of the API: one enum.
        let same = |c: &CodeEnum| {
            c.field == p.name
                && c.number == number
                && c.variants.len() == variants.len()
                && c.variants
                    .iter()
                    .zip(&variants)
                    .all(|(a, b)| a.wire == b.wire && a.description == b.description)
        };
        if let Some(i) = self.codes.iter().position(same) {
            return Some(i);
        }
        let name = self.namer.claim(&naming::code_enum(owner, &p.name));
        self.codes.push(CodeEnum {
            name,
            field: p.name.clone(),
            number,
            path: here.to_string(),
            description: p.description.clone(),
            variants,
            imported: None,
        });
        Some(self.codes.len() - 1)
    }

    fn field(
        &mut self,
        n: &Node,
        side: Side,
        path: &str,
        owner: &str,
        idents: &mut Namer,
    ) -> Result<Field, Error> {
        let p = n.param;
        let here = format!("{path}.{}", p.name);
        let mut required = side == Side::Request && p.required;
        let mut boxed = false;
        let mut code = None;
        let (ty, array) = match n.link {
            _ if n.is_struct() => {
                let key = (p.ty.clone(), side, shape(n));
                let Some(&index) = self.names.get(&key) else {
                    return Err(self.err(&here, "internal: struct not named"));
                };
                if self.structs[index].is_none() {
                    self.open.push((p.ty.clone(), index));
                    let owner = self.struct_names[index].clone();
                    let fields = self.fields(&n.fields, side, &here, &owner);
                    self.open.pop();
                    let fields = fields?;
                    self.structs[index] = Some(Struct {
                        // Named in `resolve`, from the table of chosen names.
                        name: String::new(),
                        top_type: p.ty.clone(),
                        side,
                        description: p.description.clone(),
                        path: here.clone(),
                        fields,
                        list_item: false,
                        qimen: self.qimen,
                        imported: None,
                    });
                }
                if let (true, Some(s)) = (p.array, self.structs[index].as_mut()) {
                    s.list_item = true;
                }
                (Ty::Struct(index), p.array)
            }
            Link::Recursive => {
                let Some(&(_, index)) = self.open.iter().rev().find(|(t, _)| *t == p.ty) else {
                    return Err(self.err(&here, "internal: recursive type not open"));
                };
                // A value of a type that contains itself must be able to end.
                required = false;
                boxed = !p.array;
                if let (true, Some(s)) = (p.array, self.structs[index].as_mut()) {
                    s.list_item = true;
                }
                (Ty::Struct(index), p.array)
            }
            Link::Missing => {
                self.warn(
                    &here,
                    format!(
                        "type `{}` has no fields here and no definition elsewhere in the document; \
                         kept as a JSON value (`serde_json::Value`)",
                        p.ty
                    ),
                );
                (Ty::Scalar(Scalar::Json), p.array)
            }
            Link::Own | Link::Copied => {
                let Some((s, array)) = leaf(&p.ty, p.array) else {
                    return Err(self.err(&here, "internal: a struct type without fields"));
                };
                let top_level = here.matches('.').count() == 1;
                if s == Scalar::File
                    && (side == Side::Response || !top_level || array || self.qimen)
                {
                    // Multipart carries files only as top-level TOP parameters.
                    self.warn(
                        &here,
                        format!(
                            "`{}{}` is a file only as a top-level TOP request parameter; kept \
                             here as a JSON value (base64 text, as the Java SDK sends bytes)",
                            p.ty,
                            if p.array { "[]" } else { "" }
                        ),
                    );
                    (Ty::Scalar(Scalar::Json), false)
                } else {
                    code = self.code_enum(p, &here, owner);
                    (Ty::Scalar(s), array)
                }
            }
        };
        Ok(Field {
            wire: p.name.clone(),
            ident: idents.claim(&naming::snake_ident(&p.name)),
            ty,
            array,
            boxed,
            required,
            description: p.description.clone(),
            example: p.example.clone(),
            code,
        })
    }
}

/// The top-level parameters of one side, with Qimen's XML root hoisted.
struct Top<'p> {
    params: &'p [Param],
    /// Field path of the side's top level: `request`, or `request.request`.
    path: String,
    /// Description of the hoisted root.
    doc: Option<String>,
}

fn top(spec: &Spec, side: Side) -> Top<'_> {
    // Qimen's XML root is hoisted: its fields are the top-level ones.
    match spec.qimen_root(side) {
        Some(root) => Top {
            params: &root.fields,
            path: format!("{}.{}", side.root(), root.name),
            doc: root.description.clone(),
        },
        None => Top {
            params: spec.side(side),
            path: side.root().to_string(),
            doc: None,
        },
    }
}

/// The struct names of an API, by [`Key`], and each name by struct index.
struct Names {
    index: BTreeMap<Key, usize>,
    chosen: Vec<String>,
    /// Every type name of the API: the structs', then the code enums'.
    namer: Namer,
}

/// Name every struct before resolving fields. A TOP type name is kept when
/// it has one shape on its side of the API; a generic name (`Struct`) or one
/// with several shapes is named from its field path.
fn name_structs(api: &str, occ: &[Occurrence], reserved: [&str; 2]) -> Names {
    let mut shapes_by_type: BTreeMap<&str, Vec<(Side, &str)>> = BTreeMap::new();
    for o in occ {
        let v = shapes_by_type.entry(o.ty).or_default();
        if !v.contains(&(o.side, o.shape.as_str())) {
            v.push((o.side, o.shape.as_str()));
        }
    }
    let mut names = Names {
        index: BTreeMap::new(),
        chosen: Vec::new(),
        namer: Namer::new(),
    };
    for r in reserved.into_iter().chain(["Request", "Response"]) {
        names.namer.claim(r);
    }
    for o in occ {
        let key = (o.ty.to_string(), o.side, o.shape.clone());
        if names.index.contains_key(&key) {
            continue;
        }
        let clash = shapes_by_type[o.ty].len() > 1;
        let name = struct_name(api, o, clash, &mut names.namer);
        names.index.insert(key, names.chosen.len());
        names.chosen.push(name);
    }
    names
}

/// The name of one struct: its TOP type's, else its path's, else its
/// path's with the side (`Param`, `Data`).
fn struct_name(api: &str, o: &Occurrence, clash: bool, namer: &mut Namer) -> String {
    let generic = naming::is_generic_type_name(o.ty);
    let top = naming::unshadowed_type_ident(&naming::top_type_ident(o.ty), api);
    let by_path = naming::unshadowed_type_ident(&naming::path_type_ident(&o.path), api);
    if !generic && !clash && namer.is_free(&top) {
        namer.claim(&top)
    } else if namer.is_free(&by_path) {
        namer.claim(&by_path)
    } else {
        let suffix = match o.side {
            Side::Request => "Param",
            Side::Response => "Data",
        };
        namer.claim(&format!("{by_path}{suffix}"))
    }
}

/// Every struct occurrence of both sides, request first, with its struct
/// references resolved from the whole document.
fn expand_sides<'p>(spec: &'p Spec, req: &Top<'p>, resp: &Top<'p>) -> [Vec<Node<'p>>; 2] {
    let mut defs = Definitions::new();
    definitions(&spec.request, Side::Request, &mut defs);
    definitions(&spec.response, Side::Response, &mut defs);
    let mut open = Vec::new();
    [
        expand(req.params, Side::Request, &defs, &mut open),
        expand(resp.params, Side::Response, &defs, &mut open),
    ]
}

/// What resolving an API's fields leaves besides them.
type Built = (Vec<Struct>, Vec<CodeEnum>, Vec<Warning>);

impl Builder<'_> {
    /// The structs, named, and the code enums, once every field is resolved.
    fn finish(self) -> Result<Built, Error> {
        let structs = self
            .structs
            .into_iter()
            .zip(self.struct_names)
            .map(|(s, name)| s.map(|s| Struct { name, ..s }))
            .collect::<Option<Vec<_>>>();
        let Some(structs) = structs else {
            return Err(Error::about(
                Kind::Codegen,
                &self.file,
                self.api,
                None,
                "internal: a struct was never resolved",
            ));
        };
        Ok((structs, self.codes, self.warnings))
    }
}

/// Resolve one API.
///
/// Struct names are scoped to the API's module: only within one API must
/// they differ (case-insensitively, for rustdoc's file names); see
/// `name_structs`.
pub fn resolve<'a>(input: &ApiInput<'a>) -> Result<(Api<'a>, Vec<Warning>), Error> {
    let spec = input.spec.spec;
    let (group, module) = naming::module_path(&spec.api);
    let request_name = naming::request_struct(&spec.api);
    let response_name = naming::response_struct(&spec.api);
    let (req, resp) = (top(spec, Side::Request), top(spec, Side::Response));
    let [req_nodes, resp_nodes] = expand_sides(spec, &req, &resp);
    let mut occ = Vec::new();
    collect(&req_nodes, Side::Request, &[], &mut occ);
    collect(&resp_nodes, Side::Response, &[], &mut occ);
    let names = name_structs(&spec.api, &occ, [&request_name, &response_name]);
    let mut b = Builder {
        api: &spec.api,
        file: input.file.clone(),
        qimen: spec.protocol == Protocol::Qimen,
        structs: vec![None; names.chosen.len()],
        names: names.index,
        open: Vec::new(),
        namer: names.namer,
        struct_names: names.chosen,
        codes: Vec::new(),
        warnings: Vec::new(),
    };
    let request = b.fields(&req_nodes, Side::Request, &req.path, "Request")?;
    let response = b.fields(&resp_nodes, Side::Response, &resp.path, "Response")?;
    let (structs, codes, warnings) = b.finish()?;
    let api = Api {
        spec,
        file: input.file.clone(),
        group,
        module,
        feature: input.feature.clone(),
        request_name,
        response_name,
        request,
        response,
        request_doc: req.doc,
        response_doc: resp.doc,
        structs,
        codes,
    };
    Ok((api, warnings))
}

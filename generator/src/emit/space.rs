//! The type space: every parameter of a spec resolved to a Rust type, every
//! struct named, before any token is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::family::Family;
use crate::diag::{Error, Kind, Warning};
use crate::naming::{self, Namer};
use crate::spec::{Param, Protocol, Spec};
pub use crate::types::Scalar;
use crate::types::leaf;

/// Type names that say nothing; a struct of such a type is named from its path.
const GENERIC_NAMES: &[&str] = &["Struct", "Object", "object"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Request,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Scalar(Scalar),
    /// Index into [`Api::structs`].
    Struct(usize),
}

#[derive(Debug, Clone)]
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
    /// Index into [`Api::codes`]: the field's type is that code enum (the
    /// scalar in `ty` says how its codes travel).
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

#[derive(Debug, Clone)]
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
}

/// A code enum: a `String` or `Number` field whose spec lists its `values`.
#[derive(Debug, Clone)]
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
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub ident: String,
    /// The code exactly as on the wire.
    pub wire: String,
    pub description: String,
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

impl<'a> Api<'a> {
    pub fn is_qimen(&self) -> bool {
        self.spec.protocol == Protocol::Qimen
    }

    /// The API's module path and feature alone, its type names and type
    /// space left empty: all the crate files and the module's path need of
    /// an API whose module file came from the cache. Never to be given to
    /// [`super::code::module`] or the example tests; [`resolve`] fills in
    /// the rest.
    pub(crate) fn head(spec: &'a Spec, file: &Path, family: &Family) -> Api<'a> {
        let (group, module) = naming::module_path(&spec.api);
        Api {
            spec,
            file: file.to_path_buf(),
            group,
            module,
            feature: family.feature(&spec.category),
            request_name: String::new(),
            response_name: String::new(),
            request: Vec::new(),
            response: Vec::new(),
            request_doc: None,
            response_doc: None,
            structs: Vec::new(),
            codes: Vec::new(),
        }
    }
}

/// Qimen sends the `request` struct as the body and answers with the
/// `response` struct as the root: its fields become the top-level ones.
pub fn hoisted(spec: &Spec, params: &[Param]) -> bool {
    spec.protocol == Protocol::Qimen && params.len() == 1 && !params[0].fields.is_empty()
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
    /// takes one: any codes for `String`, integer codes for `Number`.
    fn code_enum(&mut self, p: &Param, s: Scalar, here: &str, owner: &str) -> Option<usize> {
        if p.values.is_empty() {
            return None;
        }
        let number = match s {
            Scalar::String => false,
            Scalar::Int => true,
            _ => {
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
        let idents = naming::code_variants(variants.iter().map(|v| v.wire.as_str()));
        for (v, ident) in variants.iter_mut().zip(idents) {
            v.ident = ident;
        }
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
                    code = self.code_enum(p, s, &here, owner);
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

/// Resolve one spec.
///
/// Struct names are scoped to the API's module: only within one API must
/// they differ (case-insensitively, for rustdoc's file names). A TOP type
/// name is kept when it has one shape on its side of the API; a generic name
/// (`Struct`) or one with several shapes is named from its field path.
/// `file` is the spec file read, or the one scrape writes, for messages.
pub fn resolve<'a>(
    spec: &'a Spec,
    file: &Path,
    family: &Family,
) -> Result<(Api<'a>, Vec<Warning>), Error> {
    let Api {
        file,
        group,
        module,
        feature,
        ..
    } = Api::head(spec, file, family);
    let request_name = naming::request_struct(&spec.api);
    let response_name = naming::response_struct(&spec.api);
    let mut warnings = Vec::new();

    let hoist_req = hoisted(spec, &spec.request);
    let hoist_resp = hoisted(spec, &spec.response);
    let (req_params, req_path, request_doc) = if hoist_req {
        let p = &spec.request[0];
        (
            &p.fields[..],
            format!("request.{}", p.name),
            p.description.clone(),
        )
    } else {
        (&spec.request[..], "request".to_string(), None)
    };
    let (resp_params, resp_path, response_doc) = if hoist_resp {
        let p = &spec.response[0];
        (
            &p.fields[..],
            format!("response.{}", p.name),
            p.description.clone(),
        )
    } else {
        (&spec.response[..], "response".to_string(), None)
    };

    let mut defs = Definitions::new();
    definitions(&spec.request, Side::Request, &mut defs);
    definitions(&spec.response, Side::Response, &mut defs);
    let mut open = Vec::new();
    let req_nodes = expand(req_params, Side::Request, &defs, &mut open);
    let resp_nodes = expand(resp_params, Side::Response, &defs, &mut open);

    // Name every struct before resolving fields.
    let mut occ = Vec::new();
    collect(&req_nodes, Side::Request, &[], &mut occ);
    collect(&resp_nodes, Side::Response, &[], &mut occ);
    let mut shapes_by_type: BTreeMap<&str, Vec<(Side, &str)>> = BTreeMap::new();
    for o in &occ {
        let v = shapes_by_type.entry(o.ty).or_default();
        if !v.contains(&(o.side, o.shape.as_str())) {
            v.push((o.side, o.shape.as_str()));
        }
    }
    let mut namer = Namer::new();
    for reserved in [&request_name, &response_name, "Request", "Response"] {
        namer.claim(reserved);
    }
    let mut names: BTreeMap<Key, usize> = BTreeMap::new();
    let mut chosen: Vec<String> = Vec::new();
    for o in &occ {
        let key = (o.ty.to_string(), o.side, o.shape.clone());
        if names.contains_key(&key) {
            continue;
        }
        let generic = GENERIC_NAMES.contains(&o.ty);
        let clash = shapes_by_type[o.ty].len() > 1;
        let top = naming::unshadowed_type_ident(&naming::type_ident(o.ty), &spec.api);
        let by_path = naming::unshadowed_type_ident(&naming::path_type_ident(&o.path), &spec.api);
        let name = if !generic && !clash && namer.is_free(&top) {
            namer.claim(&top)
        } else if namer.is_free(&by_path) {
            namer.claim(&by_path)
        } else {
            let suffix = if o.side == Side::Request {
                "Param"
            } else {
                "Data"
            };
            namer.claim(&format!("{by_path}{suffix}"))
        };
        names.insert(key, chosen.len());
        chosen.push(name);
    }

    let mut b = Builder {
        api: &spec.api,
        file: file.clone(),
        qimen: spec.protocol == Protocol::Qimen,
        names,
        structs: vec![None; chosen.len()],
        open: Vec::new(),
        namer,
        struct_names: chosen,
        codes: Vec::new(),
        warnings: Vec::new(),
    };
    let request = b.fields(&req_nodes, Side::Request, &req_path, "Request")?;
    let response = b.fields(&resp_nodes, Side::Response, &resp_path, "Response")?;
    warnings.append(&mut b.warnings);
    let codes = b.codes;
    let structs = b
        .structs
        .into_iter()
        .zip(b.struct_names)
        .map(|(s, name)| s.map(|s| Struct { name, ..s }))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            Error::about(
                Kind::Codegen,
                &file,
                &spec.api,
                None,
                "internal: a struct was never resolved",
            )
        })?;

    Ok((
        Api {
            spec,
            file,
            group,
            module,
            feature,
            request_name,
            response_name,
            request,
            response,
            request_doc,
            response_doc,
            structs,
            codes,
        },
        warnings,
    ))
}

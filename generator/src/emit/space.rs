//! The type space: every parameter of a spec resolved to a Rust type, every
//! struct named, before any token is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Error, Warning};
use crate::naming::{self, Features, Namer};
use crate::spec::{Param, Protocol, Spec};

/// A TOP scalar type, from [`scalar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Int,
    Bool,
    Decimal,
    DateTime,
    Map,
    Json,
    File,
}

/// The one mapping table from TOP types to Rust types
/// (the Rust side is in `code::scalar_type`).
pub fn scalar(top_type: &str) -> Option<Scalar> {
    Some(match top_type {
        "String" => Scalar::String,
        "Number" => Scalar::Int,
        "Boolean" => Scalar::Bool,
        "BigDecimal" | "Price" => Scalar::Decimal,
        "Date" => Scalar::DateTime,
        "Map" => Scalar::Map,
        "Json" => Scalar::Json,
        "byte[]" => Scalar::File,
        _ => return None,
    })
}

/// The types of the table, for error messages.
pub const TABLE: &str = "String, Number, Boolean, BigDecimal, Price, Date, Map, Json, byte[]";

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
    pub required: bool,
    pub description: Option<String>,
    pub example: Option<String>,
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
}

impl Api<'_> {
    pub fn is_qimen(&self) -> bool {
        self.spec.protocol == Protocol::Qimen
    }
}

/// The spec file an API is read from, as errors name it.
pub fn spec_file(api: &str) -> PathBuf {
    Path::new(crate::pipeline::SPECS_DIR).join(format!("{api}.yaml"))
}

/// Qimen sends the `request` struct as the body and answers with the
/// `response` struct as the root: its fields become the top-level ones.
fn hoisted(spec: &Spec, params: &[Param]) -> bool {
    spec.protocol == Protocol::Qimen && params.len() == 1 && !params[0].fields.is_empty()
}

struct Occurrence<'p> {
    param: &'p Param,
    side: Side,
    path: Vec<&'p str>,
    shape: String,
}

fn shape(p: &Param) -> String {
    let fields: Vec<String> = p
        .fields
        .iter()
        .map(|f| {
            format!(
                "{}:{}{}{}{}",
                f.name,
                f.ty,
                if f.array { "[]" } else { "" },
                if f.required { "!" } else { "" },
                if f.fields.is_empty() {
                    String::new()
                } else {
                    shape(f)
                }
            )
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

fn collect<'p>(params: &'p [Param], side: Side, path: &[&'p str], out: &mut Vec<Occurrence<'p>>) {
    for p in params {
        let mut here = path.to_vec();
        here.push(&p.name);
        if !p.fields.is_empty() {
            out.push(Occurrence {
                param: p,
                side,
                path: here.clone(),
                shape: shape(p),
            });
            collect(&p.fields, side, &here, out);
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
}

impl Builder<'_> {
    fn err(&self, path: &str, msg: impl std::fmt::Display) -> Error {
        Error::at(&self.file, None, format!("{}: {path}: {msg}", self.api))
    }

    fn fields(&mut self, params: &[Param], side: Side, path: &str) -> Result<Vec<Field>, Error> {
        let mut idents = Namer::new();
        params
            .iter()
            .map(|p| self.field(p, side, path, &mut idents))
            .collect()
    }

    fn field(
        &mut self,
        p: &Param,
        side: Side,
        path: &str,
        idents: &mut Namer,
    ) -> Result<Field, Error> {
        let here = format!("{path}.{}", p.name);
        let (ty, array) = if !p.fields.is_empty() {
            if scalar(&p.ty).is_some() {
                return Err(self.err(
                    &here,
                    format!("type `{}` is not a struct but has fields", p.ty),
                ));
            }
            let key = (p.ty.clone(), side, shape(p));
            let Some(&index) = self.names.get(&key) else {
                return Err(self.err(&here, "internal: struct not named"));
            };
            if self.structs[index].is_none() {
                let fields = self.fields(&p.fields, side, &here)?;
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
        } else {
            let (s, array) = match (p.ty.as_str(), p.array) {
                ("byte", true) => (Some(Scalar::File), false),
                (t, a) => (scalar(t), a),
            };
            let Some(s) = s else {
                return Err(self.err(
                    &here,
                    format!(
                        "unknown type `{}`; use one of {TABLE}, or list the struct's fields",
                        p.ty
                    ),
                ));
            };
            let top_level = here.matches('.').count() == 1;
            if s == Scalar::File && (side == Side::Response || !top_level || array || self.qimen) {
                return Err(self.err(
                    &here,
                    "`byte[]` (a file upload) is only supported as a top-level TOP request parameter",
                ));
            }
            (Ty::Scalar(s), array)
        };
        Ok(Field {
            wire: p.name.clone(),
            ident: idents.claim(&naming::snake_ident(&p.name)),
            ty,
            array,
            required: side == Side::Request && p.required,
            description: p.description.clone(),
            example: p.example.clone(),
        })
    }
}

/// Resolve one spec.
pub fn resolve<'a>(spec: &'a Spec, features: &Features) -> Result<(Api<'a>, Vec<Warning>), Error> {
    let file = spec_file(&spec.api);
    let mut warnings = Vec::new();
    let (group, module) = naming::module_path(&spec.api);
    let (feature, known) = features.feature(&spec.category);
    if !known {
        warnings.push(Warning::at(
            &file,
            None,
            format!(
                "category `{}` is not in generator/src/emit/categories.tsv; using feature `{feature}` (add a line `{}<TAB>feature`)",
                spec.category, spec.category
            ),
        ));
    }
    let request_name = naming::request_struct(&spec.api);
    let response_name = naming::response_struct(&spec.api);

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

    // Name every struct before resolving fields.
    let mut occ = Vec::new();
    collect(req_params, Side::Request, &[], &mut occ);
    collect(resp_params, Side::Response, &[], &mut occ);
    let mut shapes_by_type: BTreeMap<&str, Vec<(Side, &str)>> = BTreeMap::new();
    for o in &occ {
        let v = shapes_by_type.entry(o.param.ty.as_str()).or_default();
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
        let key = (o.param.ty.clone(), o.side, o.shape.clone());
        if names.contains_key(&key) {
            continue;
        }
        let generic = GENERIC_NAMES.contains(&o.param.ty.as_str());
        let clash = shapes_by_type[o.param.ty.as_str()].len() > 1;
        let top = naming::type_ident(&o.param.ty);
        let by_path = naming::path_type_ident(&o.path);
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
    };
    let request = b.fields(req_params, Side::Request, &req_path)?;
    let response = b.fields(resp_params, Side::Response, &resp_path)?;
    let structs = b
        .structs
        .into_iter()
        .zip(chosen)
        .map(|(s, name)| s.map(|s| Struct { name, ..s }))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            Error::at(
                &file,
                None,
                format!("{}: internal: a struct was never resolved", spec.api),
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
        },
        warnings,
    ))
}

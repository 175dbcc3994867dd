//! The doc center's JSON documents: one API per file, the form the doc site
//! renders its pages from (collected by the Apache-2.0 project bububa/opentaobao).
//!
//! Reading rules, each decided from the 3 480 documents of the corpus:
//! - `name`, `apiChineseName`, `description` give `api`, `title`, `description`;
//!   the category comes from the `catelog.json` beside the document (via
//!   [`Context`]); without one the document is rejected, since the category
//!   picks the cargo feature and a guessed one would hide the API.
//! - `requestParams` / `responseParams` give `request` / `response`, `subParams`
//!   give `fields`; `required` absent means false, and response parameters are
//!   never required (the spec's rule); `maxLength`, `maxListSize`, `minValue`,
//!   `maxValue` become `constraints`; unknown keys are ignored.
//! - `X []` and `X[]` are arrays; `X[][]` keeps one array level, with a warning.
//! - A parameter without a type (or typed `null`) is read as `Json` so any value
//!   is kept, or, when it has sub-parameters, as a struct named after the field;
//!   both with a warning.
//! - Names are kept verbatim (`type`, `a.b`), blanks around them trimmed with a
//!   warning (`result_code\t` in a real document); an empty name or one with
//!   spaces inside is an error. A parameter listed twice in one struct is kept once when the two
//!   are identical (a warning), and is an error when they differ.
//! - Protocol: by the one rule ([`crate::spec::Protocol::from_evidence`]),
//!   from the category and the request's shape, as a document has no Java
//!   example.
//!
//! Positions: parameters are kept as raw JSON slices of the input, so every
//! error and warning names the line of the parameter's `name`.

use std::path::Path;

use heck::ToUpperCamelCase;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Context, Header, Parts, Scraped, assemble, codes, utf8_text};
use crate::diag::{Error, Lines, Warning};
use crate::spec::{Constraints, MAX_DEPTH, Param, is_api_name};
use crate::types::{Written, is_scalar};

pub use crate::spec::QIMEN_CATEGORY;
pub use crate::types::UNTYPED;

#[derive(Deserialize)]
struct RawDoc<'a> {
    #[serde(borrow)]
    name: &'a RawValue,
    #[serde(rename = "apiChineseName", default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "requestParams", default, borrow)]
    request: Option<Vec<&'a RawValue>>,
    #[serde(rename = "responseParams", default, borrow)]
    response: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct RawParam<'a> {
    #[serde(borrow)]
    name: &'a RawValue,
    #[serde(rename = "type", default)]
    ty: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    required: Option<bool>,
    #[serde(rename = "maxLength", default)]
    max_length: Option<u64>,
    #[serde(rename = "maxListSize", default)]
    max_list_size: Option<u64>,
    #[serde(rename = "minValue", default, borrow)]
    min_value: Option<&'a RawValue>,
    #[serde(rename = "maxValue", default, borrow)]
    max_value: Option<&'a RawValue>,
    #[serde(rename = "subParams", default, borrow)]
    sub_params: Option<Vec<&'a RawValue>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// Read one JSON document. `file` is the path shown in messages and stored as `source`.
pub fn read_document(file: &Path, bytes: &[u8], ctx: &Context) -> Result<Scraped, Error> {
    let text = utf8_text(bytes).map_err(|line| {
        Error::at(
            file,
            Some(line),
            "not UTF-8 text; save the document as UTF-8",
        )
    })?;
    let mut reader = Reader {
        file,
        text,
        lines: Lines::new(text.as_bytes()),
        warnings: Vec::new(),
        depth: 1,
    };
    let parts = reader.document(ctx)?;
    Ok(assemble(file, parts, reader.warnings))
}

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    lines: Lines,
    warnings: Vec<Warning>,
    /// Level of the parameters being read (top level: 1).
    depth: usize,
}

impl<'a> Reader<'a> {
    fn document(&mut self, ctx: &Context) -> Result<Parts, Error> {
        let doc: RawDoc<'a> = self.parse(self.text)?;
        let name_line = self.line(doc.name.get());
        let api: String = self.parse(doc.name.get())?;
        if !is_api_name(&api) {
            return Err(self.error(
                name_line,
                format!(
                    "`{api}` is not an API method name like `taobao.pc.order.cancel`; fix the document's `name`"
                ),
            ));
        }
        let category = match ctx.category.as_deref().map(str::trim) {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => {
                return Err(Error::at(
                    self.file,
                    None,
                    "no category for this document: put a `catelog.json` with the category's \
                     `name` beside it, as every folder of the doc center corpus has",
                ));
            }
        };
        let title = doc.title.map(|t| t.trim().to_string()).unwrap_or_default();
        if title.is_empty() {
            self.warn(
                name_line,
                "no `apiChineseName`; the title is left empty".to_string(),
            );
        }
        let request = self.params(
            doc.request.as_deref().unwrap_or_default(),
            Side::Request,
            "request",
        )?;
        let response = self.params(
            doc.response.as_deref().unwrap_or_default(),
            Side::Response,
            "response",
        )?;
        Ok(Parts {
            header: Header {
                api,
                title,
                category,
                package: ctx
                    .package
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
                description: doc
                    .description
                    .map(|d| d.trim().to_string())
                    .unwrap_or_default(),
                top_only: false,
            },
            java_qimen: None,
            request,
            response,
            examples: Default::default(),
            error_codes: Vec::new(),
        })
    }

    /// One parameter list; `path` is the dotted path of its owner, for messages.
    fn params(
        &mut self,
        raws: &[&'a RawValue],
        side: Side,
        path: &str,
    ) -> Result<Vec<Param>, Error> {
        let mut out: Vec<(usize, Param)> = Vec::with_capacity(raws.len());
        for raw in raws {
            let warned = self.warnings.len();
            let (line, param) = self.param(raw, side, path)?;
            match out.iter().find(|(_, p)| p.name == param.name) {
                None => out.push((line, param)),
                Some((first, same)) if *same == param => {
                    // The repeat's own warnings were already raised for the first copy.
                    self.warnings.truncate(warned);
                    let message = format!(
                        "`{path}` lists `{}` twice (lines {first} and {line}) with the same content; kept once",
                        param.name
                    );
                    self.warn(line, message);
                }
                Some((first, _)) => {
                    return Err(self.error(
                        line,
                        format!(
                            "`{path}` has two different parameters named `{}` (lines {first} and {line}); \
                             rename or remove one",
                            param.name
                        ),
                    ));
                }
            }
        }
        Ok(out.into_iter().map(|(_, p)| p).collect())
    }

    fn param(
        &mut self,
        raw: &'a RawValue,
        side: Side,
        path: &str,
    ) -> Result<(usize, Param), Error> {
        let p: RawParam<'a> = self.parse(raw.get())?;
        let line = self.line(p.name.get());
        let written: String = self.parse(p.name.get())?;
        let name = written.trim().to_string();
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(self.error(
                line,
                format!("a parameter of `{path}` is named `{written}`: an empty name or one with spaces; fix the document"),
            ));
        }
        if name != written {
            self.warn(
                line,
                format!("a parameter of `{path}` is named {written:?}, blanks around the name; read as `{name}`"),
            );
        }
        let here = format!("{path}.{name}");
        let subs = p.sub_params.unwrap_or_default();
        let (ty, array) = self.type_of(p.ty.as_deref(), &name, &here, !subs.is_empty(), line)?;
        if !subs.is_empty() && is_scalar(&ty) {
            self.warn(
                line,
                format!("`{here}` has type `{ty}` and sub-parameters; it is read as a struct named `{ty}`"),
            );
        }
        let constraints = Constraints {
            max_length: p.max_length,
            max_list_size: p.max_list_size,
            min_value: p.min_value.map(|v| self.bound(v, &here)).transpose()?,
            max_value: p.max_value.map(|v| self.bound(v, &here)).transpose()?,
            text: None,
        };
        if !subs.is_empty() && self.depth >= MAX_DEPTH {
            return Err(self.error(
                line,
                format!(
                    "`{here}` has sub-parameters nested deeper than {MAX_DEPTH} levels; no API does, is the document damaged?"
                ),
            ));
        }
        self.depth += 1;
        let fields = self.params(&subs, side, &here);
        self.depth -= 1;
        let fields = fields?;
        let description = p.description.filter(|d| !d.trim().is_empty());
        let values = if subs.is_empty() {
            let mut doubts = Vec::new();
            let values = codes::values(&ty, description.as_deref(), |d| doubts.push(d));
            for d in doubts {
                self.warn(line, format!("`{here}`: {d}"));
            }
            values
        } else {
            Vec::new()
        };
        let param = Param {
            name,
            ty,
            array,
            required: side == Side::Request && p.required.unwrap_or(false),
            example: None,
            description,
            constraints,
            values,
            fields,
        };
        Ok((line, param))
    }

    /// The type and array flag from a `type` value like `String`, `Item []`, `byte[][]`.
    fn type_of(
        &mut self,
        given: Option<&str>,
        name: &str,
        here: &str,
        has_fields: bool,
        line: usize,
    ) -> Result<(String, bool), Error> {
        let given = given.unwrap_or("").trim();
        let written = Written::parse(given);
        let base = written.base;
        if written.marks > 1 {
            self.warn(
                line,
                format!(
                    "`{here}` has type `{given}`, an array of arrays; read as one array of `{base}`"
                ),
            );
        }
        let array = written.array();
        if base.is_empty() || base == "null" {
            let (ty, why) = if has_fields {
                (name.to_upper_camel_case(), "a struct named after the field")
            } else {
                (UNTYPED.to_string(), "`Json`, so any value is kept")
            };
            let shown = if given.is_empty() {
                "no type".to_string()
            } else {
                format!("type `{given}`")
            };
            self.warn(line, format!("`{here}` has {shown}; read as {why}"));
            return Ok((ty, array));
        }
        let mut chars = base.chars();
        let ident = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return Err(self.error(
                line,
                format!("`{here}` has type `{given}`, which is not a type name like `String` or `Item []`; fix the document"),
            ));
        }
        Ok((base.to_string(), array))
    }

    /// A `minValue` / `maxValue` bound as text: a JSON number verbatim, or a string.
    fn bound(&self, raw: &RawValue, here: &str) -> Result<String, Error> {
        let text = raw.get();
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return Ok(text.to_string());
        }
        match serde_json::from_str::<String>(text) {
            Ok(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            _ => Err(self.error(
                self.line(text),
                format!("`{here}` has a bound `{text}` that is not a number; fix the document"),
            )),
        }
    }

    /// Parse a slice of the input; serde's position is made absolute.
    fn parse<T: Deserialize<'a>>(&self, slice: &'a str) -> Result<T, Error> {
        serde_json::from_str(slice).map_err(|e| {
            let (base_line, base_col) = self.position(slice);
            let (line, col) = match e.line() {
                0 => (base_line, base_col),
                1 => (base_line, base_col + e.column().saturating_sub(1)),
                l => (base_line + l - 1, e.column()),
            };
            // An error at the very end (after the last newline) points at the last line.
            let line = line.min(self.text.lines().count().max(1));
            let full = e.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m);
            self.error(
                line,
                format!(
                    "{message} (column {col}); a doc center document is an object with `name`, \
                     `requestParams` and `responseParams`, see the corpus README"
                ),
            )
        })
    }

    /// 1-based line and column (in bytes) of a slice of the input.
    fn position(&self, slice: &str) -> (usize, usize) {
        let offset = (slice.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.lines.position(offset.min(self.text.len()))
    }

    fn line(&self, slice: &str) -> usize {
        self.position(slice).0
    }

    fn error(&self, line: usize, message: String) -> Error {
        Error::at(self.file, Some(line), message)
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings
            .push(Warning::at(self.file, Some(line), message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Protocol;

    fn ctx(category: &str) -> Context {
        Context {
            category: Some(category.to_string()),
            ..Context::default()
        }
    }

    fn read(text: &str) -> Result<Scraped, Error> {
        read_document(Path::new("cat/doc.json"), text.as_bytes(), &ctx("类目API"))
    }

    fn doc(request: &str, response: &str) -> String {
        format!(
            "{{\n\"name\": \"taobao.a.b\",\n\"apiChineseName\": \"标题\",\n\"description\": \"说明\",\n\"id\": 1,\n\
             \"requestParams\": [{request}],\n\"responseParams\": [{response}]\n}}"
        )
    }

    fn one(request: &str) -> (Param, Vec<Warning>) {
        let got = read(&doc(request, "")).unwrap();
        assert_eq!(got.spec.request.len(), 1, "{:?}", got.spec.request);
        (got.spec.request[0].clone(), got.warnings)
    }

    #[test]
    fn header_keys_become_the_spec_header() {
        let got = read(&doc("", "")).unwrap();
        let s = got.spec;
        assert_eq!(
            (
                s.api.as_str(),
                s.title.as_str(),
                s.description.as_str(),
                s.category.as_str()
            ),
            ("taobao.a.b", "标题", "说明", "类目API")
        );
        assert_eq!(s.source, "cat/doc.json");
        assert_eq!(s.protocol, Protocol::Top);
        assert!(s.examples.is_empty() && s.error_codes.is_empty() && s.notes.is_empty());
        assert!(got.warnings.is_empty());
    }

    #[test]
    fn missing_parameter_lists_are_empty() {
        let got =
            read("{\"name\": \"taobao.a.b\", \"apiChineseName\": \"t\", \"description\": \"\"}")
                .unwrap();
        assert!(got.spec.request.is_empty() && got.spec.response.is_empty());
    }

    #[test]
    fn required_absent_means_false_and_responses_are_never_required() {
        let got = read(&doc(
            r#"{"name": "a", "type": "String"}, {"name": "b", "type": "String", "required": true}"#,
            r#"{"name": "c", "type": "String", "required": true}"#,
        ))
        .unwrap();
        let r = &got.spec.request;
        assert_eq!((r[0].required, r[1].required), (false, true));
        assert!(!got.spec.response[0].required);
    }

    #[test]
    fn limits_become_constraints() {
        let (p, _) = one(
            r#"{"name": "a", "type": "Number", "maxLength": 64, "maxListSize": 20, "minValue": -5, "maxValue": 99999999999999999999}"#,
        );
        assert_eq!(p.constraints.max_length, Some(64));
        assert_eq!(p.constraints.max_list_size, Some(20));
        assert_eq!(p.constraints.min_value.as_deref(), Some("-5"));
        // Wider than u64: kept as the document's text.
        assert_eq!(
            p.constraints.max_value.as_deref(),
            Some("99999999999999999999")
        );
        let (p, _) = one(r#"{"name": "a", "type": "Number", "minValue": "3"}"#);
        assert_eq!(p.constraints.min_value.as_deref(), Some("3"));
    }

    #[test]
    fn a_bound_that_is_not_a_number_is_an_error() {
        let e = read(&doc(
            r#"{"name": "a", "type": "Number", "minValue": true}"#,
            "",
        ))
        .unwrap_err();
        assert!(e.message.contains("not a number"), "{e}");
    }

    #[test]
    fn array_marks_with_and_without_a_space() {
        for t in ["Item []", "Item[]", " Item [ ] "] {
            let (p, w) = one(&format!(r#"{{"name": "a", "type": "{t}"}}"#));
            assert_eq!((p.ty.as_str(), p.array), ("Item", true), "{t}");
            assert!(w.is_empty(), "{t}: {w:?}");
        }
        let (p, _) = one(r#"{"name": "a", "type": "Item"}"#);
        assert!(!p.array);
    }

    #[test]
    fn nested_array_marks_keep_one_level_and_warn() {
        let (p, w) = one(r#"{"name": "img", "type": "byte[][]"}"#);
        assert_eq!((p.ty.as_str(), p.array), ("byte", true));
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("array of arrays"), "{w:?}");
        let (p, w) = one(r#"{"name": "img", "type": "byte[]"}"#);
        assert_eq!((p.ty.as_str(), p.array, w.len()), ("byte", true, 0));
    }

    #[test]
    fn sub_params_become_fields_in_order() {
        let (p, _) = one(
            r#"{"subParams": [{"name": "z", "type": "String"}, {"name": "a", "type": "Inner", "subParams": [{"name": "x", "type": "Number"}]}], "name": "outer", "type": "Outer"}"#,
        );
        assert_eq!(p.ty, "Outer");
        assert_eq!(
            p.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["z", "a"]
        );
        assert_eq!(p.fields[1].fields[0].ty, "Number");
    }

    #[test]
    fn a_missing_or_null_type_is_json_with_a_warning() {
        for (field, shown) in [
            ("", "no type"),
            (r#""type": "", "#, "no type"),
            (r#""type": "null[]", "#, "type `null[]`"),
        ] {
            let (p, w) = one(&format!(
                r#"{{{field}"name": "params", "description": "d"}}"#
            ));
            assert_eq!(p.ty, UNTYPED, "{field}");
            assert_eq!(p.array, field.contains("[]"));
            assert_eq!(w.len(), 1);
            assert!(w[0].message.contains(shown), "{w:?}");
        }
    }

    #[test]
    fn a_missing_type_with_fields_is_a_struct_named_after_the_field() {
        let (p, w) = one(r#"{"name": "ext_info", "subParams": [{"name": "k", "type": "String"}]}"#);
        assert_eq!(p.ty, "ExtInfo");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_scalar_type_with_fields_warns() {
        // Every scalar of the one type table, as codegen maps them.
        for ty in ["Price", "Integer", "Long", "File", "Double"] {
            let (p, w) = one(&format!(
                r#"{{"name": "fee", "type": "{ty}", "subParams": [{{"name": "amount", "type": "String"}}]}}"#
            ));
            assert_eq!((p.ty.as_str(), p.fields.len()), (ty, 1));
            assert!(w[0].message.contains("read as a struct"), "{ty}: {w:?}");
        }
    }

    #[test]
    fn a_type_that_is_not_a_name_is_an_error() {
        let e = read(&doc(r#"{"name": "a", "type": "List<String>"}"#, "")).unwrap_err();
        assert!(e.message.contains("not a type name"), "{e}");
    }

    #[test]
    fn names_are_kept_verbatim() {
        let got = read(&doc(
            r#"{"name": "type", "type": "String"}, {"name": "box", "type": "String"}, {"name": "dimission.employee", "type": "String"}"#,
            "",
        ))
        .unwrap();
        let names: Vec<_> = got.spec.request.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["type", "box", "dimission.employee"]);
    }

    #[test]
    fn empty_names_and_names_with_spaces_are_errors_with_the_line() {
        for name in ["", "a b", " ", " a b"] {
            let text = doc(
                &format!("\n{{\"name\": \"{name}\", \"type\": \"String\"}}"),
                "",
            );
            let e = read(&text).unwrap_err();
            assert_eq!(e.line, Some(7), "{e}");
            assert!(e.message.contains("empty name or one with spaces"), "{e}");
        }
    }

    #[test]
    fn blanks_around_a_name_are_trimmed_with_a_warning() {
        for name in [" a", "a\\t", "\\ta "] {
            let (p, warnings) = one(&format!("\n{{\"name\": \"{name}\", \"type\": \"String\"}}"));
            assert_eq!(p.name, "a");
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert_eq!(warnings[0].line, Some(7));
            assert!(
                warnings[0].message.contains("read as `a`"),
                "{:?}",
                warnings[0]
            );
        }
    }

    #[test]
    fn an_exact_repeat_is_merged_with_a_warning() {
        let got = read(&doc(
            "",
            "\n{\"name\": \"r\", \"type\": \"\"},\n{\"name\": \"r\", \"type\": \"\"}",
        ))
        .unwrap();
        assert_eq!(got.spec.response.len(), 1);
        // One warning for the missing type (not two), one for the repeat.
        assert_eq!(got.warnings.len(), 2, "{:?}", got.warnings);
        assert!(
            got.warnings[1]
                .message
                .contains("lists `r` twice (lines 8 and 9)"),
            "{:?}",
            got.warnings
        );
        assert_eq!(got.spec.notes.len(), 2);
    }

    #[test]
    fn different_parameters_with_one_name_are_an_error() {
        let e = read(&doc(
            "\n{\"name\": \"r\", \"type\": \"String\"},\n{\"name\": \"r\", \"type\": \"Number\"}",
            "",
        ))
        .unwrap_err();
        assert_eq!(e.line, Some(8));
        assert!(
            e.message
                .contains("two different parameters named `r` (lines 7 and 8)"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let (p, _) = one(r#"{"name": "a", "type": "String", "example": "x", "level": 3}"#);
        assert_eq!(p.name, "a");
    }

    #[test]
    fn a_malformed_document_names_file_line_and_column() {
        let e = read("{\n  \"name\": \"taobao.a.b\",\n  \"requestParams\": [\n    {\"name\": \"a\",, }\n  ]\n}").unwrap_err();
        assert_eq!(e.file, Path::new("cat/doc.json"));
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("column 18"), "{e}");
    }

    #[test]
    fn a_wrongly_typed_value_deep_inside_names_its_line() {
        let text = doc(
            "{\"name\": \"a\", \"type\": \"A\", \"subParams\": [\n{\"name\": \"b\", \"type\": \"String\",\n \"required\": \"yes\"}]}",
            "",
        );
        let e = read(&text).unwrap_err();
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.message.contains("expected a boolean"), "{e}");
    }

    #[test]
    fn not_json_or_not_an_object_is_an_error() {
        for text in ["", "[1, 2]", "<html>", "{\"apiChineseName\": \"t\"}"] {
            let e = read(text).unwrap_err();
            assert_eq!(e.line, Some(1), "{text}: {e}");
        }
        let e =
            read_document(Path::new("x.json"), b"{\"name\": \"a\xff\"}", &ctx("c")).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn a_bad_api_name_is_an_error() {
        let e = read("{\"name\": \"taobao..x\"}").unwrap_err();
        assert!(e.message.contains("not an API method name"), "{e}");
        // Aliyun methods carry a dash and a date.
        let ok = read(
            "{\"name\": \"m-kvstore.aliyuncs.com.CreateInstance.2015-03-01\", \"apiChineseName\": \"t\"}",
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn a_missing_category_is_an_error() {
        for c in [None, Some(String::new())] {
            let e = read_document(
                Path::new("d.json"),
                doc("", "").as_bytes(),
                &Context {
                    category: c,
                    package: None,
                },
            )
            .unwrap_err();
            assert!(e.message.contains("catelog.json"), "{e}");
        }
    }

    #[test]
    fn a_missing_title_warns() {
        let got = read("{\"name\": \"taobao.a.b\"}").unwrap();
        assert_eq!(got.spec.title, "");
        assert_eq!(got.warnings.len(), 1);
    }

    #[test]
    fn qimen_needs_the_category_and_one_request_struct() {
        let req =
            r#"{"name": "request", "type": "Req", "subParams": [{"name": "a", "type": "String"}]}"#;
        let read_in = |category: &str, request: &str| {
            read_document(
                Path::new("d.json"),
                doc(request, "").as_bytes(),
                &ctx(category),
            )
            .unwrap()
            .spec
            .protocol
        };
        assert_eq!(read_in(QIMEN_CATEGORY, req), Protocol::Qimen);
        assert_eq!(read_in("资金平台", req), Protocol::Top);
        assert_eq!(
            read_in(QIMEN_CATEGORY, r#"{"name": "store_id", "type": "Number"}"#),
            Protocol::Top
        );
        let two = format!(r#"{req}, {{"name": "x", "type": "String"}}"#);
        assert_eq!(read_in(QIMEN_CATEGORY, &two), Protocol::Top);
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = format!("\u{feff}{}", doc("", ""));
        assert!(read(&text).is_ok());
    }
}

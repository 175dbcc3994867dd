//! The structural parser: table rows of the intermediate form become
//! parameter rows with their cells assigned (name, type, array mark,
//! required flag, and what is left for example / constraints / description).
//!
//! Which leftover cell is the example and which the description is settled
//! later, once the tree is known, because the examples on the page confirm it.

use std::path::Path;

use super::page::{Cell, Row, RowKind, Table};
use crate::diag::Error;
use crate::spec::ErrorCode;
use crate::types::{Written, is_scalar};

/// A type cell: `String`, `OrderItem []`, `String[]`, `byte[]`.
pub fn looks_like_type(s: &str) -> bool {
    let base = Written::parse(s).base;
    let mut chars = base.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '<' | '>'))
        && (base.starts_with(|c: char| c.is_ascii_uppercase()) || is_scalar(base))
}

/// A name cell of a struct row: an identifier-like word.
pub fn looks_like_name(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
}

pub fn is_required_flag(s: &str) -> bool {
    required_flag(s).is_some()
}

fn required_flag(s: &str) -> Option<bool> {
    match s.trim() {
        "必须" => Some(true),
        "可选" | "特殊可选" => Some(false),
        _ => None,
    }
}

/// The cells after name, type and required flag, before they are assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rest {
    /// Every column present (HTML table rows): assigned by position.
    Exact {
        example: Option<Cell>,
        constraints: Option<Cell>,
        description: Option<Cell>,
    },
    /// The rest of a text row, cells joined by spaces, empty ones gone.
    Joined(Option<Cell>),
    /// Bullet cells of a nested row, empty ones gone.
    Cells(Vec<Cell>),
}

impl Rest {
    fn texts(&self) -> Vec<&str> {
        match self {
            Rest::Exact {
                example,
                constraints,
                description,
            } => [example, constraints, description]
                .iter()
                .map(|c| c.as_ref().map_or("", |c| c.text.as_str()))
                .collect(),
            Rest::Joined(c) => vec![c.as_ref().map_or("", |c| c.text.as_str())],
            Rest::Cells(cs) => cs.iter().map(|c| c.text.as_str()).collect(),
        }
    }
}

/// One parameter row with its cells assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    pub line: usize,
    /// A bullet row below a table row.
    pub nested: bool,
    /// The `└` mark of a nested row.
    pub leaf_mark: bool,
    pub name: String,
    pub ty: String,
    pub array: bool,
    pub required: bool,
    pub rest: Rest,
}

impl ParamRow {
    /// A row that opens a struct: the rows after it may be its fields.
    pub fn is_struct(&self) -> bool {
        !(is_scalar(&self.ty) || self.nested && self.leaf_mark)
    }

    /// The same row again, wherever it stands.
    pub fn same_as(&self, o: &ParamRow) -> bool {
        self.name == o.name
            && self.ty == o.ty
            && self.array == o.array
            && self.required == o.required
            && self.leaf_mark == o.leaf_mark
            && self.rest.texts() == o.rest.texts()
    }
}

/// Split `X []` / `X[]` into the type and the array mark, as every reader
/// does: `byte[]` is `byte` marked as an array (a file, by the type table).
pub fn split_type(s: &str) -> (String, bool) {
    let w = Written::parse(s);
    (w.base.to_string(), w.array())
}

/// Column layout of a parameter table, from its header.
struct Columns {
    required: Option<usize>,
    example: Option<usize>,
    constraints: Option<usize>,
    description: Option<usize>,
}

fn columns(file: &Path, t: &Table) -> Result<Columns, Error> {
    let at = |h: &str| t.header.iter().position(|x| x == h);
    if at("名称") != Some(0) || at("类型") != Some(1) {
        return Err(Error::at(
            file,
            Some(t.line),
            format!(
                "the parameter table header `{}` does not start with `名称 类型`; is the page complete?",
                t.header.join(" ")
            ),
        ));
    }
    Ok(Columns {
        required: at("是否必须"),
        example: at("示例值"),
        constraints: at("更多限制"),
        description: at("描述"),
    })
}

fn check_name(file: &Path, name: &Cell) -> Result<(), Error> {
    if name.text.trim().is_empty() {
        return Err(Error::at(
            file,
            Some(name.line),
            "a parameter row has an empty name",
        ));
    }
    if name.text.chars().any(char::is_whitespace) {
        return Err(Error::at(
            file,
            Some(name.line),
            format!(
                "parameter name `{}` contains spaces; a name is one word",
                name.text
            ),
        ));
    }
    Ok(())
}

fn check_type(file: &Path, name: &str, ty: &Cell) -> Result<(String, bool), Error> {
    if !looks_like_type(&ty.text) {
        return Err(Error::at(
            file,
            Some(ty.line),
            format!(
                "`{}` after `{name}` is not a TOP type; a name with spaces, or a missing type cell?",
                ty.text
            ),
        ));
    }
    Ok(split_type(&ty.text))
}

fn flag(file: &Path, cell: Option<&Cell>, line: usize, name: &str) -> Result<bool, Error> {
    let text = cell.map_or("", |c| c.text.as_str());
    required_flag(text).ok_or_else(|| {
        Error::at(
            file,
            Some(cell.map_or(line, |c| c.line)),
            format!("`{name}` has the required flag `{text}`; expected 必须 or 可选"),
        )
    })
}

/// First word of `s` and the rest, trimmed.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

fn non_empty(c: Option<&Cell>) -> Option<Cell> {
    c.filter(|c| !c.text.trim().is_empty())
        .map(|c| Cell::new(c.text.trim(), c.line))
}

/// Parse the rows of a parameter table.
pub fn param_rows(file: &Path, t: &Table) -> Result<Vec<ParamRow>, Error> {
    let cols = columns(file, t)?;
    t.rows.iter().map(|r| param_row(file, &cols, r)).collect()
}

fn param_row(file: &Path, cols: &Columns, r: &Row) -> Result<ParamRow, Error> {
    match r.kind {
        RowKind::Top if r.joined => joined_row(file, cols, &r.cells[0]),
        RowKind::Top => exact_row(file, cols, r),
        RowKind::Nested { leaf, .. } => nested_row(file, cols, r, leaf),
    }
}

fn joined_row(file: &Path, cols: &Columns, cell: &Cell) -> Result<ParamRow, Error> {
    let n = cell.line;
    let (name, rest) = word(&cell.text);
    let (ty, mut rest) = word(rest);
    let mut ty = ty.to_string();
    if let Some(r) = rest.strip_prefix("[]") {
        ty.push_str(" []");
        rest = r.trim_start();
    }
    if ty.is_empty() {
        return Err(Error::at(
            file,
            Some(n),
            format!("row `{}` has no type cell", cell.text),
        ));
    }
    let (ty, array) = check_type(file, name, &Cell::new(ty, n))?;
    let required = if cols.required.is_some() {
        let (f, r) = word(rest);
        rest = r;
        flag(file, Some(&Cell::new(f, n)), n, name)?
    } else {
        false
    };
    Ok(ParamRow {
        line: n,
        nested: false,
        leaf_mark: false,
        name: name.to_string(),
        ty,
        array,
        required,
        rest: Rest::Joined((!rest.is_empty()).then(|| Cell::new(rest, n))),
    })
}

fn exact_row(file: &Path, cols: &Columns, r: &Row) -> Result<ParamRow, Error> {
    let get = |i: Option<usize>| i.and_then(|i| r.cells.get(i));
    let name = r
        .cells
        .first()
        .cloned()
        .unwrap_or_else(|| Cell::new("", r.line));
    check_name(file, &name)?;
    let Some(tcell) = r.cells.get(1) else {
        return Err(Error::at(
            file,
            Some(r.line),
            format!("row `{}` has no type cell", name.text),
        ));
    };
    let (ty, array) = check_type(file, &name.text, tcell)?;
    let required = match cols.required {
        Some(i) => flag(file, r.cells.get(i), r.line, &name.text)?,
        None => false,
    };
    Ok(ParamRow {
        line: r.line,
        nested: false,
        leaf_mark: false,
        name: name.text.trim().to_string(),
        ty,
        array,
        required,
        rest: Rest::Exact {
            example: non_empty(get(cols.example)),
            constraints: non_empty(get(cols.constraints)),
            description: non_empty(get(cols.description)),
        },
    })
}

fn nested_row(file: &Path, cols: &Columns, r: &Row, leaf: bool) -> Result<ParamRow, Error> {
    let min = if cols.required.is_some() { 3 } else { 2 };
    let max = min + 3;
    let n = r.cells.len();
    if n < min || n > max {
        let shape = if cols.required.is_some() {
            "name, type, required flag, then example and description"
        } else {
            "name, type, then example and description"
        };
        return Err(Error::at(
            file,
            Some(r.line),
            format!(
                "the nested row `{}` has {n} cells; a nested row has {min} to {max} ({shape})",
                r.cells.first().map_or("", |c| c.text.as_str())
            ),
        ));
    }
    check_name(file, &r.cells[0])?;
    let name = r.cells[0].text.trim().to_string();
    let (ty, array) = check_type(file, &name, &r.cells[1])?;
    let required = if cols.required.is_some() {
        flag(file, r.cells.get(2), r.line, &name)?
    } else {
        false
    };
    let rest: Vec<Cell> = r.cells[min..]
        .iter()
        .filter_map(|c| non_empty(Some(c)))
        .collect::<Vec<_>>();
    // An HTML list may keep empty cells: with every cell there, assign by position.
    let rest = if r.cells.len() == max {
        let at = |i: usize| non_empty(r.cells.get(min + i));
        Rest::Exact {
            example: at(0),
            constraints: at(1),
            description: at(2),
        }
    } else {
        Rest::Cells(rest)
    };
    Ok(ParamRow {
        line: r.line,
        nested: true,
        leaf_mark: leaf,
        name,
        ty,
        array,
        required,
        rest,
    })
}

/// Resolved example / constraints / description of a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assigned {
    pub example: Option<String>,
    pub constraints: Option<String>,
    pub description: Option<String>,
    /// Why the reading is doubtful, when it is.
    pub doubt: Option<String>,
}

fn has_cjk_or_space(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() || (c as u32) >= 0x2E80)
}

/// Length of a leading bracketed or quoted value (`["a", "b"]`), if `s` opens one.
fn bracketed_len(s: &str) -> Option<usize> {
    let open = s.chars().next()?;
    let close = match open {
        '[' => ']',
        '{' => '}',
        '"' => '"',
        _ => return None,
    };
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if in_str && open != '"' {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        if open == '"' {
            if i > 0 && c == '"' {
                return Some(i + 1);
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + c.len_utf8());
                }
            }
            _ => {}
        }
    }
    None
}

/// Assign the leftover cells of a row. `evidence` is the value an example on
/// the page gives this parameter; struct rows never have an example.
pub fn assign(row: &ParamRow, evidence: Option<&str>) -> Assigned {
    let text = |c: &Option<Cell>| c.as_ref().map(|c| c.text.clone());
    let mut a = Assigned::default();
    let structural = row.is_struct();
    match &row.rest {
        Rest::Exact {
            example,
            constraints,
            description,
        } => {
            a.example = text(example);
            a.constraints = text(constraints);
            a.description = text(description);
        }
        Rest::Joined(None) => {}
        Rest::Joined(Some(c)) if structural => a.description = Some(c.text.clone()),
        Rest::Joined(Some(c)) => {
            let s = c.text.as_str();
            let confirmed = evidence.filter(|v| {
                !v.is_empty()
                    && s.strip_prefix(*v)
                        .is_some_and(|r| r.is_empty() || r.starts_with(' '))
            });
            // A bracketed or quoted value ends where its brackets close.
            let bracketed = bracketed_len(s).filter(|_| confirmed.is_none() && evidence.is_none());
            let (ex, desc) = if let Some(v) = confirmed {
                (v.to_string(), s[v.len()..].trim_start().to_string())
            } else if let Some(n) = bracketed {
                (s[..n].to_string(), s[n..].trim_start().to_string())
            } else {
                let (w, r) = word(s);
                if r.is_empty() {
                    return single(row, s, evidence);
                }
                (w.to_string(), r.to_string())
            };
            if confirmed.is_none() && bracketed.is_none() {
                a.doubt = Some(match evidence {
                    Some(v) => format!(
                        "the example on the page gives `{v}` for `{}`, not the table's `{ex}`; kept `{ex}`",
                        row.name
                    ),
                    None => format!(
                        "no example on the page confirms where `{}`'s example ends; read `{ex}` as the example",
                        row.name
                    ),
                });
            }
            a.example = Some(ex);
            a.description = (!desc.is_empty()).then_some(desc);
        }
        Rest::Cells(cells) => match cells.as_slice() {
            [] => {}
            [d] if structural => a.description = Some(d.text.clone()),
            [d] => return single(row, &d.text, evidence),
            [e, d] if !structural => {
                a.example = Some(e.text.clone());
                a.description = Some(d.text.clone());
            }
            [e, c, d] if !structural => {
                a.example = Some(e.text.clone());
                a.constraints = Some(c.text.clone());
                a.description = Some(d.text.clone());
            }
            [c, d] => {
                a.constraints = Some(c.text.clone());
                a.description = Some(d.text.clone());
            }
            many => {
                a.description = many.last().map(|c| c.text.clone());
                a.doubt = Some(format!(
                    "struct row `{}` has {} cells after its flag; kept the last as its description",
                    row.name,
                    many.len()
                ));
            }
        },
    }
    if let (Some(ex), Some(v)) = (&a.example, evidence)
        && a.doubt.is_none()
        && ex != v
        && !row.array
    {
        a.doubt = Some(format!(
            "the table gives `{ex}` as `{}`'s example, the example on the page `{v}`; kept the table's",
            row.name
        ));
    }
    a
}

/// One cell left on a leaf row: example or description?
fn single(row: &ParamRow, s: &str, evidence: Option<&str>) -> Assigned {
    let mut a = Assigned::default();
    match evidence {
        Some(v) if v == s => a.example = Some(s.to_string()),
        Some(_) => a.description = Some(s.to_string()),
        None if has_cjk_or_space(s) => a.description = Some(s.to_string()),
        None => {
            a.example = Some(s.to_string());
            a.doubt = Some(format!(
                "`{}` has one cell `{s}` after its type and no example on the page shows it; read it as the example",
                row.name
            ));
        }
    }
    a
}

/// The 错误码解释 table; a text row keeps everything after the code as description.
pub fn error_codes(t: &Table) -> (Vec<ErrorCode>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut doubts = Vec::new();
    for r in &t.rows {
        if r.joined {
            let (code, rest) = word(&r.cells[0].text);
            if rest.contains(char::is_whitespace) {
                doubts.push((
                    r.line,
                    format!("error code `{code}`: the text form cannot tell description from solution; all kept as description"),
                ));
            }
            out.push(ErrorCode {
                code: code.to_string(),
                description: rest.to_string(),
                solution: String::new(),
            });
        } else {
            let cell = |i: usize| {
                r.cells
                    .get(i)
                    .map_or(String::new(), |c| c.text.trim().to_string())
            };
            out.push(ErrorCode {
                code: cell(0),
                description: cell(1),
                solution: cell(2),
            });
        }
    }
    (out, doubts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &str, rows: Vec<Row>) -> Table {
        Table {
            line: 1,
            header: header.split(' ').map(str::to_string).collect(),
            rows,
        }
    }

    fn joined(text: &str) -> Row {
        Row {
            line: 7,
            kind: RowKind::Top,
            cells: vec![Cell::new(text, 7)],
            joined: true,
        }
    }

    fn nested(cells: &[&str], leaf: bool) -> Row {
        Row {
            line: 9,
            kind: RowKind::Nested { leaf, depth: None },
            cells: cells.iter().map(|c| Cell::new(*c, 9)).collect(),
            joined: false,
        }
    }

    const REQ: &str = "名称 类型 是否必须 示例值 更多限制 描述";
    const RESP: &str = "名称 类型 示例值 描述";

    fn one(header: &str, row: Row) -> Result<ParamRow, Error> {
        param_rows(Path::new("p.txt"), &table(header, vec![row])).map(|mut v| v.remove(0))
    }

    #[test]
    fn types_and_array_marks() {
        assert_eq!(split_type("String []"), ("String".into(), true));
        assert_eq!(split_type("OrderItem[]"), ("OrderItem".into(), true));
        // The JSON reader's reading: `byte` marked as an array, one file.
        assert_eq!(split_type("byte[]"), ("byte".into(), true));
        assert_eq!(split_type("Item [ ]"), ("Item".into(), true));
        assert!(looks_like_type("ImItemSkuDetailVO []"));
        assert!(!looks_like_type("必须"));
        assert!(!looks_like_type("name"));
    }

    #[test]
    fn a_joined_row_with_a_bracketed_example() {
        let r = one(
            REQ,
            joined(r#"logistics_order_id_list String 可选 ["YT175361", "SF534400"] 物流单号列表"#),
        )
        .unwrap();
        let a = assign(&r, None);
        assert_eq!(a.example.as_deref(), Some(r#"["YT175361", "SF534400"]"#));
        assert_eq!(a.description.as_deref(), Some("物流单号列表"));
        assert_eq!(a.doubt, None);
    }

    #[test]
    fn evidence_ends_the_example() {
        let r = one(
            REQ,
            joined("event String 必须 VENDOR_PAID 服务商事件;VENDOR_PAID: 已收到"),
        )
        .unwrap();
        assert!(r.required);
        let a = assign(&r, Some("VENDOR_PAID"));
        assert_eq!(a.example.as_deref(), Some("VENDOR_PAID"));
        assert_eq!(
            a.description.as_deref(),
            Some("服务商事件;VENDOR_PAID: 已收到")
        );
        assert_eq!(a.doubt, None);
    }

    #[test]
    fn without_evidence_the_first_word_is_the_example_with_a_doubt() {
        let r = one(REQ, joined("item_id Number 可选 643888576658 货品 id")).unwrap();
        let a = assign(&r, None);
        assert_eq!(a.example.as_deref(), Some("643888576658"));
        assert_eq!(a.description.as_deref(), Some("货品 id"));
        assert!(a.doubt.is_some());
    }

    #[test]
    fn a_struct_row_has_no_example() {
        let r = one(REQ, joined("sku_info ImItemSkuInfoVO 可选 sku 信息")).unwrap();
        assert!(r.is_struct());
        let a = assign(&r, None);
        assert_eq!(
            (a.example, a.description.as_deref()),
            (None, Some("sku 信息"))
        );
        let r = one(RESP, joined("result Result result")).unwrap();
        assert_eq!(assign(&r, None).description.as_deref(), Some("result"));
    }

    #[test]
    fn a_response_row_has_no_flag() {
        let r = one(RESP, joined("flag String success|failure 响应结果")).unwrap();
        assert!(!r.required);
        let a = assign(&r, Some("success|failure"));
        assert_eq!(a.example.as_deref(), Some("success|failure"));
        assert_eq!(a.description.as_deref(), Some("响应结果"));
    }

    #[test]
    fn an_exact_row_is_assigned_by_position() {
        let row = Row {
            line: 3,
            kind: RowKind::Top,
            cells: ["a", "String", "必须", "", "最大长度：20", "d"]
                .iter()
                .map(|c| Cell::new(*c, 3))
                .collect(),
            joined: false,
        };
        let r = one(REQ, row).unwrap();
        let a = assign(&r, None);
        assert_eq!(
            (
                a.example,
                a.constraints.as_deref(),
                a.description.as_deref()
            ),
            (None, Some("最大长度：20"), Some("d"))
        );
    }

    #[test]
    fn nested_cell_counts() {
        let leaf = one(
            REQ,
            nested(&["biz_order_id", "String", "必须", "1", "d"], true),
        )
        .unwrap();
        assert_eq!(assign(&leaf, None).example.as_deref(), Some("1"));
        let bare = one(REQ, nested(&["orderItems", "Struct", "可选"], false)).unwrap();
        assert!(bare.is_struct());
        assert_eq!(assign(&bare, None), Assigned::default());
        let e = one(REQ, nested(&["x", "String"], true)).unwrap_err();
        assert!(e.message.contains("has 2 cells"), "{e}");
        let e = one(
            REQ,
            nested(&["x", "String", "可选", "1", "2", "3", "4"], true),
        )
        .unwrap_err();
        assert!(e.message.contains("has 7 cells"), "{e}");
    }

    #[test]
    fn one_trailing_cell_is_told_by_evidence_or_shape() {
        let r = one(
            REQ,
            nested(&["extendProps", "Map", "可选", "扩展属性"], true),
        )
        .unwrap();
        let a = assign(&r, None);
        assert_eq!(
            (a.example, a.description.as_deref()),
            (None, Some("扩展属性"))
        );
        let r = one(REQ, nested(&["code", "String", "可选", "S01"], true)).unwrap();
        assert_eq!(assign(&r, Some("S01")).example.as_deref(), Some("S01"));
        let guessed = assign(&r, None);
        assert_eq!(guessed.example.as_deref(), Some("S01"));
        assert!(guessed.doubt.is_some());
    }

    #[test]
    fn required_flags_are_checked() {
        let e = one(REQ, joined("a String 必需 1 d")).unwrap_err();
        assert!(e.message.contains("`必需`"), "{e}");
        assert_eq!(e.line, Some(7));
    }

    #[test]
    fn error_codes_keep_empty_cells() {
        let t = table("错误码 错误描述 解决方案", vec![joined("isp.http-closed")]);
        let (codes, doubts) = error_codes(&t);
        assert_eq!(codes[0].code, "isp.http-closed");
        assert!(codes[0].description.is_empty() && codes[0].solution.is_empty());
        assert!(doubts.is_empty());
    }
}

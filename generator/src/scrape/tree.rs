//! Tree recovery: parameter rows in page order become the parameter tree.
//!
//! `└` marks a leaf only, never its depth. Rows are walked with a stack of
//! open structs; each row goes under the deepest open struct whose evidence
//! node (from the page's examples) has an unconsumed child of that name.
//! Without evidence the most plausible reading is kept (a row belongs to the
//! struct being read) with a warning. An example that puts a parameter where
//! the rows cannot is a contradiction, and an error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::codes;
use super::evidence::{EvNode, key};
use super::rows::{ParamRow, assign};
use crate::diag::{Error, Warning};
use crate::spec::{Constraints, MAX_DEPTH, Param};

/// One side (request or response) to recover.
pub struct Side<'a> {
    /// `request` or `response`, for messages.
    pub label: &'static str,
    pub rows: &'a [ParamRow],
    /// The example's top-level nodes (request setters, response elements).
    pub root: Option<Vec<&'a EvNode>>,
    /// Example nodes that are protocol parameters, not business ones (keys).
    pub ignore: &'a [&'a str],
}

struct Frame<'a> {
    row: Option<usize>,
    /// The node this row was matched to.
    ev: Option<&'a EvNode>,
    /// The evidence for this struct's fields, when there is some.
    fields: Option<Vec<&'a EvNode>>,
    /// Key of each field node → its first position in `fields`.
    keys: BTreeMap<String, usize>,
    consumed: BTreeSet<String>,
    children: Vec<usize>,
    /// Name of each child row → its frame, to find a repeat without a scan.
    names: BTreeMap<&'a str, usize>,
}

impl<'a> Frame<'a> {
    fn new(row: Option<usize>, ev: Option<&'a EvNode>, fields: Option<Vec<&'a EvNode>>) -> Self {
        let mut f = Frame {
            row,
            ev,
            fields: None,
            keys: BTreeMap::new(),
            consumed: BTreeSet::new(),
            children: vec![],
            names: BTreeMap::new(),
        };
        f.set_fields(fields);
        f
    }

    fn set_fields(&mut self, fields: Option<Vec<&'a EvNode>>) {
        self.keys.clear();
        for (i, n) in fields.iter().flatten().enumerate() {
            self.keys.entry(n.key()).or_insert(i);
        }
        self.fields = fields;
    }

    fn has(&self, k: &str) -> bool {
        !self.consumed.contains(k) && self.keys.contains_key(k)
    }

    fn take(&mut self, k: &str) -> Option<&'a EvNode> {
        if !self.has(k) {
            return None;
        }
        self.consumed.insert(k.to_string());
        let i = *self.keys.get(k)?;
        self.fields.as_ref()?.get(i).copied()
    }
}

/// Fields of a struct given its node: the items' children for an array.
fn fields_of(node: &EvNode, array: bool) -> Vec<&EvNode> {
    if array && node.children.iter().any(|c| !c.children.is_empty()) {
        node.children
            .iter()
            .flat_map(|item| item.children.iter())
            .collect()
    } else {
        node.children.iter().collect()
    }
}

struct Builder<'a, 'w> {
    file: &'a Path,
    side: &'a Side<'a>,
    arena: Vec<Frame<'a>>,
    warnings: &'w mut Vec<Warning>,
}

impl<'a> Builder<'a, '_> {
    fn warn(&mut self, line: usize, msg: String) {
        self.warnings.push(Warning::at(self.file, Some(line), msg));
    }

    fn row(&self, f: usize) -> Option<&'a ParamRow> {
        self.arena[f].row.map(|r| &self.side.rows[r])
    }

    fn frame_name(&self, f: usize) -> String {
        self.row(f).map_or_else(
            || format!("the {}", self.side.label),
            |r| format!("`{}`", r.name),
        )
    }

    /// Add row `r` under frame `parent`. An exact repeat merges into the first.
    fn add(&mut self, parent: usize, r: usize, ev: Option<&'a EvNode>) -> Result<usize, Error> {
        let row = &self.side.rows[r];
        let twin = self.arena[parent].names.get(row.name.as_str()).copied();
        if let Some(t) = twin {
            let first = self.row(t).expect("children have rows");
            if first.same_as(row) {
                let msg = format!(
                    "`{}` repeats the row at line {} exactly; merged",
                    row.name, first.line
                );
                self.warn(row.line, msg);
                return Ok(t);
            }
            return Err(Error::at(
                self.file,
                Some(row.line),
                format!(
                    "`{}` is used by two different rows in {} (lines {} and {}); rename or remove one",
                    row.name,
                    self.frame_name(parent),
                    first.line,
                    row.line
                ),
            ));
        }
        let fields = ev
            .filter(|_| row.is_struct())
            .map(|n| fields_of(n, row.array));
        self.arena.push(Frame::new(Some(r), ev, fields));
        let idx = self.arena.len() - 1;
        self.arena[parent].children.push(idx);
        self.arena[parent].names.insert(row.name.as_str(), idx);
        Ok(idx)
    }

    fn build(&mut self) -> Result<(), Error> {
        let rows = self.side.rows;
        let mut stack: Vec<usize> = Vec::new();
        let top_count = rows.iter().filter(|r| !r.nested).count();
        for (i, row) in rows.iter().enumerate() {
            if row.nested {
                self.nested_row(i, &mut stack)?;
            } else {
                self.top_row(i, top_count, &mut stack)?;
            }
        }
        Ok(())
    }

    /// A top-level row: it closes every open struct, and opens its own.
    fn top_row(&mut self, i: usize, top_count: usize, stack: &mut Vec<usize>) -> Result<(), Error> {
        let rows = self.side.rows;
        let row = &rows[i];
        let ev = self.arena[0].take(&key(&row.name));
        let idx = self.add(0, i, ev)?;
        stack.clear();
        if row.is_struct() {
            if ev.is_none() && top_count == 1 && self.arena[0].fields.is_some() {
                // Qimen: the request struct's fields are set on the request itself.
                let root = &mut self.arena[0];
                let all = root.fields.clone();
                root.consumed.extend(all.iter().flatten().map(|n| n.key()));
                self.arena[idx].set_fields(all);
            }
            stack.push(idx);
        }
        Ok(())
    }

    /// A nested row: it goes under the deepest open struct whose evidence
    /// has it, else under the struct being read.
    fn nested_row(&mut self, i: usize, stack: &mut Vec<usize>) -> Result<(), Error> {
        let rows = self.side.rows;
        let row = &rows[i];
        if stack.is_empty() {
            return Err(self.orphan(i));
        }
        let k = key(&row.name);
        let placed = (0..stack.len())
            .rev()
            .find(|&d| self.arena[stack[d]].has(&k));
        if let Some(d) = placed {
            self.check_not_emptied(row, &k, stack, d)?;
        }
        let depth = match placed {
            Some(d) => d,
            None => self.unplaced(row, stack),
        };
        // stack[d] is a parameter of level d + 1; this row goes one below.
        if depth + 2 > MAX_DEPTH {
            return Err(Error::at(
                self.file,
                Some(row.line),
                format!(
                    "`{}` would be nested {} levels deep, deeper than the {MAX_DEPTH} any spec may have; are the struct rows above it damaged?",
                    row.name,
                    depth + 2
                ),
            ));
        }
        stack.truncate(depth + 1);
        let parent = stack[depth];
        let ev = self.arena[parent].take(&k);
        let idx = self.add(parent, i, ev)?;
        if row.is_struct() {
            stack.push(idx);
        } else if !row.leaf_mark {
            let msg = format!(
                "`{}` has no `└` mark but its type `{}` has no fields; read as a field",
                row.name, row.ty
            );
            self.warn(row.line, msg);
        }
        Ok(())
    }

    /// A nested row with no struct open above it.
    fn orphan(&self, i: usize) -> Error {
        let rows = self.side.rows;
        let row = &rows[i];
        let after = rows[..i].iter().rev().find(|r| !r.nested);
        Error::at(
            self.file,
            Some(row.line),
            match after {
                Some(p) => format!(
                    "nested row `{}` follows `{}`, which is a `{}`, not a struct",
                    row.name, p.name, p.ty
                ),
                None => format!("nested row `{}` comes before any table row", row.name),
            },
        )
    }

    /// Placing a row at depth `d` must not leave the struct row just before
    /// it, deeper in the stack, without fields.
    fn check_not_emptied(
        &self,
        row: &ParamRow,
        k: &str,
        stack: &[usize],
        d: usize,
    ) -> Result<(), Error> {
        let deepest = stack[stack.len() - 1];
        if d + 1 >= stack.len() || !self.arena[deepest].children.is_empty() {
            return Ok(());
        }
        let open = self.row(deepest).expect("nested frames have rows");
        let n = self.arena[stack[d]]
            .fields
            .iter()
            .flatten()
            .find(|n| n.key() == k);
        let (src, line) = n.map_or(("example", row.line), |n| (n.source.label(), n.line));
        Err(Error::at(
            self.file,
            Some(line),
            format!(
                "the {src} puts `{}` in {}, but its row (line {}) follows the struct row `{}` (line {}), which would be left without fields; the page contradicts itself",
                row.name,
                self.frame_name(stack[d]),
                row.line,
                open.name,
                open.line
            ),
        ))
    }

    /// The depth of a row no evidence places: the struct being read, with
    /// a warning when that is a guess among several open structs.
    fn unplaced(&mut self, row: &ParamRow, stack: &[usize]) -> usize {
        let d = stack.len() - 1;
        if stack.len() > 1 {
            let parent = self.frame_name(stack[d]);
            let any = stack.iter().any(|&f| self.arena[f].fields.is_some());
            let msg = if any {
                format!(
                    "the examples do not show `{}` in any open struct; read as a field of {parent}, the struct being read",
                    row.name
                )
            } else {
                format!(
                    "no example on the page places `{}`; read as a field of {parent}, the struct being read",
                    row.name
                )
            };
            self.warn(row.line, msg);
        }
        d
    }

    /// Every example node must have found its row; one that names a
    /// parameter placed elsewhere contradicts the table.
    fn check(&mut self) -> Result<(), Error> {
        let mut places: BTreeMap<String, usize> = BTreeMap::new();
        for f in &self.arena {
            if let Some(r) = f.row {
                let row = &self.side.rows[r];
                places.entry(key(&row.name)).or_insert(row.line);
            }
        }
        let struct_types: BTreeSet<&str> = self
            .side
            .rows
            .iter()
            .filter(|r| r.is_struct())
            .map(|r| r.ty.as_str())
            .collect();
        for f in 0..self.arena.len() {
            if let (Some(row), Some(ev)) = (self.row(f), self.arena[f].ev)
                && let Some(class) = &ev.class
                && class != &row.ty
                && row.ty != "Struct"
                && struct_types.contains(class.as_str())
            {
                return Err(Error::at(
                    self.file,
                    Some(ev.line),
                    format!(
                        "the {} passes a `{class}` as `{}`, which the parameter table (line {}) makes a `{}`",
                        ev.source.label(),
                        row.name,
                        row.line,
                        row.ty
                    ),
                ));
            }
            let Some(fields) = self.arena[f].fields.clone() else {
                continue;
            };
            let mut seen = BTreeSet::new();
            for n in fields {
                let k = n.key();
                if self.arena[f].consumed.contains(&k)
                    || self.side.ignore.contains(&k.as_str())
                    || !seen.insert(k.clone())
                {
                    continue;
                }
                let here = self.frame_name(f);
                if let Some(line) = places.get(&k) {
                    return Err(Error::at(
                        self.file,
                        Some(n.line),
                        format!(
                            "the {} puts `{}` in {here}, but the parameter table places it elsewhere (line {line}); the page contradicts itself",
                            n.source.label(),
                            n.name
                        ),
                    ));
                }
                let msg = format!(
                    "the {} has `{}` in {here}, which the parameter list lacks; not made a field",
                    n.source.label(),
                    n.name
                );
                self.warn(n.line, msg);
            }
        }
        Ok(())
    }

    fn param(&mut self, f: usize) -> Param {
        let r = self.arena[f].row.expect("only the root has no row");
        let row = &self.side.rows[r];
        let ev = self.arena[f].ev;
        let value = ev.and_then(|n| {
            if row.array {
                n.joined_items()
            } else {
                n.value.clone()
            }
        });
        let a = assign(row, value.as_deref());
        if let Some(d) = a.doubt {
            self.warn(row.line, d);
        }
        let children = self.arena[f].children.clone();
        let values = if children.is_empty() {
            let mut doubts = Vec::new();
            let values = codes::values(&row.ty, a.description.as_deref(), |d| doubts.push(d));
            for d in doubts {
                self.warn(row.line, format!("`{}`: {d}", row.name));
            }
            values
        } else {
            Vec::new()
        };
        Param {
            name: row.name.clone(),
            ty: row.ty.clone(),
            array: row.array,
            required: row.required,
            example: a.example,
            description: a.description,
            constraints: a.constraints.map(|t| constraints(&t)).unwrap_or_default(),
            values,
            fields: children.into_iter().map(|c| self.param(c)).collect(),
        }
    }
}

/// The 更多限制 cell: known limits become numbers, the text is kept.
pub fn constraints(text: &str) -> Constraints {
    let mut c = Constraints {
        text: Some(text.to_string()),
        ..Constraints::default()
    };
    for part in text.split(|ch: char| ch.is_whitespace() || ch == ',' || ch == '，' || ch == ';') {
        let Some((k, v)) = part.split_once([':', '：']) else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "最大长度" => c.max_length = v.parse().ok(),
            "最大列表长度" => c.max_list_size = v.parse().ok(),
            "最小值" => c.min_value = Some(v.to_string()),
            "最大值" => c.max_value = Some(v.to_string()),
            _ => {}
        }
    }
    c
}

/// Recover one side's tree.
pub fn recover(
    file: &Path,
    side: &Side<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Param>, Error> {
    let root = Frame::new(None, None, side.root.clone());
    let mut b = Builder {
        file,
        side,
        arena: vec![root],
        warnings,
    };
    b.build()?;
    b.check()?;
    let top = b.arena[0].children.clone();
    Ok(top.into_iter().map(|c| b.param(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scrape::evidence::xml;
    use crate::scrape::page::{Cell, Row, RowKind, Table};
    use crate::scrape::rows::param_rows;

    /// Rows of a response table: `name type` per entry, `└` for leaves.
    fn rows(spec: &[&str]) -> Vec<ParamRow> {
        let rows = spec
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let (top, s) = match s.strip_prefix("top ") {
                    Some(s) => (true, s),
                    None => (false, *s),
                };
                let leaf = s.starts_with('└');
                let mut cells: Vec<Cell> = s
                    .trim_start_matches('└')
                    .split_whitespace()
                    .map(|c| Cell::new(c, i + 1))
                    .collect();
                if top {
                    let joined = cells
                        .iter()
                        .map(|c| c.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    cells = vec![Cell::new(joined, i + 1)];
                }
                let kind = if top {
                    RowKind::Top
                } else {
                    RowKind::Nested { leaf, depth: None }
                };
                Row {
                    line: i + 1,
                    kind,
                    cells,
                    joined: top,
                }
            })
            .collect();
        let t = Table {
            line: 0,
            header: ["名称", "类型", "示例值", "描述"]
                .map(String::from)
                .to_vec(),
            rows,
        };
        param_rows(Path::new("p.txt"), &t).unwrap()
    }

    fn shape(ps: &[Param]) -> String {
        ps.iter()
            .map(|p| {
                if p.fields.is_empty() {
                    p.name.clone()
                } else {
                    format!("{}{{{}}}", p.name, shape(&p.fields))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    const LOGISTICS_ROWS: [&str; 6] = [
        "top item Item",
        "sub Sub[]",
        "logistics Logistics[]",
        "└cp_code String",
        "└biz_order_id String",
        "└pay_time String",
    ];

    #[test]
    fn the_logistics_case_with_evidence() {
        let xml = "<r><item><sub><s><logistics><logistics><cp_code>a</cp_code></logistics></logistics>\
                   <biz_order_id>b</biz_order_id></s></sub><pay_time>c</pay_time></item></r>";
        let roots = xml::parse(xml, 1).unwrap();
        let rows = rows(&LOGISTICS_ROWS);
        let side = Side {
            label: "response",
            rows: &rows,
            root: Some(roots[0].children.iter().collect()),
            ignore: &[],
        };
        let mut w = Vec::new();
        let ps = recover(Path::new("p.txt"), &side, &mut w).unwrap();
        assert_eq!(
            shape(&ps),
            "item{sub{logistics{cp_code} biz_order_id} pay_time}"
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn without_evidence_a_leaf_stays_in_the_struct_being_read() {
        let rows = rows(&LOGISTICS_ROWS);
        let side = Side {
            label: "response",
            rows: &rows,
            root: None,
            ignore: &[],
        };
        let mut w = Vec::new();
        let ps = recover(Path::new("p.txt"), &side, &mut w).unwrap();
        assert_eq!(
            shape(&ps),
            "item{sub{logistics{cp_code biz_order_id pay_time}}}"
        );
        let lines: Vec<_> = w.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(3), Some(4), Some(5), Some(6)]);
    }

    #[test]
    fn evidence_for_a_closed_struct_is_a_contradiction() {
        // `b` closes `sub` (the example has it in `item`), then the example
        // wants `c` back in `sub`, which the rows can no longer reach.
        let xml = "<r><item><sub><s><a>1</a><c>3</c></s></sub><b>2</b></item></r>";
        let roots = xml::parse(xml, 1).unwrap();
        let rows = rows(&[
            "top item Item",
            "sub Sub[]",
            "└a String",
            "└b String",
            "└c String",
        ]);
        let side = Side {
            label: "response",
            rows: &rows,
            root: Some(roots[0].children.iter().collect()),
            ignore: &[],
        };
        let mut w = Vec::new();
        let e = recover(Path::new("p.txt"), &side, &mut w).unwrap_err();
        assert!(e.message.contains("puts `c` in `sub`"), "{e}");
        assert!(e.message.contains("elsewhere (line 5)"), "{e}");
    }

    #[test]
    fn known_limits_become_numbers() {
        let c = constraints("最大长度：20 最大列表长度：5 最小值：0 最大值：99999999999999999999");
        assert_eq!((c.max_length, c.max_list_size), (Some(20), Some(5)));
        assert_eq!(c.min_value.as_deref(), Some("0"));
        assert_eq!(c.max_value.as_deref(), Some("99999999999999999999"));
        assert!(c.text.is_some());
    }
}

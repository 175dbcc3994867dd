//! The text form of a page (as a browser's "save as text" or a copy gives it)
//! read into the intermediate [`Page`].
//!
//! Section titles stand alone on a line. A table section has a header line,
//! one line per top-level row (cells joined by spaces, empty cells gone) and
//! `  • cell` lines for nested rows, one cell per line. A code section has its
//! language tabs as bullets, then the code of the first tab.

use super::page::{
    Cell, Code, Page, Row, RowKind, SECTION_TITLES, Section, Table, is_code_section,
    is_table_section, split_formats, tab_lang,
};
use super::rows::{is_required_flag, looks_like_name, looks_like_type};

/// Read a page's text. Lines are numbered from 1; CRLF and LF read alike.
pub fn read(text: &str) -> Page {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| SECTION_TITLES.contains(&lines[i].trim()))
        .collect();
    let head_end = starts.first().copied().unwrap_or(lines.len());
    let head = (0..head_end)
        .filter(|&i| !lines[i].trim().is_empty())
        .map(|i| Cell::new(lines[i].trim(), i + 1))
        .collect();
    let mut sections = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let title = lines[s].trim().to_string();
        let body: Vec<(usize, &str)> = (s + 1..end).map(|i| (i + 1, lines[i])).collect();
        let mut section = Section {
            title: title.clone(),
            line: s + 1,
            table: None,
            tabs: vec![],
            code: vec![],
        };
        if is_table_section(&title) {
            section.table = read_table(&body);
        } else if is_code_section(&title) {
            read_code(&body, &mut section);
        }
        sections.push(section);
    }
    Page {
        lines: lines.len(),
        head,
        sections,
    }
}

fn bullet(l: &str) -> Option<&str> {
    l.trim_start().strip_prefix('•').map(str::trim)
}

fn read_table(body: &[(usize, &str)]) -> Option<Table> {
    let mut it = body.iter().filter(|(_, l)| !l.trim().is_empty());
    let &(hline, header) = it.next()?;
    let header: Vec<String> = header.split_whitespace().map(str::to_string).collect();
    let has_required = header.iter().any(|h| h == "是否必须");
    let mut rows = Vec::new();
    let mut run: Vec<Cell> = Vec::new();
    for &(n, l) in it {
        if let Some(b) = bullet(l) {
            run.push(Cell::new(b, n));
        } else {
            rows.extend(group_bullets(std::mem::take(&mut run), has_required));
            rows.push(Row {
                line: n,
                kind: RowKind::Top,
                cells: vec![Cell::new(l.trim(), n)],
                joined: true,
            });
        }
    }
    rows.extend(group_bullets(run, has_required));
    Some(Table {
        line: hline,
        header,
        rows,
    })
}

/// Group a run of bullet cells into rows. A row starts at a `└` cell, or at
/// a name-like cell followed by a type (and, with a 是否必须 column, a
/// required flag) once the current row has its name, type and flag.
pub fn group_bullets(cells: Vec<Cell>, has_required: bool) -> Vec<Row> {
    let min = if has_required { 3 } else { 2 };
    // name, type, [flag], example, constraints, description
    let max = min + 3;
    let mut rows: Vec<Row> = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        let leaf = c.text.starts_with('└');
        let open = rows.last().map(|r| r.cells.len());
        let starts = match open {
            None => true,
            Some(_) if leaf => true,
            Some(n) if n >= max => true,
            Some(n) if n >= min => {
                let next = cells.get(i + 1).map(|c| c.text.as_str());
                let flag = cells.get(i + 2).map(|c| c.text.as_str());
                looks_like_name(&c.text)
                    && next.is_some_and(looks_like_type)
                    && (!has_required || flag.is_some_and(is_required_flag))
            }
            Some(_) => false,
        };
        if starts {
            let name = c.text.trim_start_matches('└').trim();
            rows.push(Row {
                line: c.line,
                kind: RowKind::Nested { leaf, depth: None },
                cells: vec![Cell::new(name, c.line)],
                joined: false,
            });
        } else if let Some(r) = rows.last_mut() {
            r.cells.push(c.clone());
        }
    }
    rows
}

fn read_code(body: &[(usize, &str)], section: &mut Section) {
    let mut i = 0;
    while i < body.len() && (body[i].1.trim().is_empty() || bullet(body[i].1).is_some()) {
        if let Some(b) = bullet(body[i].1) {
            section.tabs.push(b.to_string());
        }
        i += 1;
    }
    let rest = &body[i..];
    let Some(&(first, _)) = rest.first() else {
        return;
    };
    let text = rest.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
    let text = text.trim_end();
    if text.is_empty() {
        return;
    }
    if section.title == super::page::REQUEST_EXAMPLE {
        // The text form shows the first tab's code only.
        let lang = section
            .tabs
            .first()
            .map_or_else(|| "java".to_string(), |t| tab_lang(t));
        section.code.push(Code {
            lang,
            text: text.to_string(),
            line: first,
        });
    } else {
        section.code.extend(split_formats(text, first));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(texts: &[&str]) -> Vec<Cell> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Cell::new(*t, i + 1))
            .collect()
    }

    fn shapes(rows: &[Row]) -> Vec<(String, usize, bool)> {
        rows.iter()
            .map(|r| {
                let leaf = matches!(r.kind, RowKind::Nested { leaf: true, .. });
                (r.cells[0].text.clone(), r.cells.len(), leaf)
            })
            .collect()
    }

    #[test]
    fn leaf_marks_start_rows() {
        let rows = group_bullets(
            cells(&[
                "└ a", "String", "必须", "1", "d", "└ b", "Number", "可选", "2", "e",
            ]),
            true,
        );
        assert_eq!(
            shapes(&rows),
            [("a".into(), 5, true), ("b".into(), 5, true)]
        );
        assert_eq!(rows[1].line, 6);
    }

    #[test]
    fn struct_rows_without_description_are_split_by_shape() {
        let rows = group_bullets(
            cells(&[
                "orderItems",
                "Struct",
                "可选",
                "orderItem",
                "Struct",
                "可选",
                "└ trade_id",
                "String",
                "必须",
                "123",
                "交易单号",
            ]),
            true,
        );
        assert_eq!(
            shapes(&rows),
            [
                ("orderItems".into(), 3, false),
                ("orderItem".into(), 3, false),
                ("trade_id".into(), 5, true)
            ]
        );
    }

    #[test]
    fn a_struct_row_after_a_leaf_on_the_response_side() {
        let rows = group_bullets(
            cells(&[
                "└ error_msg",
                "String",
                "参数错误",
                "结果描述",
                "contract_place_order",
                "ContractPlaceOrder",
                "结果",
            ]),
            false,
        );
        assert_eq!(
            shapes(&rows),
            [
                ("error_msg".into(), 4, true),
                ("contract_place_order".into(), 3, false)
            ]
        );
    }

    #[test]
    fn sections_tables_and_code() {
        let page = read(
            "注意:以下文档只适用于TOP接口\r\n\r\n文档中心 > API类目 > X\r\n\r\ntaobao.a.b (标题)\r\n\r\n请求参数\r\n\r\n名称 类型 是否必须 示例值 更多限制 描述\r\np S 可选 d\r\n  • └ a\r\n  • String\r\n  • 必须\r\n  • 1\r\n  • d\r\n\r\n请求示例\r\n\r\n  • JAVA\r\n  • PHP\r\nX req = new X();\r\n\r\n响应示例\r\n\r\n  • XML示例\r\n<a_b_response/>\r\n{\"a\": 1}\r\n",
        );
        assert_eq!(
            page.head.iter().map(|c| c.line).collect::<Vec<_>>(),
            [1, 3, 5]
        );
        let t = page
            .section("请求参数")
            .and_then(|s| s.table.as_ref())
            .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].line, 11);
        let req = page.section("请求示例").unwrap();
        assert_eq!(req.tabs, ["JAVA", "PHP"]);
        assert_eq!((req.code[0].lang.as_str(), req.code[0].line), ("java", 21));
        let resp = page.section("响应示例").unwrap();
        let langs: Vec<_> = resp
            .code
            .iter()
            .map(|c| (c.lang.as_str(), c.line))
            .collect();
        assert_eq!(langs, [("xml", 26), ("json", 27)]);
    }
}

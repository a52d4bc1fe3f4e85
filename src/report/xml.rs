//! The XML formats: Checkstyle (read by reviewdog, Jenkins' warnings plugin
//! and many CI tools) and JUnit (read by test-report widgets: each finding
//! is a failed test case, one suite per file). quick-xml escapes attribute
//! values and text, line breaks included; characters XML 1.0 cannot hold at
//! all become U+FFFD.

use super::{Finding, Report};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io::{self, Write};

/// The findings per file (repository-relative path), files in the order of
/// their first finding.
fn by_file<'r, 'a>(report: &'r Report<'a>) -> Vec<(&'r str, Vec<&'r Finding<'a>>)> {
    let mut files: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in &report.findings {
        let path = f.location.repo_path.as_str();
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some((_, fs)) => fs.push(f),
            None => files.push((path, vec![f])),
        }
    }
    files
}

/// Text XML 1.0 can carry: control characters other than tab, LF and CR,
/// and the non-characters U+FFFE and U+FFFF, replaced.
fn xml_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

fn writer(w: &mut dyn Write) -> io::Result<Writer<&mut dyn Write>> {
    let mut xml = Writer::new_with_indent(w, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    Ok(xml)
}

pub fn write_checkstyle(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut xml = writer(w)?;
    xml.create_element("checkstyle")
        .with_attribute(("version", "4.3"))
        .write_inner_content(|xml| {
            for (path, findings) in by_file(report) {
                xml.create_element("file")
                    .with_attribute(("name", xml_text(path).as_str()))
                    .write_inner_content(|xml| {
                        for f in findings {
                            xml.create_element("error")
                                .with_attribute(("line", f.location.start.line.to_string().as_str()))
                                .with_attribute(("column", f.location.start.column.to_string().as_str()))
                                .with_attribute(("severity", f.severity.as_str()))
                                .with_attribute(("message", xml_text(f.message).as_str()))
                                .with_attribute(("source", f.code))
                                .write_empty()?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    writeln!(xml.get_mut())
}

/// A JUnit class name: the path without its extension.
fn class_name(path: &str) -> &str {
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    match path[name_start..].rfind('.') {
        Some(dot) if dot > 0 => &path[..name_start + dot],
        _ => path,
    }
}

pub fn write_junit(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let n = report.findings.len().to_string();
    let mut xml = writer(w)?;
    let suites = xml
        .create_element("testsuites")
        .with_attribute(("name", "kfr"))
        .with_attribute(("tests", if report.findings.is_empty() { "1" } else { &n }))
        .with_attribute(("failures", n.as_str()))
        .with_attribute(("errors", "0"));
    if report.findings.is_empty() {
        suites.write_inner_content(|xml| {
            xml.create_element("testsuite")
                .with_attribute(("name", "kfr"))
                .with_attribute(("tests", "1"))
                .with_attribute(("failures", "0"))
                .with_attribute(("errors", "0"))
                .write_inner_content(|xml| {
                    xml.create_element("testcase")
                        .with_attribute(("name", "No errors found"))
                        .with_attribute(("classname", "kfr"))
                        .write_empty()?;
                    Ok(())
                })?;
            Ok(())
        })?;
        return writeln!(xml.get_mut());
    }
    suites.write_inner_content(|xml| {
        for (path, findings) in by_file(report) {
            let count = findings.len().to_string();
            let path = xml_text(path);
            xml.create_element("testsuite")
                .with_attribute(("name", path.as_str()))
                .with_attribute(("tests", count.as_str()))
                .with_attribute(("failures", count.as_str()))
                .with_attribute(("errors", "0"))
                .with_attribute(("package", "org.kfr"))
                .write_inner_content(|xml| {
                    for f in findings {
                        let (line, column) = (f.location.start.line.to_string(), f.location.start.column.to_string());
                        let message = xml_text(f.message);
                        xml.create_element("testcase")
                            .with_attribute(("name", format!("org.kfr.{}", f.code).as_str()))
                            .with_attribute(("classname", class_name(&path)))
                            .with_attribute(("line", line.as_str()))
                            .with_attribute(("column", column.as_str()))
                            .write_inner_content(|xml| {
                                xml.create_element("failure")
                                    .with_attribute(("message", message.as_str()))
                                    .with_attribute(("type", f.severity.as_str()))
                                    .write_text_content(BytesText::new(&format!(
                                        "line {line}, col {column}, {message}"
                                    )))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    writeln!(xml.get_mut())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn render(f: fn(&mut dyn Write, &Report) -> io::Result<()>) -> String {
        let db = fixture::db();
        let diags = fixture::diagnostics(&db);
        let report = fixture::report(&db, &diags);
        let mut out = Vec::new();
        f(&mut out, &report).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn checkstyle_escapes_attributes() {
        let out = render(write_checkstyle);
        assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n  <file name=\"a, b: 100%/é.mk\">\n"), "{out}");
        assert!(
            out.contains("<error line=\"2\" column=\"4\" severity=\"warning\" message=\"target `é𝔘 target` is 100% &lt;late&gt;, &quot;so&quot;: a,b&#10;next line&#13;\" source=\"KFR001\"/>"),
            "{out}"
        );
        assert_eq!(out.matches("<file ").count(), 1);
        assert_eq!(out.matches("<error ").count(), 3);
    }

    #[test]
    fn junit_one_case_per_finding() {
        let out = render(write_junit);
        assert!(
            out.contains("<testsuites name=\"kfr\" tests=\"3\" failures=\"3\" errors=\"0\">"),
            "{out}"
        );
        assert!(
            out.contains("<testcase name=\"org.kfr.KFR001\" classname=\"a, b: 100%/é\" line=\"2\" column=\"4\">"),
            "{out}"
        );
        assert!(out.contains(">line 3, col 2, cycle: `echo 50%`</failure>"), "{out}");
    }

    #[test]
    fn helpers() {
        assert_eq!(xml_text("a\u{1}b\tc\u{ffff}"), "a\u{fffd}b\tc\u{fffd}");
        assert_eq!(class_name("dags/etl.v2.py"), "dags/etl.v2");
        assert_eq!(class_name("ml/Makefile"), "ml/Makefile");
        assert_eq!(class_name("x.d/.env"), "x.d/.env");
    }
}

//! The report in layers, end to end through the binary: a quick run of the claims that draw
//! figures writes README.md (the index, under 40 KB), one page per claim and results.json with its
//! `summary` first; every link of the index and of every claim page points to an existing file;
//! every SVG figure parses and renders (resvg) to a non-blank PNG on a white background. The run's
//! progress is one line when a claim starts and one when it ends on a non-terminal stderr, and
//! nothing with `--quiet`.

mod common;

use std::path::{Path, PathBuf};

use common::run;
use resvg::{tiny_skia, usvg};
use shape_matters::report::{CLAIMS_DIR, INDEX_FILE, KEY_FIGURES, page_path};

/// The claims with figures (Theorems 2.1 and 2.2, Figure 1) and one without.
const CLAIMS: [&str; 4] = ["G.1", "2.1", "2.2", "fig1"];
/// The limit for the index.
const INDEX_MAX_BYTES: u64 = 40_000;

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shape-matters-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The targets of the Markdown links and images `[…](target)` in `text`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(j) = rest.find(')') {
            out.push(rest[..j].to_string());
            rest = &rest[j..];
        }
    }
    out
}

/// Every link of the Markdown file `path` points to an existing file (relative to the file).
fn assert_links_resolve(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = path.parent().unwrap();
    let targets = links(&text);
    for t in &targets {
        assert!(!t.is_empty() && !t.contains("://"), "{}: unexpected link '{t}'", path.display());
        let file = dir.join(t.split('#').next().unwrap());
        assert!(file.is_file(), "{}: link '{t}' points to a missing file", path.display());
    }
    targets
}

/// Render an SVG file to a PNG next to it; returns (pixels, width, height) in RGBA.
fn render(svg: &Path, opt: &usvg::Options) -> (Vec<u8>, u32, u32) {
    let data = std::fs::read(svg).unwrap();
    let tree = usvg::Tree::from_data(&data, opt).unwrap_or_else(|e| panic!("{}: does not parse: {e}", svg.display()));
    let size = tree.size().to_int_size();
    let mut pm = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(&tree, tiny_skia::Transform::default(), &mut pm.as_mut());
    pm.save_png(svg.with_extension("png")).unwrap();
    (pm.data().to_vec(), size.width(), size.height())
}

#[test]
fn a_quick_run_writes_the_report_in_layers() {
    let dir = tmpdir("layers");
    let out = run(&["run", "--budget", "quick", "--only", &CLAIMS.join(","), "--out", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");

    // Progress on a non-terminal stderr: one line as each claim starts, one as it ends, in order.
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2 * CLAIMS.len(), "{err}");
    for (k, id) in CLAIMS.iter().enumerate() {
        let title = shape_matters::claims::find(id).unwrap().title;
        assert_eq!(lines[2 * k], format!("running {id} — {title}"));
        let done = lines[2 * k + 1];
        assert!(done.starts_with(&format!("done {id} in ")), "{done}");
        assert!(done.ends_with(&format!(" s ({}/{})", k + 1, CLAIMS.len())), "{done}");
    }

    // The index: small, the verdict table, one page per claim, all links resolve.
    let index = dir.join(INDEX_FILE);
    let size = std::fs::metadata(&index).unwrap().len();
    assert!(size < INDEX_MAX_BYTES, "README.md is {size} bytes");
    let targets = assert_links_resolve(&index);
    let text = std::fs::read_to_string(&index).unwrap();
    assert!(text.contains("**Exit status 0**"), "{text}");
    for id in CLAIMS {
        let page = page_path(id);
        assert!(targets.contains(&page), "{page} not linked from the index");
        assert!(dir.join(&page).is_file(), "{page}");
        let md = std::fs::read_to_string(dir.join(&page)).unwrap();
        assert!(md.starts_with(&format!("[← report index](../{INDEX_FILE})")), "{page}");
        assert!(md.contains(&format!("## {id} — ")), "{page}");
        assert_links_resolve(&dir.join(&page));
    }
    let pages = std::fs::read_dir(dir.join(CLAIMS_DIR)).unwrap().count();
    assert_eq!(pages, CLAIMS.len());
    // The key figures are embedded as images, every other figure is linked.
    let figures: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".svg"))
        .collect();
    for (file, _) in KEY_FIGURES {
        assert!(figures.iter().any(|f| f == file), "key figure {file} was not written");
        let embedded = text.lines().any(|l| l.starts_with("![") && l.ends_with(&format!("]({file})")));
        assert!(embedded, "{file} not embedded");
    }
    for f in &figures {
        assert!(targets.contains(f), "{f} not linked from the index");
    }

    // results.json: the summary first, then meta and the outcomes; the summary agrees with them.
    let json = std::fs::read_to_string(dir.join("results.json")).unwrap();
    let first_key = json.trim_start_matches(['{', '\n', ' ']).split('"').nth(1).unwrap();
    assert_eq!(first_key, "summary");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sum = &v["summary"];
    assert_eq!(sum["status"]["exit_code"], 0);
    let ids: Vec<&str> = sum["claims"].as_array().unwrap().iter().map(|c| c["claim"].as_str().unwrap()).collect();
    assert_eq!(ids, CLAIMS);
    assert_eq!(v["meta"]["claims"], serde_json::json!(CLAIMS));
    assert_eq!(v["outcomes"].as_array().unwrap().len(), CLAIMS.len());
    let mc_checks: usize = v["outcomes"].as_array().unwrap().iter().map(|o| o["mc"].as_array().unwrap().len()).sum();
    assert_eq!(sum["monte_carlo"]["checks"], mc_checks);
    let errata: usize = v["outcomes"].as_array().unwrap().iter().map(|o| o["errata"].as_array().unwrap().len()).sum();
    assert_eq!(sum["errata"]["total"], errata);
    assert!(errata > 0 && sum["errata"]["witnessed"].as_u64().unwrap() <= errata as u64);

    // Every SVG parses and renders to a non-blank PNG with a white background.
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb.faces().any(|f| f.families.iter().any(|(n, _)| n == "DejaVu Sans")) {
        opt.fontdb_mut().set_sans_serif_family("DejaVu Sans");
    }
    assert!(figures.len() >= KEY_FIGURES.len(), "{figures:?}");
    for f in &figures {
        let (px, w, h) = render(&dir.join(f), &opt);
        assert!(w >= 600 && h >= 400, "{f}: {w}×{h}");
        let pixel = |x: u32, y: u32| &px[4 * (y * w + x) as usize..4 * (y * w + x) as usize + 4];
        for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
            assert_eq!(pixel(x, y), [255, 255, 255, 255], "{f}: corner ({x}, {y}) is not opaque white");
        }
        let dark = px.chunks(4).filter(|p| p[0] < 128 && p[1] < 128 && p[2] < 128).count();
        let coloured = px.chunks(4).filter(|p| p[0].abs_diff(p[1]) > 60 || p[1].abs_diff(p[2]) > 60).count();
        assert!(dark > 500, "{f}: {dark} dark pixels (axes, ticks, text)");
        assert!(coloured > 500, "{f}: {coloured} coloured pixels (the curves)");
    }
}

#[test]
fn quiet_runs_print_no_progress() {
    let dir = tmpdir("quiet");
    let out = run(&["run", "--budget", "quick", "--only", "G.1", "--quiet", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join(INDEX_FILE).is_file() && dir.join(page_path("G.1")).is_file());
    assert_links_resolve(&dir.join(INDEX_FILE));
}

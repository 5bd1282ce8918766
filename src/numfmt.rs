//! Number formatting shared by the evidence layers and the report (below both, so the evidence
//! never imports the report).

/// Escape a markdown table cell (`|` would end the cell).
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Round to `sig` significant digits (decimal, via Rust's exact float formatting).
pub fn round_sig(x: f64, sig: usize) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{:.*e}", sig.saturating_sub(1), x).parse().unwrap_or(x)
}

/// Format with 4 significant digits (plain for moderate magnitudes, scientific otherwise).
pub fn fmt(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "−∞".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let a = x.abs();
    if (1e-3..1e5).contains(&a) {
        let digits = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{:.*}", digits, round_sig(x, 4));
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else {
        format!("{:.3e}", x)
    }
}

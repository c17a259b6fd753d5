use citymirror_core::{records::RECORD_SCHEMAS, LayerId};

use super::{describe, open_store, repos};
use crate::cli::StoreArgs;

/// Prints the count of every layer and record kind, and the total pipe length.
pub async fn run(args: StoreArgs) -> anyhow::Result<()> {
    let store = open_store(&args).await?;
    let (twin, records) = repos(&store);
    println!("CityMirror twin — {}", describe(&args));
    for key in ["scale", "seed", "generated_at"] {
        if let Some(v) = twin.get_meta(key).await? {
            println!("  {key:<22} {v}");
        }
    }
    println!("layers");
    for layer in LayerId::ALL {
        let s = layer.schema();
        println!(
            "  {:<22} {:>12}  {}",
            layer.as_str(),
            fmt_int(twin.count_features(layer).await?),
            s.title_zh
        );
    }
    let pipes = twin.load_layer(LayerId::Pipes).await?;
    let i = LayerId::Pipes.schema().property("length_m").map(|(i, _)| i);
    let metres: f64 = pipes
        .iter()
        .filter_map(|f| i.and_then(|i| f.props[i].as_f64()))
        .sum();
    println!(
        "  {:<22} {:>12.1}  管线总长(公里)",
        "pipes_km",
        metres / 1000.0
    );
    println!("records");
    let mut total = 0;
    for schema in RECORD_SCHEMAS {
        let n = records.count_records(schema).await?;
        total += n;
        println!(
            "  {:<22} {:>12}  {}",
            schema.name,
            fmt_int(n),
            schema.title_zh
        );
    }
    println!("  {:<22} {:>12}", "total", fmt_int(total));
    Ok(())
}

/// 1234567 → "1,234,567".
fn fmt_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::fmt_int(1_234_567), "1,234,567");
        assert_eq!(super::fmt_int(999), "999");
        assert_eq!(super::fmt_int(0), "0");
    }
}

//! `Debug` as Rust source, for pasteable failure reports.

use std::fmt;

use botfeat::{Feature, FeatureFile, FeatureType, Value};

/// A feature file whose `Debug` is a Rust expression that builds it.
#[derive(Clone, PartialEq, Eq)]
pub struct Model(pub FeatureFile);

/// Bytes whose `Debug` is a byte-string literal.
#[derive(Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("b\"")?;
        for &b in &self.0 {
            match b {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                b'\n' => f.write_str("\\n")?,
                b'\r' => f.write_str("\\r")?,
                b'\t' => f.write_str("\\t")?,
                0x20..=0x7e => write!(f, "{}", char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        f.write_str("\"")
    }
}

fn ty(t: FeatureType) -> String {
    match t {
        FeatureType::Str(n) => format!("FeatureType::Str({n})"),
        other => format!("FeatureType::{other:?}"),
    }
}

fn value(v: &Value) -> String {
    match v {
        Value::F32(x) => format!("Value::F32(f32::from_bits({:#x}))", x.to_bits()),
        Value::F64(x) => format!("Value::F64(f64::from_bits({:#x}))", x.to_bits()),
        Value::Ip(ip) => format!("Value::Ip({:?}.parse().unwrap())", ip.to_string()),
        Value::Str(s) => format!("Value::Str({s:?}.into())"),
        Value::Bool(x) => format!("Value::Bool({x})"),
        Value::U8(x) => format!("Value::U8({x})"),
        Value::U16(x) => format!("Value::U16({x})"),
        Value::U32(x) => format!("Value::U32({x})"),
        Value::U64(x) => format!("Value::U64({x})"),
        Value::I64(x) => format!("Value::I64({x})"),
    }
}

fn feature(x: &Feature) -> String {
    let default = x
        .default
        .as_ref()
        .map_or("None".to_string(), |v| format!("Some({})", value(v)));
    format!(
        "Feature {{ name: {:?}.into(), ty: {}, default: {default} }}",
        x.name,
        ty(x.ty)
    )
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "FeatureFile {{ serial: {}, features: vec![",
            self.0.serial
        )?;
        for x in &self.0.features {
            writeln!(f, "    {},", feature(x))?;
        }
        f.write_str("] }")
    }
}

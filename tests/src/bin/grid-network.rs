//! Writes a synthetic walking network — a square street grid — as a
//! compact `.lcwn` file, for tests that need a network where no
//! OpenStreetMap extract is at hand (the console's isochrone and coverage
//! colours over the illustrative Longwan demo data). Not real streets.
//!
//! ```text
//! grid-network --out grid.lcwn [--south 27.86 --west 120.70 --north 27.99 --east 120.92 --step-m 250]
//! ```

use lawcircle_core::geo::network::WalkingNetwork;
use std::process::ExitCode;

struct Args {
    out: String,
    south: f64,
    west: f64,
    north: f64,
    east: f64,
    step_m: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        out: String::new(),
        south: 27.86,
        west: 120.70,
        north: 27.99,
        east: 120.92,
        step_m: 250.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = || value.parse::<f64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--out" => a.out = value.clone(),
            "--south" => a.south = num()?,
            "--west" => a.west = num()?,
            "--north" => a.north = num()?,
            "--east" => a.east = num()?,
            "--step-m" => a.step_m = num()?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if a.out.is_empty() {
        return Err("--out is required".into());
    }
    if a.step_m.is_nan() || a.step_m < 10.0 || a.south >= a.north || a.west >= a.east {
        return Err("need south < north, west < east and --step-m ≥ 10".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("grid-network: {e}");
            return ExitCode::from(2);
        }
    };
    let mid = (a.south + a.north) / 2.0;
    let dlat = a.step_m / 111_320.0;
    let dlng = a.step_m / (111_320.0 * mid.to_radians().cos());
    let rows = ((a.north - a.south) / dlat).ceil() as u32 + 1;
    let cols = ((a.east - a.west) / dlng).ceil() as u32 + 1;
    let mut nodes = Vec::with_capacity((rows * cols) as usize);
    for r in 0..rows {
        for c in 0..cols {
            nodes.push((a.south + f64::from(r) * dlat, a.west + f64::from(c) * dlng));
        }
    }
    let mut edges = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let i = r * cols + c;
            if c + 1 < cols {
                edges.push((i, i + 1));
            }
            if r + 1 < rows {
                edges.push((i, i + cols));
            }
        }
    }
    let result = WalkingNetwork::from_edges(&nodes, &edges).and_then(|net| net.save(&a.out));
    match result {
        Ok(()) => {
            println!("{} nodes, {} edges -> {}", nodes.len(), edges.len(), a.out);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("grid-network: {e}");
            ExitCode::FAILURE
        }
    }
}

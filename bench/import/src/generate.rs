//! A deterministic contact CSV: unique rows, plus 5 % duplicates of earlier rows (same
//! email, other case) and 2 % invalid rows (bad email and no phone, or a bad phone).

use std::{io::Write, path::Path};

pub struct Stats {
    pub valid: u64,
    pub duplicates: u64,
    pub invalid: u64,
}

const CITIES: [&str; 8] = [
    "Paris",
    "Lyon",
    "Lille",
    "Nantes",
    "Bordeaux",
    "Marseille",
    "Rennes",
    "Nice",
];
const FIRST: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST: [&str; 8] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];

pub fn write(path: &Path, rows: u64) -> std::io::Result<Stats> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "email,phone,first_name,last_name,city,email_consent")?;
    let mut stats = Stats {
        valid: 0,
        duplicates: 0,
        invalid: 0,
    };
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..rows {
        // xorshift: cheap, reproducible.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let roll = x % 100;
        let (f, l, c) = (
            FIRST[(x >> 8) as usize % 8],
            LAST[(x >> 12) as usize % 8],
            CITIES[(x >> 16) as usize % 8],
        );
        let consent = ["yes", "no", ""][(x >> 20) as usize % 3];
        if roll < 2 {
            stats.invalid += 1;
            if roll == 0 {
                writeln!(out, "user{i}.example.org,,{f},{l},{c},{consent}")?;
            } else {
                writeln!(out, "user{i}@example.org,12345,{f},{l},{c},{consent}")?;
            }
        } else if roll < 7 && stats.valid > 0 {
            stats.duplicates += 1;
            let earlier = (x >> 24) % stats.valid;
            writeln!(out, "USER{earlier}@Example.org,,{f},{l},{c},{consent}")?;
        } else {
            let n = stats.valid;
            stats.valid += 1;
            // Unique French mobiles, half in national format (read with the region), half E.164.
            if n.is_multiple_of(2) {
                writeln!(
                    out,
                    "user{n}@example.org,06 {:02} {:02} {:02} {:02},{f},{l},{c},{consent}",
                    n / 1_000_000 % 100,
                    n / 10_000 % 100,
                    n / 100 % 100,
                    n % 100
                )?;
            } else {
                writeln!(
                    out,
                    "user{n}@example.org,+3378{:07},{f},{l},{c},{consent}",
                    n
                )?;
            }
        }
    }
    out.flush()?;
    Ok(stats)
}

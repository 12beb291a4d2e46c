//! The CSV exchange format of factorization data sets, read by the reference-library scripts
//! in `benches/` (`mf-export`, `mf-bench`): five files,
//! - `meta.csv`: `n_users,n_items,n_user_features,n_item_features`, one row;
//! - `user_features.csv`, `item_features.csv`: `row,col,weight`, one line per non-zero;
//! - `train.csv`, `test.csv`: `user,item`, one line per positive.
//!
//! Writers and readers in, no paths: the caller opens the file named in [`FILES`].

use std::io::{BufRead, Write};

use super::experiment::MfDataset;
use super::CsrMatrix;
use crate::error::{Error, Location, Result};

/// The files of a data set, in the order [`write()`] writes them.
pub const FILES: [&str; 5] = [
    "meta.csv",
    "user_features.csv",
    "item_features.csv",
    "train.csv",
    "test.csv",
];

fn csr_rows(m: &CsrMatrix, w: &mut dyn Write) -> std::io::Result<()> {
    for r in 0..m.rows {
        let (c, v) = m.row(r);
        for (c, v) in c.iter().zip(v) {
            writeln!(w, "{r},{c},{v}")?;
        }
    }
    Ok(())
}

/// Writes file `name` (one of [`FILES`]) of `ds` to `w`.
pub fn write(ds: &MfDataset, name: &str, w: &mut dyn Write) -> std::io::Result<()> {
    let (u, i) = (&ds.user_features, &ds.item_features);
    let pairs = |w: &mut dyn Write, pairs: &[(u32, u32, f64)]| -> std::io::Result<()> {
        writeln!(w, "user,item")?;
        for p in pairs {
            writeln!(w, "{},{}", p.0, p.1)?;
        }
        Ok(())
    };
    match name {
        "meta.csv" => {
            writeln!(w, "n_users,n_items,n_user_features,n_item_features")?;
            writeln!(w, "{},{},{},{}", u.rows, i.rows, u.cols, i.cols)
        }
        "user_features.csv" => {
            writeln!(w, "row,col,weight")?;
            csr_rows(u, w)
        }
        "item_features.csv" => {
            writeln!(w, "row,col,weight")?;
            csr_rows(i, w)
        }
        "train.csv" => pairs(w, &ds.train),
        "test.csv" => pairs(w, &ds.test),
        other => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{other}: not a file of the exchange format"),
        )),
    }
}

/// The numbers of a file's data lines, `cols` per line.
fn numbers(r: impl BufRead, source: &str, cols: usize) -> Result<Vec<Vec<f64>>> {
    let mut out = Vec::new();
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(|e| Error::io(source, e))?;
        if n == 0 {
            continue;
        }
        let at = Location::source(source).at_line(n as u64 + 1);
        let v: Vec<f64> = line
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
            })
            .collect::<Option<_>>()
            .ok_or_else(|| Error::parse(at.clone(), format!("{cols} numbers >= 0"), &line))?;
        if v.len() != cols {
            return Err(Error::parse(at, format!("{cols} numbers >= 0"), line));
        }
        out.push(v);
    }
    Ok(out)
}

/// Reads a data set; `open(name)` gives a reader for each of [`FILES`] and the name to
/// report in errors.
pub fn read<R: BufRead>(mut open: impl FnMut(&str) -> Result<(R, String)>) -> Result<MfDataset> {
    let mut file = |name: &str, cols: usize| -> Result<(Vec<Vec<f64>>, String)> {
        let (r, source) = open(name)?;
        Ok((numbers(r, &source, cols)?, source))
    };
    let (meta, meta_src) = file("meta.csv", 4)?;
    let m = meta
        .first()
        .ok_or_else(|| Error::malformed(Location::source(meta_src), "no data row"))?;
    let (nu, ni, nuf, nif) = (m[0] as u32, m[1] as u32, m[2] as u32, m[3] as u32);
    let mut csr = |name: &str, rows: u32, cols: u32| -> Result<CsrMatrix> {
        let (lines, source) = file(name, 3)?;
        let mut r = vec![Vec::new(); rows as usize];
        for (k, v) in lines.into_iter().enumerate() {
            let row = r.get_mut(v[0] as usize).ok_or_else(|| {
                Error::malformed(
                    Location::source(source.clone()).at_line(k as u64 + 2),
                    format!("row {} is outside the {rows} rows of meta.csv", v[0]),
                )
            })?;
            row.push((v[1] as u32, v[2] as f32));
        }
        CsrMatrix::from_rows(cols, &r)
    };
    let user_features = csr("user_features.csv", nu, nuf)?;
    let item_features = csr("item_features.csv", ni, nif)?;
    let mut pairs = |name: &str| -> Result<Vec<(u32, u32, f64)>> {
        Ok(file(name, 2)?
            .0
            .into_iter()
            .map(|v| (v[0] as u32, v[1] as u32, 1.0))
            .collect())
    };
    Ok(MfDataset {
        user_features,
        item_features,
        train: pairs("train.csv")?,
        test: pairs("test.csv")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_data_set_round_trips_and_bad_lines_are_named() {
        let ds = MfDataset {
            user_features: CsrMatrix::from_rows(2, &[vec![(0, 1.0)], vec![(1, 0.5), (0, 0.5)]])
                .unwrap(),
            item_features: CsrMatrix::from_rows(1, &[vec![(0, 1.0)]]).unwrap(),
            train: vec![(0, 0, 1.0)],
            test: vec![(1, 0, 1.0)],
        };
        let mut files = BTreeMap::new();
        for name in FILES {
            let mut buf = Vec::new();
            write(&ds, name, &mut buf).unwrap();
            files.insert(name.to_string(), buf);
        }
        let open = |files: &BTreeMap<String, Vec<u8>>| {
            let files = files.clone();
            move |name: &str| -> Result<(std::io::Cursor<Vec<u8>>, String)> {
                Ok((std::io::Cursor::new(files[name].clone()), name.to_string()))
            }
        };
        let back = read(open(&files)).unwrap();
        assert_eq!(back.train, ds.train);
        assert_eq!(back.test, ds.test);
        assert_eq!(back.user_features, ds.user_features);
        assert_eq!(back.item_features, ds.item_features);
        files.insert("train.csv".into(), b"user,item\n0,x\n".to_vec());
        let e = read(open(&files)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "train.csv:2: expected 2 numbers >= 0, found \"0,x\""
        );
    }
}

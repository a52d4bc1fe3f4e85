//! Fuzz targets for kfr's frontends; see `README.md`.

pub mod drive;

//! kfr reads the ML pipelines teams already have, builds one DAG of their
//! steps and the files they hand each other, lints it, and (later) migrates
//! legacy pipelines to Kubeflow Pipelines.
//!
//! Data flows one way: [`discover`] finds sources, a [`frontend`] lowers each
//! file into a [`dag::Fragment`] (in parallel), [`dag::link`] joins them into
//! one [`dag::Dag`], [`rules`] turn the graph into [`diagnostic::Diagnostic`]s,
//! and [`report`] renders them.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod cron;
pub mod dag;
pub mod diagnostic;
pub mod diff;
pub mod discover;
pub mod frontend;
pub mod migrate;
pub mod packages;
pub mod python;
pub mod report;
pub mod rules;
pub mod shell;
pub mod source;
pub mod suppression;
pub mod syntax;
pub mod yaml;

//! Airflow DAG files, read statically. The module body is evaluated by the
//! static Python interpreter ([`crate::python`]) with a host that models
//! what Airflow's classes and decorators build: DAGs, operators, TaskFlow
//! tasks, task groups, mapped tasks, and the dependencies `>>`, `<<`,
//! `set_upstream`, `chain`, `cross_downstream` and TaskFlow data passing
//! declare. Task ids are computed as Airflow computes them (group prefixes,
//! the `__1` suffixes of repeated TaskFlow calls), effective retries as
//! Airflow resolves them (operator argument, then `default_args` of the
//! task, its task groups and its DAG, then 0).
//!
//! A DAG is loaded when Airflow would load it: it was used as a context
//! manager (`with DAG(...)`, a called `@dag` function) or it is the value
//! of a module-level name when the module ends.

mod host;
mod lower;

pub use lower::{LIBRARY, lower};

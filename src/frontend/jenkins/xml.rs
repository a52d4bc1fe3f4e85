pub fn lower(_db: &crate::source::SourceDb, _file: &std::sync::Arc<crate::source::SourceFile>) -> crate::dag::Fragment {
    crate::dag::Fragment::default()
}

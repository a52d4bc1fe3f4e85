fn main() -> std::process::ExitCode {
    kfr::cli::main()
}

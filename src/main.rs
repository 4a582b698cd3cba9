fn main() -> std::process::ExitCode {
    p4p_designer::cli::main()
}

fn main() -> std::process::ExitCode {
    strata::main_with_args(std::env::args_os())
}

use p4p_designer::cli::{self, Launch};
use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Launch::Exit(code) => code,
        Launch::Window(program) => match p4p_designer::app::run_window(program) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                cli::report_failure(&format!("window: {e}"));
                ExitCode::FAILURE
            }
        },
    }
}

use p4p_designer::cli::{self, Launch};
use std::process::ExitCode;

// polars allocates and frees large column buffers batch after batch; the system allocator
// hands each back to the kernel and faults it in again, mimalloc keeps and reuses them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

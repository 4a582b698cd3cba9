pub mod engine;
pub mod program;

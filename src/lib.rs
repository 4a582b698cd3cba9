pub mod engine;
pub mod program;
pub mod app;

fn main() {
    std::process::exit(shape_matters::cli::main());
}

import ArgumentParser

/// Errors the command line reports itself: each says what and where, and exits 2.
enum CLIError: Error, CustomStringConvertible {
    case cannotRead(String, String)
    case cannotWrite(String, String)
    /// An argument names nothing known (scenario, revision, vGPU type) or is out of range.
    case badArgument(String)

    var description: String {
        switch self {
        case let .cannotRead(path, why): "gvtrr: cannot read \(path): \(why)"
        case let .cannotWrite(path, why): "gvtrr: cannot write \(path): \(why)"
        case let .badArgument(why): "gvtrr: \(why)"
        }
    }
}

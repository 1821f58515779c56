import ArgumentParser

/// Errors the command line reports itself: each says what and where, and exits 2.
enum CLIError: Error, CustomStringConvertible {
    case cannotRead(String, String)
    case cannotWrite(String, String)

    var description: String {
        switch self {
        case let .cannotRead(path, why): "gvtrr: cannot read \(path): \(why)"
        case let .cannotWrite(path, why): "gvtrr: cannot write \(path): \(why)"
        }
    }
}

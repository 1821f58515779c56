#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes one line to standard error.
func printError(_ message: String) {
    var text = message
    if !text.hasSuffix("\n") { text += "\n" }
    _ = text.withCString { fputs($0, stderrStream()) }
}

/// Glibc's `stderr` is a mutable global Swift 6 refuses to touch; fetch it through fdopen once.
private func stderrStream() -> UnsafeMutablePointer<FILE> {
    StandardError.stream
}

private enum StandardError {
    nonisolated(unsafe) static let stream: UnsafeMutablePointer<FILE> = fdopen(2, "w")!
}

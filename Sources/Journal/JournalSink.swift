import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// close(2), named so the sink's own `close()` does not shadow it.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}

/// Where a journal writer's bytes go: a file, memory, or a test double that fails on cue.
///
/// The writer only appends, except for one in-place rewrite of the lifecycle section on a
/// clean close. Errors thrown here reach the caller as `JournalError.writeFailed`.
public protocol JournalSink: AnyObject, Sendable {
    /// A name for messages (the file's path).
    var destination: String { get }
    /// Appends bytes at the end.
    func append(_ bytes: [UInt8]) throws
    /// Rewrites bytes already written, at `offset` (never past the end).
    func overwrite(_ bytes: [UInt8], at offset: UInt64) throws
    /// Makes everything written durable (fsync for a file).
    func synchronize() throws
    /// Releases the destination; no call follows.
    func close() throws
}

/// An OS error number as an error with the system's message.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// errno.
    public var code: Int32
    /// What was being done ("write").
    public var operation: String
    /// "write: No space left on device".
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// A journal file, created (or truncated) when the sink is made.
public final class FileJournalSink: JournalSink, @unchecked Sendable {
    /// The file's path.
    public let destination: String
    private let fd: Int32

    /// Creates or truncates `path`.
    public init(path: String) throws {
        destination = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError(code: errno, operation: "open") }
        self.fd = fd
    }

    deinit { closeDescriptor(fd) }

    /// Writes all bytes, retrying short writes and EINTR.
    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SystemError(code: errno, operation: "write")
                }
                done += n
            }
        }
    }

    /// Positional write (pwrite).
    public func overwrite(_ bytes: [UInt8], at offset: UInt64) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SystemError(code: errno, operation: "pwrite")
                }
                done += n
            }
        }
    }

    /// fsync.
    public func synchronize() throws {
        guard fsync(fd) == 0 else { throw SystemError(code: errno, operation: "fsync") }
    }

    /// Nothing to do until deinit closes the descriptor; kept for the protocol.
    public func close() throws {}
}

/// A journal in memory (tests, salvage previews).
public final class MemoryJournalSink: JournalSink, @unchecked Sendable {
    /// "memory".
    public let destination: String
    private let lock = NSLock()
    private var storage: [UInt8] = []

    /// An empty in-memory journal.
    public init(destination: String = "memory") { self.destination = destination }

    /// The bytes written so far.
    public var bytes: [UInt8] { lock.withLock { storage } }

    /// Appends.
    public func append(_ bytes: [UInt8]) throws { lock.withLock { storage += bytes } }

    /// Rewrites in place.
    public func overwrite(_ bytes: [UInt8], at offset: UInt64) throws {
        lock.withLock {
            precondition(offset + UInt64(bytes.count) <= UInt64(storage.count), "overwrite past the end")
            storage.replaceSubrange(Int(offset)..<Int(offset) + bytes.count, with: bytes)
        }
    }

    /// Nothing to do.
    public func synchronize() throws {}
    /// Nothing to do.
    public func close() throws {}
}

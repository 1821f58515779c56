import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access bytes a journal is read from: a file, or memory in tests.
public protocol ByteSource: AnyObject {
    /// A name for messages (the file's path).
    var name: String { get }
    /// Total size in bytes.
    var size: UInt64 { get }
    /// Up to `count` bytes at `offset` (fewer at the end, none past it).
    func read(at offset: UInt64, count: Int) throws -> [UInt8]
}

/// A journal file read with pread(2); only the bytes asked for are in memory.
public final class FileByteSource: ByteSource {
    /// The path.
    public let name: String
    /// The file's size when opened.
    public let size: UInt64
    private let fd: Int32

    /// Opens `path` for reading.
    public init(path: String) throws {
        name = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(code: errno, operation: "open") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            _ = closeFile(fd)
            throw SystemError(code: code, operation: "stat")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            _ = closeFile(fd)
            throw SystemError(code: EISDIR, operation: "open (not a regular file)")
        }
        self.fd = fd
        size = UInt64(info.st_size)
    }

    deinit { _ = closeFile(fd) }

    /// pread, retrying short reads.
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < wanted {
                let n = pread(fd, raw.baseAddress! + done, wanted - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SystemError(code: errno, operation: "read")
                }
                if n == 0 { break }
                done += n
            }
        }
        if done < wanted { bytes.removeSubrange(done...) }
        return bytes
    }
}

private func closeFile(_ fd: Int32) -> Int32 { close(fd) }

/// A journal held in memory.
public final class MemoryByteSource: ByteSource {
    /// "memory" unless named.
    public let name: String
    /// The bytes.
    public let bytes: [UInt8]

    /// Bytes to read as a journal.
    public init(_ bytes: [UInt8], name: String = "memory") {
        self.bytes = bytes
        self.name = name
    }

    /// The byte count.
    public var size: UInt64 { UInt64(bytes.count) }

    /// A copy of the requested range.
    public func read(at offset: UInt64, count: Int) throws -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + count)])
    }
}

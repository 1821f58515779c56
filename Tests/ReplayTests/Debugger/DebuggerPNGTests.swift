import Foundation
import Testing
@testable import Replay

/// `display png` and the PNG writer behind it.
@Suite(.serialized) struct DebuggerPNGTests {
    /// Chunks of a PNG file (type, data), checking every CRC.
    static func chunks(_ png: [UInt8]) throws -> [(String, [UInt8])] {
        try #require(png.count > 8 && Array(png.prefix(8)) == PNGEncoder.signature)
        var out: [(String, [UInt8])] = []
        var at = 8
        func be32(_ i: Int) -> UInt32 { png[i..<i + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        while at + 12 <= png.count {
            let length = Int(be32(at))
            try #require(at + 12 + length <= png.count)
            let type = String(decoding: png[at + 4..<at + 8], as: UTF8.self)
            let data = Array(png[at + 8..<at + 8 + length])
            #expect(be32(at + 8 + length) == PNGEncoder.crc32(Array(png[at + 4..<at + 8]) + data), "CRC of \(type)")
            out.append((type, data))
            at += 12 + length
        }
        #expect(at == png.count)
        return out
    }

    @Test func encoderWritesSignatureIHDRAndIEND() throws {
        let png = PNGEncoder.encode(width: 3, height: 2, pixels: [0xFF0000, 0x00FF00, 0x0000FF, 0, 0xFFFFFF, 0x123456])
        let chunks = try Self.chunks(png)
        #expect(chunks.map(\.0) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks[0].1 == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        #expect(PNGEncoder.crc32(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func storedZlibIsAValidStream() {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let stream = PNGEncoder.storedZlib(data)
        #expect(stream.prefix(2) == [0x78, 0x01])
        #expect(stream.count == 2 + 2 * 5 + data.count + 4)  // two stored blocks
        #expect(stream[2] == 0 && stream[2 + 5 + 65_535] == 1)  // first block not final, second final
        #expect(Array(stream.suffix(4)) != [0, 0, 0, 1])
    }

    @Test func displayPNGWritesTheGuestPlane() throws {
        let session = try DebuggerSession()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gvtrr-plane-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(session.run("display png \(path) vgpu 1").hasPrefix("error: no vgpu 1"))
        _ = session.run("continue")  // the smoke guest fills its screen and flips
        let out = session.run("display png \(path) vgpu 1")
        #expect(out.hasPrefix("wrote "), "\(out)")
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let chunks = try Self.chunks(png)
        let ihdr = try #require(chunks.first)
        #expect(ihdr.0 == "IHDR")
        let width = ihdr.1[0..<4].reduce(0) { $0 << 8 | Int($1) }, height = ihdr.1[4..<8].reduce(0) { $0 << 8 | Int($1) }
        #expect(width > 0 && height > 0)
        #expect(out.contains("\(width)x\(height)"))
        #expect(chunks.last?.0 == "IEND")
        #expect(session.run("display png /nonexistent-dir/x.png vgpu 1").hasPrefix("error: cannot write"))
    }
}

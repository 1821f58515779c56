import ArgumentParser
import Decode
import Foundation
import GPUModel

/// `gvtrr decode`: decodes GPU command buffers, hex dumps and i915 error states.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode Gen9 GPU commands from raw dwords, hex text or an i915 error state.",
        discussion: """
            Exit status: 0 decoded, 1 an error state was truncated or damaged (decoded as far \
            as possible), 2 unreadable input or bad usage.
            """
    )

    @Argument(help: "The input file, or - for standard input.")
    var file: String = "-"

    @Option(help: "Input format: bin, hex or error-state (detected when not given).")
    var format: InputFormat?

    @Option(help: "Engine whose commands apply: rcs, bcs, vcs or vecs.")
    var engine: EngineID?

    @Option(help: "Graphics address of the first dword (hex or decimal).")
    var address: AddressArgument?

    @Option(help: "Decoder: own (Gen9 table) or libdrm (libdrm_intel's, as a second opinion).")
    var decoder: DecodeRequest.Decoder = .own

    @Flag(help: "Print one JSON object per command.")
    var json = false

    func run() throws {
        let name = file == "-" ? "stdin" : file
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                printError("gvtrr decode: cannot open \(file): no such file or not readable")
                throw ExitCode(2)
            }
            handle = opened
        }
        let request = DecodeRequest(format: format, engine: engine, address: address.map { GraphicsAddress($0.value) },
                                    decoder: decoder, json: json, sourceName: name)
        let output = LineWriter()
        do {
            let outcome = try DecodeRunner.run(
                request: request,
                read: {
                    let data = try handle.read(upToCount: DecodeRunner.chunkBytes) ?? Data()
                    return data.isEmpty ? nil : [UInt8](data)
                },
                out: { output.write($0) },
                err: { output.flush(); printError($0) })
            output.flush()
            if case .damaged = outcome { throw ExitCode(1) }
        } catch let error as DecodeInputError {
            output.flush()
            printError("gvtrr decode: \(error.message)")
            throw ExitCode(2)
        } catch let error as ExitCode {
            throw error
        } catch {
            output.flush()
            printError("gvtrr decode: cannot read \(name): \(error)")
            throw ExitCode(2)
        }
    }
}

/// A graphics address on the command line: `0x1000` or `4096`.
struct AddressArgument: ExpressibleByArgument {
    var value: UInt64
    init?(argument: String) {
        let lower = argument.lowercased()
        if lower.hasPrefix("0x") {
            guard let v = UInt64(lower.dropFirst(2), radix: 16) else { return nil }
            value = v
        } else {
            guard let v = UInt64(lower) else { return nil }
            value = v
        }
    }
}

extension InputFormat: ExpressibleByArgument {}
extension DecodeRequest.Decoder: ExpressibleByArgument {}

extension EngineID: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}

/// Buffers standard output in large writes (millions of lines must not cost a syscall each).
final class LineWriter {
    private var buffer: [UInt8] = []

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count >= 1 << 16 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

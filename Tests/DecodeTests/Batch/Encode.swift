import GPUModel

/// Test helpers: encode a command of the Gen9 table in its basic form.
enum Encode {
    /// `name`'s default header followed by zero dwords to its nominal length.
    static func command(_ name: String, table: CommandTable = .gen9) -> [UInt32] {
        guard let info = table.command(named: name) else { fatalError("no command \(name) in the table") }
        let header = info.defaultHeader
        let length = max(info.length(header: header), 1)
        return [header] + Array(repeating: 0, count: length - 1)
    }

    /// The names of the commands in `events`.
    static func names(_ events: [Decode.BatchEvent]) -> [String] { events.compactMap { $0.command?.name } }
}

import Decode

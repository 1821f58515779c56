import GPUModel

/// Commands built from the GPU model's command table (genxml rows): the header is the
/// row's opcode with the DWord Length field set for the nominal length, the body zero
/// (a valid "all defaults" instance), so every header is table-valid by construction.
public enum TableCommand {
    /// The named command at its nominal length, or nil if the table lacks it or it does
    /// not run on `engine`.
    public static func make(_ name: String, engine: EngineID, body: [UInt32] = []) -> [UInt32]? {
        guard let info = CommandTable.gen9.command(named: name), info.engines.contains(EngineMask(engine)) else { return nil }
        let length = max(info.nominalLength, 1 + body.count)
        var header = info.headerValue
        if case .variable(let bits, let bias) = info.length {
            header |= UInt32(length - bias) & ((1 << UInt32(bits)) - 1)
        }
        var out = [header] + body
        while out.count < length { out.append(0) }
        guard CommandTable.gen9.length(of: header, engine: engine) == out.count else { return nil }
        return out
    }
}

import GPUModel

/// Text and JSON views of decoder events, shared by `gvtrr decode` and reports.
public enum CommandFormatter {
    /// The text lines of one event (no trailing newline), indented by nesting depth.
    ///
    /// ```
    /// 0x00000004: MI_LOAD_REGISTER_IMM (3 dwords)  <== ACTHD
    ///     11000001 00002358 00000001
    ///     Register Offset[0]: 0x02358
    /// ```
    public static func text(_ event: BatchEvent) -> String {
        switch event {
        case .command(let command): return text(command)
        case .note(let note):
            return String(repeating: "  ", count: note.depth) + "    -- " + note.message
        }
    }

    /// The text lines of one command (false flags and zero fields of one-dword commands hidden;
    /// JSON has them all).
    public static func text(_ command: DecodedCommand) -> String {
        let indent = String(repeating: "  ", count: command.depth)
        let place = HexText.prefixed(command.address?.rawValue ?? UInt64(command.offset))
        var title = "\(indent)\(place): "
        switch command.status {
        case .ok: title += "\(command.name) (\(dwordCount(command.length)))"
        case .wrongEngine: title += "\(command.name) (\(dwordCount(command.length))) [not for this engine]"
        case .unknown: title += "UNKNOWN 0x\(HexText.digits8(command.header)) (\(dwordCount(command.length)))"
        case .truncated:
            title += "\(command.name) (\(command.length) of \(dwordCount(command.declaredLength))) TRUNCATED at end of buffer"
        }
        if !command.marks.isEmpty { title += "  <== " + command.marks.joined(separator: ", ") }
        var lines = [title]
        var index = 0
        while index < command.dwords.count {
            let row = command.dwords[index..<min(index + 8, command.dwords.count)]
            lines.append(indent + "    " + row.map(HexText.digits8).joined(separator: " "))
            index += 8
        }
        // Text hides what carries no information: false flags, and zero fields of one-dword commands.
        for field in command.fields where field.text != "false" && !(command.length == 1 && field.value == 0) {
            lines.append("\(indent)    \(field.name): \(field.text)")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object for an event: commands have `offset`, `name`, `length`, `fields`...;
    /// notes have `note` (their kind) and `message`.
    public static func json(_ event: BatchEvent, extra: [(String, String)] = []) -> String {
        var object = JSONObject()
        for (key, value) in extra { object.add(key, value) }
        switch event {
        case .command(let command):
            object.add("offset", command.offset)
            if let address = command.address { object.add("address", hex(address.rawValue, width: 8)) }
            object.add("depth", command.depth)
            object.add("name", command.name)
            object.add("class", command.commandClass)
            object.add("status", command.status.rawValue)
            object.add("length", command.length)
            if command.declaredLength != command.length { object.add("declaredLength", command.declaredLength) }
            object.add("dwords", strings: command.dwords.map { "0x" + HexText.digits8($0) })
            var fields = JSONObject()
            for field in command.fields { fields.add(field.name, field.text) }
            object.add("fields", object: fields)
            if !command.marks.isEmpty { object.add("marks", strings: command.marks) }
        case .note(let note):
            object.add("note", note.kind.rawValue)
            object.add("offset", note.offset)
            if let address = note.address { object.add("address", hex(address.rawValue, width: 8)) }
            object.add("depth", note.depth)
            object.add("message", note.message)
        }
        return object.text
    }

    static func dwordCount(_ n: Int) -> String { n == 1 ? "1 dword" : "\(n) dwords" }
}

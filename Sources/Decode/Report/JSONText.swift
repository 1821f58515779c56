/// A minimal JSON object writer: one object per line, keys in the order given.
public struct JSONObject: Sendable {
    private var parts: [String] = []

    /// An empty object.
    public init() {}

    /// Adds a string member.
    public mutating func add(_ key: String, _ value: String) { parts.append(Self.quote(key) + ":" + Self.quote(value)) }
    /// Adds an integer member.
    public mutating func add(_ key: String, _ value: Int) { parts.append(Self.quote(key) + ":" + String(value)) }
    /// Adds a boolean member.
    public mutating func add(_ key: String, _ value: Bool) { parts.append(Self.quote(key) + ":" + (value ? "true" : "false")) }
    /// Adds an array of strings.
    public mutating func add(_ key: String, strings: [String]) {
        parts.append(Self.quote(key) + ":[" + strings.map(Self.quote).joined(separator: ",") + "]")
    }
    /// Adds a nested object.
    public mutating func add(_ key: String, object: JSONObject) { parts.append(Self.quote(key) + ":" + object.text) }
    /// Adds a null member.
    public mutating func addNull(_ key: String) { parts.append(Self.quote(key) + ":null") }

    /// The object's text, on one line.
    public var text: String { "{" + parts.joined(separator: ",") + "}" }

    /// A JSON string literal.
    public static func quote(_ string: String) -> String {
        if !string.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + string + "\"" }
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(String(scalar.value, radix: 16).leftPadded(to: 4))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

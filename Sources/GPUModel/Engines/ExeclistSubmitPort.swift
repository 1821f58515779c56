/// The hardware side of an engine's ELSP (PRM: "Execlist Submit Port").
///
/// Software writes four dwords: element 1 high, element 1 low, element 0 high, element 0
/// low. The fourth write submits the pair. A pure state machine: `write(_:)` returns the
/// submission when one is complete, and the caller acts on it.
public struct ExeclistSubmitPort: Hashable, Sendable, Codable {
    private var dwords: [UInt32] = [0, 0, 0, 0]
    /// How many dwords of the next submission have been written (0..<4).
    public private(set) var writeIndex = 0

    public init() {}

    /// Takes one dword written to ELSP; on the fourth returns (element 0, element 1).
    public mutating func write(_ value: UInt32) -> ExeclistSubmission? {
        dwords[writeIndex] = value
        writeIndex += 1
        guard writeIndex == 4 else { return nil }
        writeIndex = 0
        let element1 = ContextDescriptor(rawValue: UInt64(dwords[0]) << 32 | UInt64(dwords[1]))
        let element0 = ContextDescriptor(rawValue: UInt64(dwords[2]) << 32 | UInt64(dwords[3]))
        return ExeclistSubmission(element0: element0, element1: element1)
    }

    /// Forgets a partly written submission (engine reset).
    public mutating func reset() { writeIndex = 0 }
}

/// A pair of context descriptors submitted together through ELSP.
public struct ExeclistSubmission: Hashable, Sendable, Codable, CustomStringConvertible {
    public var element0: ContextDescriptor
    public var element1: ContextDescriptor

    public init(element0: ContextDescriptor, element1: ContextDescriptor = ContextDescriptor(rawValue: 0)) {
        self.element0 = element0
        self.element1 = element1
    }

    /// The four dwords in ELSP write order.
    public var elspDwords: [UInt32] { [element1.high, element1.low, element0.high, element0.low] }

    /// The valid elements in execution order.
    public var elements: [ContextDescriptor] {
        element1.isValid ? [element0, element1] : [element0]
    }

    public var description: String { "[\(element0), \(element1)]" }
}

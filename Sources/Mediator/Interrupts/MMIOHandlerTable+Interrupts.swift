import GPUModel

extension MMIOHandlerTable {
    /// Interrupt register rows (IMR/IER/IIR/master). PLACEHOLDER: the interrupt concern
    /// overwrites this file with its rows.
    static func interruptRows() -> [MMIOInfo] { [] }
}

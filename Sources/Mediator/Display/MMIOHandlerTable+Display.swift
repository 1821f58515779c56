import GPUModel

extension MMIOHandlerTable {
    /// Display register rows (PIPECONF, PLANE_SURF, AUX, ...). PLACEHOLDER: the display
    /// concern overwrites this file with its rows.
    static func displayRows() -> [MMIOInfo] { [] }
}

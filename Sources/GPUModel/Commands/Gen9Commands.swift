// The Gen9 rows: generated from Mesa's genxml by tools/gen-command-table.py
// (Gen9Commands+Generated.swift) plus hand-written rows for what genxml lacks
// (Gen9Commands+Blitter.swift, Gen9Commands+Extra.swift).

/// Namespace of the Gen9 rows: generated from genxml (`Gen9Commands+Generated.swift`) and
/// hand-written (`Gen9Commands+Blitter.swift`, `Gen9Commands+Extra.swift`); `CommandTable.gen9`
/// is built from them.
enum Gen9Commands {
    /// Every Gen9 row, in no particular order (the table sorts them).
    static func all() -> [CommandInfo] {
        generatedMi() + extraMI() + blitter() + generatedRender() + extraVebox()
    }
}

import Testing
@testable import Journal
@Suite struct JournalFormatTests { @Test func exists() { _ = JournalFormat.self } }

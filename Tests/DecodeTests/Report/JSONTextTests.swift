import Testing

@testable import Decode

@Suite struct JSONTextTests {
    @Test func quotesAndEscapes() {
        #expect(JSONObject.quote("MI_NOOP") == "\"MI_NOOP\"")
        #expect(JSONObject.quote("a\"b\\c\n\u{1}") == "\"a\\\"b\\\\c\\n\\u0001\"")
    }

    @Test func objectKeepsKeyOrder() {
        var object = JSONObject()
        object.add("offset", 4)
        object.add("name", "PIPE_CONTROL")
        object.add("ok", true)
        object.add("dwords", strings: ["0x7a000004"])
        #expect(object.text == "{\"offset\":4,\"name\":\"PIPE_CONTROL\",\"ok\":true,\"dwords\":[\"0x7a000004\"]}")
    }
}

import XCTest
@testable import SwiftNN

final class JSONTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let json = try JSON.parse(#" { "a" : [1, -2.5, 3e2, 0, -0.0, 1E-2, true, false, null], "b": {}, "c": [], "d": "x" } "#)
        XCTAssertEqual(json["a"], .array([.number(1), .number(-2.5), .number(300), .number(0), .number(-0.0), .number(0.01),
                                          .bool(true), .bool(false), .null]))
        XCTAssertEqual(json["b"], .object([]))
        XCTAssertEqual(json["c"], .array([]))
        XCTAssertEqual(json["d"]?.stringValue, "x")
        XCTAssertNil(json["missing"])
        XCTAssertNil(JSON.number(1)["a"])
    }

    func testObjectKeysKeepDocumentOrder() throws {
        let keys = try JSON.parse(#"{"z": 1, "a": 2, "m": 3}"#).objectValue!.map(\.key)
        XCTAssertEqual(keys, ["z", "a", "m"])
    }

    func testStringEscapes() throws {
        let text = #""q\" b\\ s\/ \b\f\n\r\t \u0041\u00e9\u20AC \ud83d\ude00 raw é€😀""#
        XCTAssertEqual(try JSON.parse(text).stringValue, "q\" b\\ s/ \u{08}\u{0C}\n\r\t Aé€ 😀 raw é€😀")
        XCTAssertEqual(try JSON.parse(#""\u0000""#).stringValue, "\u{0}")
    }

    func testWriterEscapesLikeSerdeAndRoundTrips() throws {
        let s = "q\" b\\ / \u{08}\u{0C}\n\r\t \u{01}\u{1F} é😀"
        XCTAssertEqual(JSON.string(s).text, #""q\" b\\ / \b\f\n\r\t \u0001\u001f é😀""#)
        let value = JSON.object([("k\n", .array([.number(1), .number(-2.5), .number(1e20), .string(s), .null,
                                                  .bool(true), .object([])]))])
        XCTAssertEqual(try JSON.parse(value.text), value)
        XCTAssertEqual(JSON.number(3).text, "3")
        XCTAssertEqual(JSON.number(-0.0).text, "0")
        XCTAssertEqual(JSON.number(.infinity).text, "null")
    }

    func testIntValueIsExactOnly() throws {
        XCTAssertEqual(try JSON.parse("9007199254740992").intValue, 9_007_199_254_740_992)
        XCTAssertEqual(try JSON.parse("-12").intValue, -12)
        XCTAssertEqual(try JSON.parse("1e3").intValue, 1000)
        XCTAssertNil(try JSON.parse("1.5").intValue)
        XCTAssertNil(try JSON.parse("18446744073709551616").intValue)
        XCTAssertNil(JSON.string("1").intValue)
    }

    func testRejectsMalformedDocuments() {
        let bad = [
            "", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "[1 2]",
            "tru", "nul", "True", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"",
            "\"\\udc00\"", "\"a\u{01}b\"", "\"tab\there\"", "{} {}", "1 2", "[1]x",
            // numbers JSON does not allow
            "+1", "01", "-01", ".5", "1.", "1.e3", "1e", "1e+", "-", "--1", "0x10", "NaN", "Infinity", "1e999", "- 1",
        ]
        for text in bad {
            assertThrows(.invalidArgument, contains: "invalid JSON", try JSON.parse(text))
        }
    }

    func testRejectsInvalidUTF8() {
        assertThrows(.invalidArgument, try JSON.parse([0x22, 0xFF, 0x22]))
        assertThrows(.invalidArgument, try JSON.parse([0x22, 0xC3, 0x22]))
        assertThrows(.invalidArgument, try JSON.parse([0xEF, 0xBB, 0xBF, 0x7B, 0x7D]))
    }

    func testDeepNestingIsAnErrorNotACrash() throws {
        XCTAssertNoThrow(try JSON.parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60)))
        assertThrows(.invalidArgument, contains: "nested too deeply",
                     try JSON.parse(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)))
        assertThrows(.invalidArgument, contains: "nested too deeply",
                     try JSON.parse(String(repeating: "{\"a\":", count: 10_000)))
    }

    func testErrorsNameTheBytePosition() {
        assertThrows(.invalidArgument, contains: "at byte 6", try JSON.parse("[1, 2 3]"))
    }
}

/// A JSON object built field by field, in the order given, for JSON Lines output (shared with
/// the command-line tool, which writes other objects of its own).
package struct JSONObject {
    private var body = ""

    /// An object with no fields yet.
    package init() {}

    /// Adds a string field.
    package func field(_ key: String, _ value: String) -> JSONObject {
        appending(key, JSONObject.quote(value))
    }

    /// Adds an integer field.
    package func field(_ key: String, _ value: some BinaryInteger) -> JSONObject {
        appending(key, String(value))
    }

    /// Adds a Boolean field.
    package func field(_ key: String, _ value: Bool) -> JSONObject {
        appending(key, value ? "true" : "false")
    }

    /// Adds a field whose value is already JSON (an array or object).
    package func field(_ key: String, raw value: String) -> JSONObject {
        appending(key, value)
    }

    /// Adds fields whose values are already JSON, in order (none for nil).
    package func fields(_ pairs: [(String, String)]?) -> JSONObject {
        (pairs ?? []).reduce(self) { $0.field($1.0, raw: $1.1) }
    }

    /// Adds a number with exactly `places` decimals (no exponent, no locale).
    package func field(_ key: String, _ value: Double, places: Int) -> JSONObject {
        appending(key, Self.decimal(value, places: places))
    }

    /// `value` rounded to `places` decimals, written out in full.
    package static func decimal(_ value: Double, places: Int) -> String {
        var factor = 1.0
        for _ in 0..<places { factor *= 10 }
        let scaled = Int((value * factor).rounded())
        let whole = scaled / Int(factor)
        let fraction = String(scaled % Int(factor))
        if places == 0 { return String(whole) }
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// The object as one line of JSON.
    package var text: String { "{" + body + "}" }

    private func appending(_ key: String, _ value: String) -> JSONObject {
        var copy = self
        if !copy.body.isEmpty { copy.body += "," }
        copy.body += JSONObject.quote(key) + ":" + value
        return copy
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    package static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

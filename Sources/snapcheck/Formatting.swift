import SnapCheck

/// Numbers as people read them in reports.
enum Formatting {
    /// A path given on the command line, as reports show it: in the one escape of names, so
    /// control characters in it never reach a terminal raw.
    static func argument(_ text: String) -> String {
        PathEscaping.escape(Array(text.utf8))
    }

    /// `1,204,331`
    static func count(_ value: some BinaryInteger) -> String {
        let digits = Array(String(value).reversed())
        var result: [Character] = []
        for (index, digit) in digits.enumerated() {
            if index > 0 && index % 3 == 0 && digit != "-" { result.append(",") }
            result.append(digit)
        }
        return String(result.reversed())
    }

    /// `3.1 GB` (decimal units, as disks are sold).
    static func bytes(_ value: UInt64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        if value < 1000 { return value == 1 ? "1 byte" : "\(value) bytes" }
        var scaled = Double(value)
        var unit = 0
        while scaled >= 999.95 && unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        return decimal(scaled, places: scaled < 10 ? 2 : 1) + " " + units[unit]
    }

    /// `2.05 GB/s`
    static func rate(bytes: UInt64, seconds: Double) -> String {
        guard seconds > 0 else { return "-" }
        return decimal(Double(bytes) / seconds / 1e9, places: 2) + " GB/s"
    }

    /// `1:02:03` or `2:03`
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let hours = total / 3600, minutes = total / 60 % 60, secs = total % 60
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }

    /// A fixed number of decimal places, without Foundation.
    static func decimal(_ value: Double, places: Int) -> String { JSONObject.decimal(value, places: places) }
}

import Foundation
import Testing
@testable import SnapCheck

/// The constants, checked against their definitions rather than against a second copy.
struct GearTableTests {
    /// GEAR[i] = first 8 bytes (big-endian) of MD5 over 64 bytes equal to i, computed here by
    /// `openssl dgst -md5`.
    @Test func gearIsMD5OfRepeatedBytes() throws {
        let script = """
            for i in $(seq 0 255); do
              head -c 64 /dev/zero | tr '\\0' "\\\\$(printf %03o $i)" | openssl dgst -md5 -r | cut -c1-16
            done
            """
        let output = try TestSupport.run("/bin/bash", ["-c", script])
        let values = output.split(separator: "\n").map { UInt64($0, radix: 16)! }
        #expect(values.count == 256)
        #expect(values == GearTable.gear)
    }

    @Test func shiftedTableAndSpotValues() {
        let pointer = GearTable.pointer
        for index in 0..<256 {
            #expect(pointer[index] == GearTable.gear[index])
            #expect(pointer[256 + index] == GearTable.gear[index] << 1)
        }
        // GEAR_LS spot values (GEAR[i] << 1), computed by hand from the GEAR entries.
        #expect(pointer[256] == 0x76ba78fa40fc6fb8)
        #expect(pointer[257] == 0xf09ad1752224610c)
        #expect(pointer[511] == 0x557a56548a2a09c2)
    }

    @Test func masksHaveTheirOneBitCountsBelowBit48() {
        for k in 5...25 {
            #expect(GearTable.masks[k].nonzeroBitCount == k, "MASKS[\(k)]")
            #expect(GearTable.masks[k] >> 48 == 0)
        }
    }
}

extension Array {
    /// Reverses the elements in place by moving them: no element is copied, so no reference it
    /// holds is counted up and down. (The standard `reverse()` swaps through copies, which for
    /// an element holding several references costs more than the copy it would spare a
    /// consumer taking elements with `popLast`.)
    mutating func reverseByMoving() {
        withUnsafeMutableBufferPointer { elements in
            guard var low = elements.baseAddress, elements.count > 1 else { return }
            var high = low + (elements.count - 1)
            while low < high {
                let held = low.move()
                low.moveInitialize(from: high, count: 1)
                high.initialize(to: held)
                low += 1
                high -= 1
            }
        }
    }
}

/// A data set (PS3.5 §7): data elements kept in ascending tag order, as the standard requires
/// for encoding. Lookup is a binary search; appending in ascending order (what a reader does)
/// costs nothing extra.
public struct DataSet: Hashable, Sendable, RandomAccessCollection {
    public private(set) var elements: [DataElement]

    /// Specific Character Set of the enclosing data set, for an item that has none of its own
    /// (PS3.5 §7.5.1 note). Set by `items(_:)`; not part of the data set's value or equality.
    public var inheritedCharacterSet: SpecificCharacterSet?

    public init() {
        elements = []
    }

    /// A data set of these elements in tag order; of elements sharing a tag, the last is kept.
    /// Sorting once keeps hostile input in descending order from costing quadratic time.
    public init(_ elements: [DataElement]) {
        var ordered = elements
        if !zip(ordered, ordered.dropFirst()).allSatisfy({ $0.tag < $1.tag }) {
            let indexed = ordered.enumerated().sorted {
                $0.element.tag != $1.element.tag ? $0.element.tag < $1.element.tag : $0.offset < $1.offset
            }
            ordered = []
            ordered.reserveCapacity(indexed.count)
            for (_, element) in indexed {
                if let last = ordered.last, last.tag == element.tag {
                    ordered[ordered.count - 1] = element
                } else {
                    ordered.append(element)
                }
            }
        }
        self.elements = ordered
    }

    // MARK: Collection of elements, in tag order

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> DataElement { elements[position] }

    // MARK: Lookup and update

    public subscript(tag: Tag) -> DataElement? {
        get {
            let index = insertionIndex(of: tag)
            return index < elements.count && elements[index].tag == tag ? elements[index] : nil
        }
        set {
            if let element = newValue {
                precondition(element.tag == tag, "element stored under another tag")
                insert(element)
            } else {
                remove(tag)
            }
        }
    }

    public func contains(_ tag: Tag) -> Bool { self[tag] != nil }

    /// Adds the element, replacing one with the same tag.
    public mutating func insert(_ element: DataElement) {
        if let last = elements.last, last.tag < element.tag {
            elements.append(element)
            return
        }
        let index = insertionIndex(of: element.tag)
        if index < elements.count && elements[index].tag == element.tag {
            elements[index] = element
        } else {
            elements.insert(element, at: index)
        }
    }

    @discardableResult
    public mutating func remove(_ tag: Tag) -> DataElement? {
        let index = insertionIndex(of: tag)
        guard index < elements.count, elements[index].tag == tag else { return nil }
        return elements.remove(at: index)
    }

    /// Removes every element whose tag satisfies the predicate (e.g. a whole group).
    public mutating func removeAll(where shouldRemove: (Tag) -> Bool) {
        elements.removeAll { shouldRemove($0.tag) }
    }

    /// First index whose tag is not less than `tag`.
    private func insertionIndex(of tag: Tag) -> Int {
        var low = 0
        var high = elements.count
        while low < high {
            let mid = (low + high) / 2
            if elements[mid].tag < tag { low = mid + 1 } else { high = mid }
        }
        return low
    }

    public static func == (lhs: DataSet, rhs: DataSet) -> Bool { lhs.elements == rhs.elements }
    public func hash(into hasher: inout Hasher) { hasher.combine(elements) }
}

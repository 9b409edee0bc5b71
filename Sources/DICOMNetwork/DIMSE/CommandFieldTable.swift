import DICOMCore

/// A DIMSE message whose command set is described by one field table, the rows of PS3.7
/// §9.3 and §10.3 for its command: encoding and decoding are generic over the table, so a new
/// command is a new table, not a new encoder.
protocol CommandFieldTable: Hashable, Sendable {
    static var commandField: CommandField { get }
    /// The elements other than Command Field and Command Data Set Type, which every command has.
    static var fields: [CommandElement<Self>] { get }
    /// Whether a data set follows the command (Command Data Set Type, PS3.7 §E.1).
    static var dataSet: CommandDataSet<Self> { get }
    /// The blank value a decoded command is filled into, field by field.
    init()
}

/// Whether a command carries a data set: always (the request's identifier or SOP instance),
/// never, or as the message says (a pending C-FIND-RSP's identifier, N-ACTION's information).
enum CommandDataSet<Message>: Sendable {
    case always
    case never
    case optional(WritableKeyPath<Message, Bool> & Sendable)
}

/// One row of a command's field table: the element, and where its value lives in the message.
/// Required rows (M in PS3.7) must decode; optional ones (U, C) are written only when set.
struct CommandElement<Message>: Sendable {
    let tag: Tag
    let write: @Sendable (Message, inout DataSet) throws -> Void
    let read: @Sendable (DataSet, inout Message) throws -> Void

    static func required<Value: CommandValue>(_ tag: Tag, _ path: WritableKeyPath<Message, Value> & Sendable) -> Self {
        CommandElement(tag: tag, write: { message, command in
            try message[keyPath: path].write(tag, into: &command)
        }, read: { command, message in
            guard let value = Value.read(tag, from: command) else { throw DIMSEDecodingError("missing or invalid \(tag)") }
            message[keyPath: path] = value
        })
    }

    static func optional<Value: CommandValue>(_ tag: Tag, _ path: WritableKeyPath<Message, Value?> & Sendable) -> Self {
        CommandElement(tag: tag, write: { message, command in
            try message[keyPath: path]?.write(tag, into: &command)
        }, read: { command, message in
            message[keyPath: path] = Value.read(tag, from: command)
        })
    }

    /// Offending Element (0000,0901): a list of tags, written when not empty.
    static func tags(_ tag: Tag, _ path: WritableKeyPath<Message, [Tag]> & Sendable) -> Self {
        CommandElement(tag: tag, write: { message, command in
            let tags = message[keyPath: path]
            if !tags.isEmpty { command.set(tag, tags: tags) }
        }, read: { command, message in
            message[keyPath: path] = command.tags(tag) ?? []
        })
    }
}

/// A value of a command element, with the VR PS3.7 §E.1 gives its element.
protocol CommandValue: Sendable {
    static func read(_ tag: Tag, from command: DataSet) -> Self?
    func write(_ tag: Tag, into command: inout DataSet) throws
}

extension UInt16: CommandValue {
    static func read(_ tag: Tag, from command: DataSet) -> UInt16? { command.uint16(tag) }
    func write(_ tag: Tag, into command: inout DataSet) throws { try command.set(tag, vr: .US, uint16: self) }
}

extension DIMSEStatus: CommandValue {
    static func read(_ tag: Tag, from command: DataSet) -> DIMSEStatus? { command.uint16(tag).map(DIMSEStatus.init(rawValue:)) }
    func write(_ tag: Tag, into command: inout DataSet) throws { try command.set(tag, vr: .US, uint16: rawValue) }
}

extension DIMSEPriority: CommandValue {
    static func read(_ tag: Tag, from command: DataSet) -> DIMSEPriority? { command.uint16(tag).flatMap(DIMSEPriority.init(rawValue:)) }
    func write(_ tag: Tag, into command: inout DataSet) throws { try command.set(tag, vr: .US, uint16: rawValue) }
}

/// Text values: UIDs (UI), AE titles (AE) and the Error Comment (LO, at most 64 characters).
extension String: CommandValue {
    static func read(_ tag: Tag, from command: DataSet) -> String? {
        guard let value = command.string(tag) ?? uidAsSent(command[tag]), !value.isEmpty else { return nil }
        return value
    }

    /// A UID that is not the ASCII a UID must be, read as sent (bytes that are not UTF-8 as
    /// U+FFFD): the service judges it and answers with a status (PS3.7 Annex C, 0117H invalid
    /// object instance) instead of the command failing to decode and the association aborting.
    private static func uidAsSent(_ element: DataElement?) -> String? {
        guard let element, element.vr == .UI, let bytes = element.bytes else { return nil }
        let significant = bytes.reversed().drop { $0 == 0x00 || $0 == 0x20 }.reversed()  // UI padding (PS3.5 §6.2)
        return String(decoding: Array(significant), as: UTF8.self)
    }

    func write(_ tag: Tag, into command: inout DataSet) throws {
        switch tag {
        case CommandSet.errorComment: try command.set(tag, vr: .LO, string: String(prefix(64)))
        case CommandSet.moveDestination, CommandSet.moveOriginatorAETitle: try command.set(tag, vr: .AE, string: self)
        default: try command.set(tag, vr: .UI, string: self)
        }
    }
}

extension CommandFieldTable {
    /// Whether this message is followed by a data set.
    var hasDataSet: Bool {
        switch Self.dataSet {
        case .always: true
        case .never: false
        case .optional(let path): self[keyPath: path]
        }
    }

    /// The command set bytes (PS3.7 §6.3.1): the table's fields, Command Field and Data Set Type.
    func encodeCommand() throws -> [UInt8] {
        var command = DataSet()
        try command.set(CommandSet.commandField, vr: .US, uint16: Self.commandField.rawValue)
        try command.set(CommandSet.commandDataSetType, vr: .US,
                        uint16: hasDataSet ? CommandSet.dataSetPresent : CommandSet.noDataSet)
        for field in Self.fields { try field.write(self, &command) }
        return try CommandSet.encode(command)
    }

    /// Decodes a command set whose Command Field is this table's.
    init(_ command: DataSet) throws {
        self.init()
        for field in Self.fields { try field.read(command, &self) }
        let announced = CommandSet.announcesDataSet(command)
        switch Self.dataSet {
        case .always:
            guard announced == true else { throw DIMSEDecodingError("\(Self.commandField) without its data set") }
        case .never:
            guard announced == false else { throw DIMSEDecodingError("\(Self.commandField) announcing a data set") }
        case .optional(let path):
            guard let announced else { throw DIMSEDecodingError("missing or invalid \(CommandSet.commandDataSetType)") }
            self[keyPath: path] = announced
        }
    }
}

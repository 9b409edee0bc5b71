import Testing

@Suite struct HelpAndVersionTests {
    static let tools = ["dcmrecv", "dcmsend", "dcmroute", "dcmweb", "clusterctl", "dcmimage"]

    @Test(arguments: tools) func helpShowsSynopsisAndExample(tool: String) throws {
        let result = try ToolRunner.run(tool, ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: \(tool)"))
        #expect(result.stdout.contains("Example"))
    }

    @Test(arguments: tools) func versionIsPrinted(tool: String) throws {
        let result = try ToolRunner.run(tool, ["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test(arguments: [["--port", "70000"], ["--no-such-option"], ["user", "add", "x"]])
    func dcmwebUsageErrorsExit64(arguments: [String]) throws {
        let result = try ToolRunner.run("dcmweb", arguments)
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
    }
}

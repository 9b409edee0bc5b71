import ArgumentParser
import TandemCLI

@main
struct DcmWeb: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcmweb",
        abstract: "HTTP service: DICOMweb (QIDO-RS, WADO-RS, STOW-RS), worklist and viewer, health, metrics.",
        discussion: """
        A bare `dcmweb` serves (the `serve` subcommand); `user` and `token` manage who may sign in; `audit` lists who did what.

        Example:
          dcmweb --root /srv/tandem --port 8080
          echo 's3cret-pass' | dcmweb user add alice --role radiologist --password-stdin --root /srv/tandem
        """,
        version: TandemVersion.string,
        subcommands: [Serve.self, UserCommand.self, TokenCommand.self, AuditCommand.self],
        defaultSubcommand: Serve.self)
}

import Hummingbird

/// The reading room's pages and their files: `/` (the worklist) and `/assets/…` (docs/reading-room.md).
/// Both need a login, except the few files the sign-in page itself uses (`Authenticator.publicPaths`).
struct PageRoutes {
    let assets: StaticAssets

    func register(on router: Router<WebContext>) {
        router.get("/assets/**") { request, context -> Response in
            assets.response(for: context.parameters.getCatchAll().joined(separator: "/"), request: request)
        }
        router.get("/") { request, context -> Response in
            try context.authorize(.read)
            return assets.response(for: "worklist/index.html", request: request)
        }
    }
}

// A real OpenID provider for the tests: the certified `oidc-provider` package with its
// development login form (any password; the login name is the provider's user id). Used by
// the Rust integration tests (server/tests/api/oidc.rs) and by scripts/e2e.
//
//   OIDC_PORT            port to listen on (0: any free one)
//   OIDC_REDIRECT_URIS   comma-separated callback URLs of the client
//   OIDC_CLIENT_ID       default "nightschool"
//   OIDC_CLIENT_SECRET   default "nightschool-test-secret"
//   OIDC_USERS           JSON: user id -> extra claims, e.g.
//                        {"E1001": {"preferred_username": "cadre", "name": "王磊"}}
//                        (ids not listed get preferred_username = their id)
//
// Prints "issuer <url>" on stdout once it listens.
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 0);
const redirects = (process.env.OIDC_REDIRECT_URIS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
const users = JSON.parse(process.env.OIDC_USERS ?? "{}");

const server = http.createServer();
await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID ?? "nightschool",
      client_secret: process.env.OIDC_CLIENT_SECRET ?? "nightschool-test-secret",
      redirect_uris: redirects,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], profile: ["name", "preferred_username"], phone: ["phone_number"] },
  cookies: { keys: ["night-school-test-provider-only"] },
  ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...(users[id] ?? {}) };
      },
    };
  },
  // A first-party client: no consent screen (the district's own systems).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid profile phone");
    await grant.save();
    return grant;
  },
});
provider.on("server_error", (_ctx, err) => console.error("provider error", err));
server.on("request", provider.callback());
console.log(`issuer ${issuer}`);

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

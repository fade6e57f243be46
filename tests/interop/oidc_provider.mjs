// panva's oidc-provider (OpenID certified) on a loopback port, for gatepass's federation tests.
//
// Input: one JSON argument {port, clients: [{client_id, client_secret, redirect_uris}],
// accounts: {login: {email, email_verified}}}. Its built-in login and consent pages
// (devInteractions) take any login; the account's claims come from `accounts`
// (an unknown login is `<login>@example.com`, unverified). Prints "ready <issuer>".
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts || {};

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: c.token_endpoint_auth_method || 'client_secret_basic',
  })),
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // the scope's claims in the id_token too (as Google's and Keycloak's are)
  conformIdTokenClaims: config.conformIdTokenClaims ?? false,
  cookies: { keys: ['gatepass-tests-only-cookie-key-0123456789'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => {
      const known = accounts[sub];
      return {
        sub,
        email: known ? known.email : `${sub}@example.com`,
        email_verified: known ? known.email_verified : false,
      };
    },
  }),
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

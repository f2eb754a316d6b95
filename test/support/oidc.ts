import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import type { OidcSettings } from '../../lib/auth/better-auth.js';
import { freePort } from '../../lib/net.js';

export interface TestOidcProvider extends OidcSettings {
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) in the test process, standing in for a
 * district's: its own sign-in and consent pages (the library's development interactions, where any
 * login and password are accepted), discovery, signed ID tokens, PKCE. The login typed is the
 * account; its address is the login itself, verified.
 */
export async function startOidcProvider(
  redirectUri: string,
  name = 'Lakeside USD account',
  domains = ['lakeside.example'],
  port?: number,
): Promise<TestOidcProvider> {
  port ??= await freePort();
  const issuer = `http://localhost:${port}`;
  const clientId = 'tandem';
  const clientSecret = randomBytes(24).toString('hex');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: sub.toLowerCase(), email_verified: true, name: sub.split('@')[0] };
        },
      };
    },
    ttl: { Session: 3600, Grant: 3600, Interaction: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
  });
  const server: Server = provider.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    name,
    domains,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

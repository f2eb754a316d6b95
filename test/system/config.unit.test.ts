import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { temporalConnectionOptions } from '../../lib/temporal/connection.js';

describe('loadConfig', () => {
  it('runs on embedded defaults when nothing is set', () => {
    const c = loadConfig({}, '/srv/tandem');
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.SMTP_URL).toBeUndefined();
    expect(c.TEMPORAL_NAMESPACE).toBe('default');
    expect(c.dataDir).toBe('/srv/tandem/.data');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.SMTP_MAX_CONNECTIONS).toBe(4);
  });

  it('accepts external endpoints', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://u:p@db.internal:5432/tandem',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'tandem-prod',
      SMTP_URL: 'smtps://user:secret@mail.example.org:465',
    });
    expect(c.DATABASE_URL).toBe('postgresql://u:p@db.internal:5432/tandem');
    expect(c.TEMPORAL_ADDRESS).toBe('temporal.internal:7233');
    expect(c.TEMPORAL_NAMESPACE).toBe('tandem-prod');
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['DATABASE_URL', 'nonsense', 'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL'],
    ['DATABASE_URL', 'mysql://localhost/x', 'Invalid configuration: DATABASE_URL must be a postgres://'],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', 'Invalid configuration: TEMPORAL_ADDRESS must be host:port'],
    ['SMTP_URL', 'localhost:25', 'Invalid configuration: SMTP_URL must be an smtp:// or smtps:// URL'],
    ['PORT', 'eighty', 'Invalid configuration: PORT'],
    ['PORT', '70000', 'Invalid configuration: PORT'],
    ['SMTP_MAX_CONNECTIONS', '0', 'Invalid configuration: SMTP_MAX_CONNECTIONS'],
    ['SMTP_MAX_CONNECTIONS', 'many', 'Invalid configuration: SMTP_MAX_CONNECTIONS'],
  ])('rejects %s=%s with one line naming the variable', (name, value, expected) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith(expected)).toBe(true);
    expect(message).toContain(JSON.stringify(value));
    expect(message).not.toContain('\n');
  });

  it('takes replies only with a reply domain, and its listener’s certificate and key together', () => {
    expect(loadConfig({ MAIL_REPLY_DOMAIN: 'Reply.Tandem.Example', INBOUND_SMTP_PORT: '2526' })).toMatchObject({
      MAIL_REPLY_DOMAIN: 'reply.tandem.example',
      INBOUND_SMTP_PORT: 2526,
    });
    expect(() => loadConfig({ INBOUND_SMTP_PORT: '2526' })).toThrow(/need MAIL_REPLY_DOMAIN/);
    expect(() => loadConfig({ INBOUND_MAIL_SECRET: 'x'.repeat(32) })).toThrow(/need MAIL_REPLY_DOMAIN/);
    expect(() => loadConfig({ MAIL_REPLY_DOMAIN: 'reply tandem' })).toThrow(/MAIL_REPLY_DOMAIN must be a mail domain/);
    expect(() => loadConfig({ MAIL_REPLY_DOMAIN: 'r.example', INBOUND_MAIL_SECRET: 'short' })).toThrow(
      /INBOUND_MAIL_SECRET must be at least 32/,
    );
    expect(() =>
      loadConfig({ MAIL_REPLY_DOMAIN: 'r.example', INBOUND_SMTP_PORT: '2526', INBOUND_SMTP_TLS_CERT_PATH: '/etc/tandem/cert.pem' }),
    ).toThrow(/go together/);
  });
});

describe('temporalConnectionOptions', () => {
  const options = (env: Record<string, string>) => temporalConnectionOptions('temporal.example:7233', loadConfig(env));

  it('is plain without credentials and TLS with any; an API key alone uses the system CAs', () => {
    expect(options({})).toEqual({ address: 'temporal.example:7233', tls: false });
    expect(options({ TEMPORAL_API_KEY: 'k' })).toEqual({ address: 'temporal.example:7233', tls: {}, apiKey: 'k' });
    expect(options({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_NAME: 'x.tmprl.cloud' })).toEqual({
      address: 'temporal.example:7233',
      tls: { serverNameOverride: 'x.tmprl.cloud' },
    });
  });

  it.each([
    [{ TEMPORAL_TLS: 'yes' }, /^Invalid configuration: TEMPORAL_TLS /],
    [{ TEMPORAL_TLS_CERT_PATH: '/etc/tandem/client.pem' }, /TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together/],
    [{ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }, /would send it unencrypted/],
    [{ TEMPORAL_TLS_CA_PATH: '/nonexistent/ca.pem' }, /TEMPORAL_TLS_CA_PATH cannot be read \(ENOENT: \/nonexistent\/ca.pem\)/],
    [{ TEMPORAL_TLS_CA_PATH: '/etc/hostname' }, /TEMPORAL_TLS_CA_PATH is not a PEM file/],
  ])('refuses %j with a one-line reason', (env, expected) => {
    expect(() => options(env)).toThrow(ConfigError);
    expect(() => options(env)).toThrow(expected);
  });
});

import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A certificate authority made for a test (`ca.pem`, `ca.key` in `dir`, by openssl, valid two days)
 * and, for each name, a certificate it signed (`<name>.pem`, `<name>.key`) with the extensions given
 * (a subjectAltName, an extendedKeyUsage).
 */
export async function makeCertificates(dir: string, certificates: Record<string, string>): Promise<void> {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Tandem test CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  for (const [name, ext] of Object.entries(certificates)) {
    await writeFile(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    );
  }
}

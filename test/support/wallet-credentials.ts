import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Throwaway wallet credentials in `dir`, made with openssl: a root standing in for Apple's, a
 * "WWDR" intermediate under it and a Pass Type ID certificate under that (root.pem verifies the
 * passes' signatures), and an RSA service-account key for Google Wallet (its public half returned).
 * Returns the settings that turn both wallets on.
 */
export function makeWalletCredentials(dir: string): { env: Record<string, string>; googlePublic: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n');
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Test Root (Apple stand-in)',
  );
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'wwdr.key', '-out', 'wwdr.csr', '-subj', '/CN=Test WWDR');
  openssl(
    'x509',
    '-req',
    '-in',
    'wwdr.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-out',
    'wwdr.pem',
    '-days',
    '2',
    '-extfile',
    'ca.ext',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'signer.key',
    '-out',
    'signer.csr',
    '-subj',
    '/UID=pass.test.velvet/CN=Pass Type ID: pass.test.velvet/OU=ABCDE12345',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'signer.csr',
    '-CA',
    'wwdr.pem',
    '-CAkey',
    'wwdr.key',
    '-CAcreateserial',
    '-out',
    'signer.pem',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  );
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(
    join(dir, 'service-account.json'),
    JSON.stringify({
      type: 'service_account',
      client_email: 'velvet@club.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    }),
  );
  return {
    googlePublic: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    env: {
      VELVET_APPLE_PASS_TYPE_ID: 'pass.test.velvet',
      VELVET_APPLE_TEAM_ID: 'ABCDE12345',
      VELVET_APPLE_PASS_CERT: join(dir, 'signer.pem'),
      VELVET_APPLE_PASS_KEY: join(dir, 'signer.key'),
      VELVET_APPLE_WWDR_CERT: join(dir, 'wwdr.pem'),
      VELVET_WALLET_ORGANIZATION: 'The Vault',
      VELVET_GOOGLE_WALLET_ISSUER_ID: '3388000000012345678',
      VELVET_GOOGLE_WALLET_KEY_FILE: join(dir, 'service-account.json'),
    },
  };
}

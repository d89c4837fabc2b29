/**
 * A real squid on 127.0.0.1 with digest proxy authentication, configured in a temp dir and run in
 * the foreground as an unprivileged user. Undefined when squid is not installed (see
 * .ci/setup-services.sh), so the tests that need it can skip with a reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SQUID = ['/usr/sbin/squid', '/usr/local/sbin/squid'].find((p) => existsSync(p));
const DIGEST_HELPER = ['/usr/lib/squid/digest_file_auth', '/usr/lib64/squid/digest_file_auth'].find((p) =>
  existsSync(p),
);
export const squidAvailable = Boolean(SQUID && DIGEST_HELPER);
export const REALM = 'squid-test';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export interface Squid {
  url: string;
  accessLog: () => string;
  close: () => Promise<void>;
}

export async function startSquid(users: Record<string, string>): Promise<Squid> {
  if (!SQUID || !DIGEST_HELPER) throw new Error('squid is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'squid-'));
  // squid drops to an unprivileged user, which must read the config and write its logs here.
  chmodSync(dir, 0o777);
  const passwd = Object.entries(users)
    .map(([u, p]) => `${u}:${REALM}:${createHash('md5').update(`${u}:${REALM}:${p}`).digest('hex')}`)
    .join('\n');
  writeFileSync(join(dir, 'passwd'), passwd + '\n', { mode: 0o644 });
  const port = await freePort();
  const conf = [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    `access_log stdio:${dir}/access.log`,
    'cache deny all',
    `coredump_dir ${dir}`,
    'pinger_enable off',
    `auth_param digest program ${DIGEST_HELPER} -c ${dir}/passwd`,
    `auth_param digest realm ${REALM}`,
    'auth_param digest children 2 startup=1',
    'acl authed proxy_auth REQUIRED',
    // The targets are test servers on 127.0.0.1 at arbitrary ports; allow CONNECT to any port.
    'http_access allow authed',
    'http_access deny all',
    'visible_hostname localhost',
    'shutdown_lifetime 0 seconds',
  ].join('\n');
  writeFileSync(join(dir, 'squid.conf'), conf + '\n', { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'nobody', '--', SQUID, '-N', '-f', join(dir, 'squid.conf')], {
        stdio: 'ignore',
      })
    : spawn(SQUID, ['-N', '-f', join(dir, 'squid.conf')], { stdio: 'ignore' });
  // Ready when it accepts connections.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const log = existsSync(join(dir, 'cache.log')) ? readFileSync(join(dir, 'cache.log'), 'utf8') : '';
    if (/Accepting HTTP Socket connections/.test(log)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`squid did not start: ${log.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    accessLog: () =>
      existsSync(join(dir, 'access.log')) ? readFileSync(join(dir, 'access.log'), 'utf8') : '',
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      // runuser forwards the signal to squid; squid's pid file names the real process.
      const pidFile = join(dir, 'squid.pid');
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      child.kill('SIGKILL');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}
